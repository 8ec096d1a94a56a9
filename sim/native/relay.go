//go:build !js

package native

import (
	"strings"
	"time"

	"maillab/sim/fault"
	"maillab/sim/machine"
	"maillab/sim/smtp"
	"maillab/sim/trace"
)

// noRelay wraps the SMTP machine so that native mode never relays. The
// machine already refuses other domains to clients that did not log in
// (554 5.7.1, RFC 5321 §3.6.2), but it accepts them after AUTH, as a
// submission server must; native mode has nowhere to send them and must not
// open outgoing connections, so it refuses them after AUTH too.
//
// It does so through the machine's fault hook, the only way into the RCPT
// decision that sim/smtp offers today: it is consulted on each command line
// before the machine acts on it. The instructor's rules are asked first.
// The refusal carries no rule name, so the trace does not show it as a
// fault. (A smtp.Config option would be cleaner; see the package report.)
//
// It learns that the client logged in from the machine's own replies (235
// to AUTH), and forgets it after STARTTLS, as the machine does (RFC 3207
// §4.2). A RCPT pipelined in the same write as the AUTH that succeeds is
// not caught here; Deliver refuses such a message as a whole (451), so even
// then nothing is relayed.
type noRelay struct {
	*smtp.Server
	rules  fault.Injector
	cfg    smtp.Config
	authed bool
}

var (
	_ machine.Server = (*noRelay)(nil)
	_ fault.Injector = (*noRelay)(nil)
)

// guardRelay builds the machine for cfg with the relay guard in its fault hook.
func guardRelay(cfg smtp.Config, rules fault.Injector) *noRelay {
	g := &noRelay{rules: rules, cfg: cfg.WithDefaults()}
	cfg.Faults = g
	g.Server = smtp.NewServer(cfg)
	return g
}

// Check implements fault.Injector.
func (g *noRelay) Check(proto, server, line string) *fault.Outcome {
	if g.rules != nil {
		if o := g.rules.Check(proto, server, line); o != nil {
			return o
		}
	}
	if !g.authed || proto != "smtp" {
		return nil
	}
	if st := g.Server.State(); st != smtp.StateMail && st != smtp.StateRcpt {
		return nil // out of sequence: the machine's 503 is the right answer
	}
	path, ok := rcptPath(line)
	if !ok {
		return nil
	}
	at := strings.LastIndexByte(path, '@')
	if at < 0 || g.cfg.IsLocal(path[at+1:]) {
		return nil
	}
	return &fault.Outcome{Kind: fault.Reply, Reply: "554 5.7.1 <" + path + ">: Relay access denied"}
}

// rcptPath returns the forward-path of a "RCPT TO:<path> …" line.
func rcptPath(line string) (string, bool) {
	verb, arg, _ := strings.Cut(line, " ")
	if !strings.EqualFold(verb, "RCPT") || len(arg) < 3 || !strings.EqualFold(arg[:3], "TO:") {
		return "", false
	}
	p := pathOf(arg)
	return p, p != ""
}

// Feed implements machine.Server, watching for a successful AUTH.
func (g *noRelay) Feed(now time.Time, b []byte) []machine.Event {
	evs := g.Server.Feed(now, b)
	for _, e := range evs {
		if e.Step.Kind == trace.Reply && e.Step.ReplyTo == "AUTH" && e.Step.Code == 235 {
			g.authed = true
		}
	}
	return evs
}

// TLSReady implements machine.Server: the session starts over, AUTH included.
func (g *noRelay) TLSReady(now time.Time) []machine.Event {
	g.authed = false
	return g.Server.TLSReady(now)
}
