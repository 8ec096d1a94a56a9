package pop3

import (
	"strings"

	"maillab/sim/machine"
	"maillab/sim/trace"
)

// proto is the Step.Proto of every step this package makes.
const proto = "pop3"

// emitter collects the events of one call into a machine (Start, Feed, …).
type emitter struct {
	out []machine.Event
}

// take hands over the events collected so far.
func (e *emitter) take() []machine.Event {
	out := e.out
	e.out = nil
	return out
}

// add appends an event and returns it so the caller can set Log, Action or Fault.
func (e *emitter) add(st trace.Step) *machine.Event {
	e.out = append(e.out, machine.Event{Step: st})
	return &e.out[len(e.out)-1]
}

// last is the most recent event, or nil.
func (e *emitter) last() *machine.Event {
	if len(e.out) == 0 {
		return nil
	}
	return &e.out[len(e.out)-1]
}

// statusOf splits a POP3 status line into its status indicator and its
// RFC 2449 §8 response code: "-ERR [IN-USE] …" → "-ERR", "IN-USE".
func statusOf(line string) (status, code string) {
	switch {
	case strings.HasPrefix(line, "+OK"):
		status = "+OK"
	case strings.HasPrefix(line, "-ERR"):
		status = "-ERR"
	case strings.HasPrefix(line, "+"):
		return "+", "" // SASL continuation (RFC 5034 §4): no response code
	default:
		return "", ""
	}
	rest := line[len(status):]
	if strings.HasPrefix(rest, " [") {
		if end := strings.IndexByte(rest, ']'); end > 2 {
			code = rest[2:end]
		}
	}
	return status, code
}

// verbOf returns the upper-case keyword of a command line (RFC 1939 §3:
// keywords are case-insensitive) and the rest after the first space.
func verbOf(line string) (verb, rest string) {
	kw, rest, _ := strings.Cut(line, " ")
	return upperASCII(kw), rest
}

// upperASCII upper-cases ASCII letters only, so a keyword with other bytes
// stays as received instead of being rewritten by Unicode case rules.
func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'a' && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
