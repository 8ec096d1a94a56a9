package scenario

import (
	"strings"

	"maillab/sim/fault"
	"maillab/sim/trace"
)

// FaultChoices lists the faults the page offers for a step of a trace: the
// replies that command can really get from a real server (with the enhanced
// codes Postfix and Dovecot use), then drop, timeout and delay. A student
// clicks a command line and picks one; the page adds it as a rule for that
// line at that server and re-runs the scenario. The step may be a command,
// the "." that ends the data, or the greeting (the connection).
func FaultChoices(st trace.Step) []FaultSpec {
	when, server, ok := faultTarget(st)
	if !ok {
		return nil
	}
	proto := st.Proto
	var replies []string
	if proto == "pop3" {
		replies = pop3Choices[strings.ToUpper(st.Verb)]
		if when == fault.Connect {
			replies = pop3Choices["GREETING"]
		}
	} else {
		key := strings.ToUpper(st.Verb)
		switch when {
		case fault.Connect:
			key = "GREETING"
		case fault.EndOfData:
			key = "EOD"
		}
		addr := addrIn(st.Text)
		for _, r := range smtpChoices[key] {
			replies = append(replies, strings.ReplaceAll(strings.ReplaceAll(r, "<addr>", "<"+addr+">"), "<host>", server))
		}
		if key != "GREETING" {
			replies = append(replies, "421 4.3.2 "+server+" Service not available, closing transmission channel")
		}
	}
	var out []FaultSpec
	for _, r := range append(replies, "drop", "timeout", "delay 30s") {
		out = append(out, FaultSpec{When: when, Then: r, Server: server, Protocol: proto})
	}
	return out
}

// FaultChoicesIn is FaultChoices for step i of a trace. A line whose
// password the live view masked gets choices for that session's user only
// (fault.Rule.User): the rule names just the verb, "PASS", and without the
// user it would fail the next login of anyone on the server, not the
// student whose line was clicked.
func FaultChoicesIn(steps []trace.Step, i int) []FaultSpec {
	if i < 0 || i >= len(steps) {
		return nil
	}
	out := FaultChoices(steps[i])
	if steps[i].Masked {
		if user := sessionUser(steps, i); user != "" {
			for j := range out {
				out[j].User = user
			}
		}
	}
	return out
}

// sessionUser is the user a session has named up to step i: the masked
// AUTH PLAIN line's own identity (`base64(\0alice\0••••)`), else the last
// USER command of the same connection.
func sessionUser(steps []trace.Step, i int) string {
	if user := trace.MaskedUser(steps[i].Text); user != "" {
		return user
	}
	for j := i - 1; j >= 0; j-- {
		st := steps[j]
		if st.Conn != steps[i].Conn {
			continue
		}
		if st.Kind == trace.Connect {
			break
		}
		if st.Kind == trace.Command && !st.ByServer && strings.EqualFold(st.Verb, "USER") {
			return fault.LineUser(st.Text)
		}
	}
	return ""
}

// faultTarget says which "when" and which server a fault on this step needs.
func faultTarget(st trace.Step) (when, server string, ok bool) {
	switch {
	case st.Kind == trace.Command && !st.ByServer && st.Masked:
		return maskedTarget(st), serverHost(st.To), maskedTarget(st) != ""
	case st.Kind == trace.Command && !st.ByServer:
		return st.Text, serverHost(st.To), true
	case st.Kind == trace.Data && !st.ByServer && st.Text == "." && st.Proto == "smtp":
		return fault.EndOfData, serverHost(st.To), true
	case st.Kind == trace.Reply && st.ReplyTo == "GREETING":
		return fault.Connect, serverHost(st.From), true
	case st.Kind == trace.Connect:
		return fault.Connect, serverHost(st.To), true
	}
	return "", "", false
}

// maskedTarget is the "when" for a line whose password the live view
// masked (trace.MaskSecrets): its verb, and for AUTH the mechanism, which
// match the line as the client really sent it ("PASS" matches "PASS
// secret"). A rule made from the masked text would never fire, and one
// made from the real text would copy the password into the rules. A SASL
// response line on its own ("base64(…)") is no command a rule can name.
func maskedTarget(st trace.Step) string {
	f := strings.Fields(st.Text)
	if len(f) == 0 || !strings.EqualFold(f[0], st.Verb) {
		return ""
	}
	if strings.EqualFold(st.Verb, "AUTH") && len(f) > 1 {
		return f[0] + " " + f[1]
	}
	return f[0]
}

