//go:build !js

package native

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"maillab/sim/machine"
	"maillab/sim/mailstore"
	"maillab/sim/smtp"
	"maillab/sim/trace"
)

// pid is this process's id for log lines, asked once: os.Getpid is a
// system call each time.
var (
	pid     = os.Getpid()
	pidText = strconv.Itoa(pid)
)

// deliverer is the local delivery agent of one SMTP session: the machine
// calls it before it answers 250 to the end of data, and it returns only
// once every copy is durable (mailstore.Maildir fsyncs the file and the
// directory), so the 250 is never a promise the disk has not kept (RFC 5321
// §6.1). An error makes the machine answer 451, or 452 4.3.1 for a full
// disk, and the client keeps the message.
func deliverer(store mailstore.Store, cfg smtp.Config, ss *session) func(*smtp.Message) error {
	return func(m *smtp.Message) error {
		type drop struct{ user, rcpt string }
		var drops []drop
		seen := map[string]bool{}
		for _, rcpt := range m.To {
			if unsafeHeader(rcpt) || unsafeHeader(m.From) {
				return fmt.Errorf("an address with a control character cannot go into a header")
			}
			user, ok := localUser(cfg, rcpt)
			if !ok {
				// smtp.Config.NoRelay refuses such a RCPT; this is the backstop.
				return fmt.Errorf("<%s> is not a local address, and native mode never relays", rcpt)
			}
			if !seen[user] { // one copy per maildrop, as Postfix's local does
				seen[user] = true
				drops = append(drops, drop{user, rcpt})
			}
		}
		for _, d := range drops {
			// Return-Path and Delivered-To are what the final delivery adds
			// (RFC 5321 §4.4; Postfix's local(8)); the Received: line is
			// already at the top of Data.
			head := "Return-Path: <" + m.From + ">\nDelivered-To: " + d.rcpt + "\n"
			msg := make([]byte, 0, len(head)+len(m.Data))
			msg = append(append(msg, head...), m.Data...)
			uid, err := store.Deliver(d.user, msg)
			if err != nil {
				// Copies already stored stay: the client will send again on
				// the 4xx, and a duplicate is better than a loss (RFC 5321 §6.1).
				ss.hold(machine.Event{Log: "maillab/local[" + pidText + "]: " + m.QueueID + ": to=<" + d.rcpt + ">, relay=local, status=deferred (" + err.Error() + ")"})
				if diskFull(err) {
					return fmt.Errorf("%w: %v", smtp.ErrInsufficientStorage, err)
				}
				return err
			}
			ss.hold(machine.Event{Step: trace.Step{Kind: trace.Store, RFC: "RFC 5321 §4.4",
				Text: "delivered to " + d.user + "'s Maildir as " + uid + " (with Return-Path: and Delivered-To: added at the top)"}})
			ss.hold(machine.Event{Log: "maillab/local[" + pidText + "]: " + m.QueueID + ": to=<" + d.rcpt + ">, relay=local, status=sent (delivered to maildir)"})
		}
		return nil
	}
}

// localUser names the maildrop of a local recipient: the user whose name
// matches the local part (exactly, else ignoring case, since the machine's
// HasUser accepts either), or postmaster, which every server has (RFC 5321
// §4.5.1). ok is false for an address of another domain.
func localUser(cfg smtp.Config, rcpt string) (user string, ok bool) {
	local, domain := rcpt, ""
	if i := strings.LastIndexByte(rcpt, '@'); i >= 0 {
		local, domain = rcpt[:i], rcpt[i+1:]
	}
	postmaster := strings.EqualFold(local, "postmaster")
	if (domain == "" && !postmaster) || (domain != "" && !cfg.IsLocal(domain)) {
		return "", false
	}
	if _, ok := cfg.Users[local]; ok {
		return local, true
	}
	for name := range cfg.Users {
		if strings.EqualFold(name, local) {
			return name, true
		}
	}
	if postmaster {
		return "postmaster", true
	}
	return strings.ToLower(local), true
}

// unsafeHeader reports a CR, LF or NUL, which would let an address add
// header lines of its own.
func unsafeHeader(s string) bool { return strings.ContainsAny(s, "\r\n\x00") }

// diskFull tells a full disk or quota (452 4.3.1) from other failures (451).
func diskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
