package lessons

import (
	"fmt"
	"testing"

	"maillab/sim/scenario"
)

func TestScratch(t *testing.T) {
	spec, err := scenario.Parse("x", []byte("servers:\n  mail.example.com: {mydestination: [example.com], users: {alice: secret, bob: secret}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	term, err := scenario.NewTerminal(spec, "smtp", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"EHLO x", "MAIL FROM:<alice@example.com>", "RCPT TO:<bob@example.com>", "DATA", "Subject: x", "", "..dot", ".", "QUIT"} {
		term.Type(l)
	}
	tr := term.Trace()
	for _, s := range tr.Steps {
		fmt.Printf("%-8s %v %q\n", s.Kind, s.ByServer, s.TranscriptLine())
	}
	fmt.Printf("%+v\n", tr.Mailboxes)
	spec2, _ := scenario.Parse("x", []byte("servers:\n  mx.example.org: {mydestination: [example.org], users: {bob: secret}}\nsend:\n - {from: alice@example.com, to: bob@example.org, subject: hi, body: hello}\n - {from: alice@example.com, to: bob@example.org, subject: hi2, body: hello2}\n"))
	term, err = scenario.NewTerminal(spec2, "pop3", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"USER bob", "PASS secret", "STAT", "UIDL", "DELE 1", "QUIT"} {
		term.Type(l)
	}
	for _, s := range term.Trace().Steps {
		fmt.Printf("%-8s %v %q\n", s.Kind, s.ByServer, s.TranscriptLine())
	}
}
