package app

import (
	"testing"
)

const benchSrc = `title: two messages, relayed, then read with POP3
client: smtplib
server: mail.example.com
servers:
  mail.example.com: {mydestination: [example.com], users: {alice: secret}, auth: required}
  mx.example.org: {mydestination: [example.org], users: {bob: secret}}
dns: {example.org: mx.example.org}
send:
  - {from: alice@example.com, to: [bob@example.org], subject: One, body: "Hello,\nthis is the first message.", auth: {user: alice, password: secret}}
  - {from: alice@example.com, to: [bob@example.org], subject: Two, body: "Hello again,\nthis is the second.", auth: {user: alice, password: secret}}
fetch: {server: mx.example.org, user: bob, password: secret, delete: true}
`

// BenchmarkStep is one step of the cursor on a 300-step trace: the model
// and every patch the page writes.
func BenchmarkStep(b *testing.B) {
	p := newPage(&testing.T{}, State{Lang: LangEN, Lesson: "journey", Source: benchSrc, Step: 150}.Fragment(), nil)
	b.ReportAllocs()
	for b.Loop() {
		p.m.StepForward()
		p.m.Render()
		p.m.StepBack()
		p.m.Render()
	}
}

// BenchmarkFaultRerun is a fault added and removed: two runs and repaints.
func BenchmarkFaultRerun(b *testing.B) {
	p := newPage(&testing.T{}, State{Lang: LangEN, Lesson: "journey", Source: benchSrc, Step: 150}.Fragment(), nil)
	rcpt := p.stepOf("RCPT TO:<bob@example.org>", "")
	b.ReportAllocs()
	for b.Loop() {
		p.m.OpenFaultMenu(rcpt)
		p.m.AddFault(0, false)
		p.m.Render()
		p.m.RemoveFault(0)
		p.m.Render()
	}
}
