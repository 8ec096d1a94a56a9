package scenario

import (
	"errors"
	"strings"
	"testing"

	"maillab/sim/explain"
)

// Every mistake the spec checker reports has a whole Chinese version
// (explain.Problem): the scenario editor shows them in the student's
// language. Each case is one broken scenario; want is a piece of the
// English message, so a case that stops failing the way it should is seen.
func TestSpecProblemsInChinese(t *testing.T) {
	const srv = "servers:\n  mail.example.com: {mydestination: [example.com], users: {alice: secret, bob: secret}}\n"
	const send = "send:\n  - {from: alice@example.com, to: [bob@example.com]}\n"
	for _, c := range []struct{ src, want string }{
		{"client: outlook\n" + srv + send, "not a known program"},
		{"start: yesterday\n" + srv + send, "not a time like"},
		{"title: nothing\n", "no servers"},
		{"server: mx.example.org\n" + srv + send, "not one of the servers listed"},
		{"servers:\n  mail.example.com: {tls: sometimes}\n" + send, "is not off, optional or required"},
		{"servers:\n  mail.example.com: {auth: sometimes}\n" + send, "is not off, optional or required"},
		{"servers:\n  mail.example.com: {bare_lf: accept}\n" + send, "is not normalize or reject"},
		{"servers:\n  mail.example.com: {max_recipients: 10}\n" + send, "below 100"},
		{"servers:\n  mail.example.com: {max_message_bytes: 1000}\n" + send, "below 65536"},
		{"servers:\n  mail.example.com: {max_message_bytes: -1}\n" + send, "must not be negative"},
		{"servers:\n  mail.example.com: {relayhost: smarthost.example.com}\n" + send, "relayhost"},
		{srv + "dns: {example.org: mx.example.org}\n" + send, "MX host"},
		{srv + "send:\n  - {from: alice@example.com}\n", "has no recipient"},
		{srv + "send:\n  - {from: alice, to: [bob@example.com]}\n", "from \"alice\""},
		{srv + "send:\n  - {from: alice@example.com, to: [bob]}\n", "\"bob\" is not an address"},
		{srv + "send:\n  - {from: alice@example.com, to: [bob@example.com], starttls: maybe}\n", "starttls"},
		{srv + "send:\n  - {from: alice@example.com, to: [bob@example.com], auth: {password: x}}\n", "auth needs a user"},
		{srv + send + "fetch: {server: pop.example.com, user: bob, password: secret}\n", "fetch server"},
		{srv + send + "fetch: {client: outlook, user: bob, password: secret}\n", "fetch client"},
		{srv + send + "fetch: {password: secret}\n", "fetch needs a user"},
		{srv + send + "faults:\n  - {when: \"RCPT TO:<bob@example.com>\", then: \"250 Ok\"}\n", "must be a failure"},
		{srv + send + "faults:\n  - {when: \"RCPT TO:<bob@example.com>\", then: \"599 Bad\"}\n", "second digit"},
		{srv + send + "faults:\n  - {when: \"RCPT TO:<bob@example.com>\", then: \"550 4.1.1 No\"}\n", "same class"},
		{srv + send + "faults:\n  - {when: \"RCPT TO:<bob@example.com>\", then: \"hello\"}\n", "want a reply line"},
		{srv + send + "faults:\n  - {when: \"RCPT TO:<bob@example.com>\", then: \"delay soon\"}\n", "delay needs"},
		{srv + send + "faults:\n  - {then: \"550 5.1.1 No\"}\n", "when is empty"},
		{srv + send + "faults:\n  - {when: connect, then: \"550 5.1.1 No\", protocol: imap}\n", "want smtp or pop3"},
		{srv + send + "faults:\n  - {when: \"USER bob\", then: \"550 No\", protocol: pop3}\n", "must start with -ERR"},
		{srv + send + "faults:\n  - {when: connect, then: \"421 4.3.2 Bye\", server: mx.example.org}\n", "fault 1: server"},
		{srv + send + "faults:\n  - {when: connect, then: \"421 4.3.2 Bye\", nth: -1}\n", "must not be negative"},
		{srv + send + "colour: blue\n", "unknown key"},
		{srv + "send:\n  - {from: alice@example.com, to: [bob@example.com]\n", "flow mapping"},
		{srv + "send:\n  - from: alice@example.com\n    to: [bob@example.com]\n    subject: a: b\n", "mapping value"},
		{srv + "servers: {}\n" + send, `key "servers" is given twice`},
		// go-yaml's decoder panics on this one (found by the fuzzer): an error, not a crash.
		{"servers:\n  m: {users:{alice:secret}}#0\ndns:\n 0: m\nsend:\n  - from: 0@1\n    to: !0000\n0000000000", "the YAML reader stopped"},
		{srv + "send: 42\n", "int was used where sequence is expected"},
		{srv + "send:\n  - {from: alice@example.com, to: [bob@example.com], subject: [a, b]}\n", "cannot unmarshal"},
	} {
		_, err := Parse("s.yaml", []byte(c.src))
		var se *Error
		if !errors.As(err, &se) {
			t.Errorf("%q: got %v, want an *Error", c.src, err)
			continue
		}
		if !strings.Contains(se.Msg, c.want) {
			t.Errorf("%q: message %q lacks %q", c.src, se.Msg, c.want)
			continue
		}
		if zh, ok := explain.ProblemZH(se.Msg); !ok {
			t.Errorf("no whole Chinese for %q (got %q)", se.Msg, explain.Problem("zh", se.Msg))
		} else if testing.Verbose() {
			t.Logf("%s\n  → %s", se.Msg, zh)
		}
	}
}
