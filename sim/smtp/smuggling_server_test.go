package smtp

import (
	"strconv"
	"strings"
	"testing"

	"maillab/sim/trace"
)

// smugglingVectors are the non-standard end-of-data sequences of
// hannob/smtpsmug (PROTOCOL.md §1.8).
var smugglingVectors = []struct{ name, seq string }{
	{"lflf", "\n.\n"},
	{"crcr", "\r.\r"},
	{"crlf", "\r.\n"},
	{"lfcr", "\n.\r"},
	{"lfcrlf", "\n.\r\n"},
	{"crlflf", "\r\n.\n"},
	{"crcrlf", "\r.\r\n"},
	{"crlfcr", "\r\n.\r"},
	{"nullbefore", "\r\n\x00.\r\n"},
	{"nullafter", "\r\n.\x00\r\n"},
}

const (
	smugglingPrefix  = "EHLO client.example.org\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n"
	smugglingPayload = "MAIL FROM:<evil@x>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nFrom: ceo@bank.example\r\nSubject: spoofed\r\n\r\nsend money\r\n.\r\n"
)

// TestServerSmugglingSplits sends each smuggling vector, followed by a whole
// second transaction, cut into two writes at every possible position, under
// both bare_lf policies. Whatever the cut (RFC 5321 §4.1.1.4: only a real
// CR LF "." CR LF ends the data; PROTOCOL.md §1.8: split reads must be
// handled):
//   - no command is taken in between the 354 and the end of the data, so
//     the smuggled MAIL FROM:<evil@x> is never executed;
//   - the data ends at most once, and only when the last octet of the real
//     CR LF "." CR LF has arrived;
//   - with normalize, and with reject when the vector has no lone CR or LF,
//     exactly one message is stored, the same one for every cut, holding
//     the smuggled commands as text; with reject otherwise the session ends
//     with 550 5.5.2 and nothing is stored.
func TestServerSmugglingSplits(t *testing.T) {
	for _, policy := range []string{"normalize", "reject"} {
		for _, v := range smugglingVectors {
			t.Run(v.name+"_"+policy, func(t *testing.T) {
				rest := strings.ReplaceAll(v.seq, "\r\n", "")
				bare := strings.ContainsAny(rest, "\r\n")
				stream := smugglingPrefix + "Subject: smuggling\r\n\r\nhello" + v.seq + smugglingPayload
				cfg := srvConfig()
				cfg.BareLF = policy
				var want string
				for cut := 0; cut <= len(stream); cut++ {
					r := newSrvRun(cfg)
					first := r.feed(stream[:cut])
					r.feed(stream[cut:])
					where := func() string { return v.name + " cut at " + strconv.Itoa(cut) }

					mails, inData, eods := 0, false, 0
					for _, e := range r.events {
						st := e.Step
						switch {
						case e.Received && st.Kind == trace.Command:
							if inData {
								t.Fatalf("%s: %q taken as a command inside the data", where(), st.Text)
							}
							if st.Verb == "MAIL" {
								mails++
							}
						case e.Sends() && st.Code == 354:
							inData = true
						case e.Sends() && st.ReplyTo == "EOD":
							inData = false
							eods++
						}
					}
					if mails != 1 {
						t.Fatalf("%s: %d MAIL commands executed, want 1", where(), mails)
					}
					if cut < len(stream) {
						for _, st := range replies(first) {
							if st.ReplyTo == "EOD" {
								t.Fatalf("%s: the data ended before the real CR LF . CR LF arrived", where())
							}
						}
					}
					if policy == "reject" && bare {
						if eods != 0 || len(r.stored) != 0 || r.s.State() != StateClosed {
							t.Fatalf("%s: want 550 and close with nothing stored, got %d ends, %d stored, state %s", where(), eods, len(r.stored), r.s.State())
						}
						if got := sent(r.events); got[len(got)-1] != "550 5.5.2 Error: bare <LF> received" && got[len(got)-1] != "550 5.5.2 Error: bare <CR> received" {
							t.Fatalf("%s: last reply %q", where(), got[len(got)-1])
						}
						continue
					}
					if eods != 1 || len(r.stored) != 1 {
						t.Fatalf("%s: %d ends of data, %d messages stored; want 1 and 1", where(), eods, len(r.stored))
					}
					got := string(r.stored[0].Data)
					if !strings.Contains(got, "\nMAIL FROM:<evil@x>\n") && !strings.Contains(got, " MAIL FROM:<evil@x>\n") {
						t.Fatalf("%s: the smuggled command is not in the stored text:\n%s", where(), got)
					}
					if want == "" {
						want = got
					} else if got != want {
						t.Fatalf("%s: stored message differs from the one at cut 0:\n%q\nwant\n%q", where(), got, want)
					}
				}
			})
		}
	}
}