// serverHost turns an actor name ("mx.example.org POP3") into the host.
func serverHost(actor string) string {
	h, _, _ := strings.Cut(actor, " ")
	return h
}

// addrIn takes the address out of "RCPT TO:<bob@example.org> …".
func addrIn(line string) string {
	i := strings.IndexByte(line, '<')
	j := strings.IndexByte(line, '>')
	if i < 0 || j < i {
		return "address"
	}
	return line[i+1 : j]
}

var smtpChoices = map[string][]string{
	"GREETING": {
		"554 5.7.1 <host> Service unavailable; client host blocked",
		"421 4.3.2 <host> Service not available, closing transmission channel",
	},
	"EHLO":     {"502 5.5.1 Error: command not implemented", "501 5.5.4 Syntax: EHLO hostname"},
	"HELO":     {"501 5.5.4 Syntax: HELO hostname"},
	"STARTTLS": {"454 4.7.0 TLS not available due to local problem"},
	"AUTH": {
		"535 5.7.8 Error: authentication failed",
		"454 4.7.0 Temporary authentication failure",
		"534 5.7.9 Authentication mechanism is too weak",
		"538 5.7.11 Encryption required for requested authentication mechanism",
	},
	"MAIL": {
		"550 5.7.1 <addr>: Sender address rejected: Access denied",
		"553 5.1.7 <addr>: Sender address rejected: not owned by user",
		"552 5.3.4 Message size exceeds fixed limit",
		"452 4.3.1 Insufficient system storage",
		"451 4.3.0 Error: queue file write error",
		"530 5.7.0 Authentication required",
	},
	"RCPT": {
		"550 5.1.1 <addr>: Recipient address rejected: User unknown in local recipient table",
		"554 5.7.1 <addr>: Relay access denied",
		"552 5.2.2 <addr>: Recipient address rejected: Mailbox full",
		"451 4.7.1 <addr>: Recipient address rejected: Greylisted, try again later",
		"450 4.2.0 <addr>: Recipient address rejected: Mailbox busy",
		"452 4.5.3 Error: too many recipients",
	},
	"DATA": {
		"554 5.5.1 Error: no valid recipients",
		"451 4.3.0 Error: queue file write error",
	},
	"EOD": {
		"554 5.7.1 Message rejected as spam",
		"550 5.7.1 Message content rejected",
		"552 5.3.4 Message size exceeds fixed limit",
		"452 4.3.1 Insufficient system storage",
		"451 4.3.0 Error: queue file write error",
	},
	"BDAT": {"554 5.7.1 Message rejected as spam", "451 4.3.0 Error: queue file write error"},
	"RSET": {},
	"NOOP": {},
	"QUIT": {},
	"VRFY": {"550 5.1.1 <addr>: Recipient address rejected: User unknown in local recipient table", "502 5.5.1 VRFY command is disabled"},
}

var pop3Choices = map[string][]string{
	"GREETING": {"-ERR [SYS/TEMP] Server is shutting down, try again later"},
	"USER":     {"-ERR [AUTH] Authentication failed."},
	"PASS": {
		"-ERR [AUTH] Authentication failed.",
		"-ERR [IN-USE] Unable to lock maildrop",
		"-ERR [LOGIN-DELAY] Logged in too recently, try again later",
		"-ERR [SYS/TEMP] Temporary system failure",
	},
	"APOP": {"-ERR [AUTH] Authentication failed.", "-ERR [IN-USE] Unable to lock maildrop"},
	"AUTH": {"-ERR [AUTH] Authentication failed.", "-ERR [IN-USE] Unable to lock maildrop"},
	"STAT": {"-ERR [SYS/TEMP] Temporary system failure"},
	"LIST": {"-ERR no such message", "-ERR [SYS/TEMP] Temporary system failure"},
	"UIDL": {"-ERR no such message"},
	"RETR": {"-ERR no such message", "-ERR [SYS/TEMP] Message could not be read"},
	"TOP":  {"-ERR no such message"},
	"DELE": {"-ERR no such message", "-ERR message already deleted"},
	"QUIT": {"-ERR some deleted messages not removed"},
	"STLS": {"-ERR [SYS/TEMP] TLS not available"},
	"CAPA": {"-ERR unknown command"},
}
