package lessons

import (
	"testing"

	"maillab/sim/scenario"
	"maillab/sim/trace"
)

const twoHops = `
servers:
  mail.example.com: {mydestination: [example.com], users: {alice: secret}}
  mx.example.org: {mydestination: [example.org], users: {bob: secret, carol: secret}}
send:
  - from: alice@example.com
    to: [bob@example.org, nobody@example.org]
    subject: Hi
    body: Hello
    auth: {user: alice, password: secret}
fetch: {server: mx.example.org, user: bob, password: secret, delete: true}
`

func run(t *testing.T, src string, faults ...scenario.FaultSpec) *trace.Trace {
	t.Helper()
	spec, err := scenario.Parse("test", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	spec.Faults = append(spec.Faults, faults...)
	tr, err := scenario.Run(spec)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func n(i int) *int { return &i }

func TestCheckGoal(t *testing.T) {
	plain := run(t, twoHops)
	grey := run(t, twoHops, scenario.FaultSpec{When: "RCPT TO:*", Server: "mx.example.org", Then: "451 4.7.1 Greylisted, try again later", Times: 1})
	wrongPass := run(t, `
servers:
  mx.example.org: {mydestination: [example.org], users: {bob: secret}}
send: [{from: alice@example.com, to: bob@example.org}]
fetch: {user: bob, password: wrong}
`)
	tests := []struct {
		name  string
		tr    *trace.Trace
		goal  Goal
		unmet []string // the checks not met
	}{
		// bob downloaded and deleted the message: it is gone from the
		// maildrop, but it was delivered.
		{"delivered though deleted by POP3", plain, Goal{Delivered: []string{"BOB@example.org"}}, nil},
		{"bounced recipient not delivered", plain, Goal{NotDelivered: []string{"nobody@example.org"}, Delivered: []string{"carol@example.org"}}, []string{"delivered"}},
		{"the bounce reaches alice", plain, Goal{Delivered: []string{"alice@example.com"}}, nil},
		{"reply code", plain, Goal{SawReply: []string{"550", "550 5.1.1", "221"}}, nil},
		{"enhanced code must match", plain, Goal{SawReply: []string{"550 5.7.1"}}, []string{"saw_reply"}},
		{"pop3 deleted exactly", plain, Goal{POP3Deleted: n(1)}, nil},
		{"pop3 deleted zero", plain, Goal{POP3Deleted: n(0)}, []string{"pop3_deleted"}},
		{"commands", plain, Goal{CommandsUsed: []string{"EHLO", "RCPT", "RETR", "DELE"}}, nil},
		{"command not sent", plain, Goal{CommandsUsed: []string{"VRFY", "MAIL"}}, []string{"commands_used"}},
		{"no retry without a 4xx", plain, Goal{RetriedAfter: []string{"451"}}, []string{"retried_after"}},
		{"retried after greylisting", grey, Goal{RetriedAfter: []string{"451", "451 4.7.1"}, Delivered: []string{"bob@example.org"}}, nil},
		{"retried after another code", grey, Goal{RetriedAfter: []string{"421"}}, []string{"retried_after"}},
		{"pop3 status and response code", wrongPass, Goal{SawReply: []string{"-ERR", "-ERR [AUTH]", "+OK"}}, nil},
		{"pop3 response code must match", wrongPass, Goal{SawReply: []string{"-ERR [IN-USE]"}, POP3Deleted: n(0)}, []string{"saw_reply"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckGoal(tt.goal, tt.tr)
			var names []string
			for _, u := range got {
				names = append(names, u.Check)
				if u.EN == "" || u.ZH == "" || u.Msg("zh") != u.ZH || u.Msg("en") != u.EN {
					t.Errorf("unmet %s has no message in both languages: %+v", u.Check, u)
				}
			}
			if len(names) != len(tt.unmet) {
				t.Fatalf("unmet = %v, want %v", names, tt.unmet)
			}
			for i := range names {
				if names[i] != tt.unmet[i] {
					t.Fatalf("unmet = %v, want %v", names, tt.unmet)
				}
			}
		})
	}
}

// A terminal attempt: what the student types is what the goal sees.
func TestAttemptTerminal(t *testing.T) {
	l, problems := Parse("en/x.md", []byte(`---
id: x
title: X
lang: en
order: 1
duration: 5
objectives: [Type]
---
`+"```exercise"+`
id: type
start: terminal
task: Type it.
goal:
  delivered: bob@example.com
  commands_used: [HELO, MAIL, RCPT, DATA]
`+"```"+`
`))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	e := l.Exercises[0]
	tr, err := l.Attempt(e, Solution{Lines: []string{"HELO pc", "MAIL FROM:<alice@example.com>", "RCPT TO:<bob@example.com>", "DATA", "Subject: x", "", "hi", ".", "QUIT"}})
	if err != nil {
		t.Fatal(err)
	}
	if unmet := CheckGoal(e.Goal, tr); len(unmet) > 0 {
		t.Errorf("unmet: %v", unmet)
	}
	tr, _ = l.Attempt(e, Solution{Lines: []string{"HELO pc", "QUIT"}})
	if unmet := CheckGoal(e.Goal, tr); len(unmet) != 2 {
		t.Errorf("unmet after HELO, QUIT: %v, want delivered and commands_used", unmet)
	}
	if got := e.Goal.Checklist("zh"); len(got) != 2 || got[0] != "bob@example.com 的邮箱收到邮件" {
		t.Errorf("zh checklist = %q", got)
	}
}