// TestServerLongLineSplitCRLF cuts the stream right between the CR and the
// LF that end an over-long line, and everywhere around it. The over-long
// line must be refused for its length only: its CR LF is a real one, so a
// "." line after it still ends the data (RFC 5321 §4.1.1.4), and under
// bare_lf: reject it is no reason to close (§2.3.8 is about lone CR or LF).
// The same goes for an over-long command line (§4.5.3.1.4).
func TestServerLongLineSplitCRLF(t *testing.T) {
	data := "Subject: long\r\n\r\n" + strings.Repeat("x", 1500) + "\r\n.\r\nNOOP\r\n"
	cmd := "NOOP " + strings.Repeat("y", 13000) + "\r\nNOOP\r\n"
	for _, policy := range []string{"normalize", "reject"} {
		for cut := len(data) - 20; cut <= len(data); cut++ {
			cfg := srvConfig()
			cfg.BareLF = policy
			r := newSrvRun(cfg)
			r.feed("EHLO client.example.org\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n")
			r.feed(data[:cut])
			r.feed(data[cut:])
			got := sent(r.events)
			tail := strings.Join(got[len(got)-2:], " | ")
			if tail != "552 5.3.4 Error: message line longer than 1000 octets | 250 2.0.0 Ok" {
				t.Errorf("%s, data cut at %d: last replies %q", policy, cut, tail)
			}
		}
		for cut := 0; cut <= len(cmd); cut++ {
			if cut > 50 && cut < len(cmd)-50 && cut%997 != 0 {
				continue
			}
			cfg := srvConfig()
			cfg.BareLF = policy
			r := newSrvRun(cfg)
			r.feed("EHLO client.example.org\r\n")
			r.feed(cmd[:cut])
			r.feed(cmd[cut:])
			got := sent(r.events)
			tail := strings.Join(got[len(got)-2:], " | ")
			if tail != "500 5.5.2 Error: line too long | 250 2.0.0 Ok" {
				t.Fatalf("%s, command cut at %d: last replies %q", policy, cut, tail)
			}
		}
	}
}

// TestServerDataLineBareLF: the CRLF that ends the DATA command is the
// first CRLF of an empty message's CRLF.CRLF (RFC 5321 §4.1.1.4). Under
// normalize a DATA line ended by a bare LF is still a command, but then
// "\n.\r\n" is the lfcrlf imitation, not an end of data (§2.3.8); found by
// FuzzNativeSMTP.
func TestServerDataLineBareLF(t *testing.T) {
	r := newSrvRun(srvConfig())
	r.feed("EHLO client.example.org\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\n.\r\nMAIL FROM:<evil@x>\r\n")
	if len(r.stored) != 0 || r.s.State() != StateData {
		t.Fatalf("DATA<LF>.<CRLF> ended the data: %d stored, state %s", len(r.stored), r.s.State())
	}
	r.feed("\r\n.\r\n")
	if len(r.stored) != 1 || !strings.Contains(string(r.stored[0].Data), "MAIL FROM:<evil@x>") {
		t.Fatalf("stored %d messages", len(r.stored))
	}
}

// TestServerNoControlOctetsInHeaderOrLog: a HELO/EHLO name with a CR or
// another control octet is refused (it would reach the Received: header,
// RFC 5322 §2.2), and what a client sends reaches the log with "?" for
// control octets, so that no line of the log is forged.
func TestServerNoControlOctetsInHeaderOrLog(t *testing.T) {
	r := newSrvRun(srvConfig())
	r.feed("EHLO evil\rBcc: x@example.org\r\nHELO a\x00b\r\nEHLO good.example\r\nAUTH PLAIN AGFsaWNlDQptYWlsbGFiL3NtdHBkWzFdOiBmb3JnZWQAeA==\r\n")
	got := sent(r.events)
	if len(got) < 3 || !strings.HasPrefix(got[1], "501 ") || !strings.HasPrefix(got[2], "501 ") {
		t.Fatalf("replies %q", got)
	}
	r.feed("MAIL FROM:<a@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nhi\r\n.\r\n")
	if len(r.stored) != 1 || !strings.HasPrefix(string(r.stored[0].Data), "Received: from good.example ") {
		t.Fatalf("stored %d messages: %q", len(r.stored), sent(r.events))
	}
	for _, e := range r.events {
		if strings.ContainsAny(e.Log, "\r\n\x00") {
			t.Errorf("log line %q", e.Log)
		}
	}
}
