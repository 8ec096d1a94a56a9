package trace_test

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"maillab/sim/machine"
	"maillab/sim/pop3"
	"maillab/sim/smtp"
	"maillab/sim/trace"
)

// The masker reads the steps as the real machines label them, so these
// tests drive sim/smtp's and sim/pop3's servers with the client's lines and
// mask what they recorded.

const password = "s3cret-Pw"

var users = map[string]string{"alice": password}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// session runs one server machine through the client's lines, one line at a
// time, and returns its steps numbered as connection conn.
func session(t *testing.T, srv machine.Server, conn int, lines ...string) []trace.Step {
	t.Helper()
	evs := srv.Start(now)
	for _, l := range lines {
		evs = append(evs, srv.Feed(now, []byte(l+"\r\n"))...)
	}
	var steps []trace.Step
	for _, e := range evs {
		e.Step.Conn = conn
		steps = append(steps, e.Step)
	}
	return steps
}

func smtpSession(t *testing.T, conn int, lines ...string) []trace.Step {
	cfg := smtp.Config{Hostname: "mail.example.com", MyDestination: []string{"example.com"}, Users: users,
		Deliver: func(*smtp.Message) error { return nil }}
	return session(t, smtp.NewServer(cfg), conn, lines...)
}

func pop3Session(t *testing.T, conn int, lines ...string) []trace.Step {
	return session(t, pop3.NewServer(pop3.Config{Hostname: "pop.example.com", Users: users}), conn, lines...)
}

// clientLines are the lines of the client, as a transcript shows them.
func clientLines(steps []trace.Step) []string {
	var out []string
	for _, s := range steps {
		if (s.Kind == trace.Command || s.Kind == trace.Data) && !s.ByServer {
			out = append(out, s.Text)
		}
	}
	return out
}

// checkMasked masks the steps of a session and compares the client's lines
// with want; the server's steps, and the client's unmasked lines, must not
// change, and nothing of the password may be left.
func checkMasked(t *testing.T, steps []trace.Step, want ...string) {
	t.Helper()
	got := trace.MaskSecrets(steps)
	if lines := clientLines(got); !slices.Equal(lines, want) {
		t.Errorf("client lines:\n  %s\nwant:\n  %s", strings.Join(lines, "\n  "), strings.Join(want, "\n  "))
	}
	if len(got) != len(steps) {
		t.Fatalf("%d steps became %d", len(steps), len(got))
	}
	for i := range got {
		if got[i].Masked != (got[i].Text != steps[i].Text) {
			t.Errorf("step %d %q → %q: Masked %v", i, steps[i].Text, got[i].Text, got[i].Masked)
		}
		if g := got[i]; g.Masked {
			g.Text, g.Masked = steps[i].Text, false
			if g != steps[i] {
				t.Errorf("step %d: masking changed more than its text: %+v", i, got[i])
			}
		}
	}
	for _, s := range got {
		if strings.Contains(s.Text, password) || strings.Contains(s.Text, b64("\x00alice\x00"+password)) || strings.Contains(s.Text, b64(password)) {
			t.Errorf("the password is left in %q", s.Text)
		}
	}
}

func TestMaskAuthPlainInitialResponse(t *testing.T) {
	steps := smtpSession(t, 1, "EHLO pc.example.net", "AUTH PLAIN "+b64("\x00alice\x00"+password), "QUIT")
	checkMasked(t, steps, "EHLO pc.example.net", `AUTH PLAIN base64(\0alice\0••••••••)`, "QUIT")
	if !slices.ContainsFunc(steps, func(s trace.Step) bool { return s.Code == 235 }) {
		t.Error("the login itself failed: the test does not test a real login")
	}
	// The case of the line is the client's; an authzid is shown.
	checkMasked(t, smtpSession(t, 1, "EHLO x", "auth plain "+b64("alice\x00alice\x00"+password)),
		"EHLO x", `auth plain base64(alice\0alice\0••••••••)`)
	checkMasked(t, pop3Session(t, 1, "AUTH PLAIN "+b64("\x00alice\x00"+password)), `AUTH PLAIN base64(\0alice\0••••••••)`)
}

func TestMaskAuthPlainWithoutInitialResponse(t *testing.T) {
	// SMTP: "334 " (an empty challenge), then the response on its own line.
	steps := smtpSession(t, 1, "EHLO x", "AUTH PLAIN", b64("\x00alice\x00"+password), "NOOP")
	checkMasked(t, steps, "EHLO x", "AUTH PLAIN", `base64(\0alice\0••••••••)`, "NOOP")
	// POP3: "+ ", then the response.
	steps = pop3Session(t, 1, "AUTH PLAIN", b64("\x00alice\x00"+password), "STAT")
	checkMasked(t, steps, "AUTH PLAIN", `base64(\0alice\0••••••••)`, "STAT")
}

func TestMaskAuthLogin(t *testing.T) {
	// 334 VXNlcm5hbWU6 ("Username:"): the user name stays; 334 UGFzc3dvcmQ6
	// ("Password:"): the password goes.
	steps := smtpSession(t, 1, "EHLO x", "AUTH LOGIN", b64("alice"), b64(password), "MAIL FROM:<alice@example.com>")
	checkMasked(t, steps, "EHLO x", "AUTH LOGIN", b64("alice"), "base64(••••••••)", "MAIL FROM:<alice@example.com>")
}

func TestMaskAuthLoginInitialResponse(t *testing.T) {
	// smtplib's way: the user name as the initial response, then Password:.
	steps := smtpSession(t, 1, "EHLO x", "AUTH LOGIN "+b64("alice"), b64(password), "NOOP")
	checkMasked(t, steps, "EHLO x", "AUTH LOGIN "+b64("alice"), "base64(••••••••)", "NOOP")
}

func TestMaskPass(t *testing.T) {
	steps := pop3Session(t, 1, "USER alice", "PASS "+password, "STAT")
	checkMasked(t, steps, "USER alice", "PASS ••••••••", "STAT")
	steps = pop3Session(t, 1, "user alice", "pass wrong one", "USER alice", "PASS "+password)
	checkMasked(t, steps, "user alice", "pass ••••••••", "USER alice", "PASS ••••••••")
	// APOP sends a digest, not the password.
	apop := []trace.Step{{Kind: trace.Command, Proto: "pop3", Verb: "APOP", Text: "APOP alice c4c9334bac560ecc979e58001b3e22fb"}}
	if got := trace.MaskSecrets(apop); got[0] != apop[0] {
		t.Errorf("APOP: %+v", got[0])
	}
}

func TestMaskFailedAuthThenRetry(t *testing.T) {
	steps := smtpSession(t, 1, "EHLO x",
		"AUTH PLAIN "+b64("\x00alice\x00wrong"), // 535
		"AUTH LOGIN", b64("alice"), "*", // 501 cancelled at the password prompt
		"AUTH LOGIN", b64("alice"), "not base64 "+password, // 501 cannot decode
		"AUTH PLAIN", "@@"+password, // 501 cannot decode
		"AUTH LOGIN "+b64("alice"), b64(password), // 235
		"QUIT")
	checkMasked(t, steps, "EHLO x",
		`AUTH PLAIN base64(\0alice\0••••••••)`,
		"AUTH LOGIN", b64("alice"), "*",
		"AUTH LOGIN", b64("alice"), "••••••••",
		"AUTH PLAIN", "••••••••",
		"AUTH LOGIN "+b64("alice"), "base64(••••••••)",
		"QUIT")
	if !slices.ContainsFunc(steps, func(s trace.Step) bool { return s.Code == 235 }) {
		t.Error("the last login failed: the test does not test a real login")
	}
}

// Lines that only look like secrets stay as they are, and a trace without
// secrets comes back as it was given.
func TestMaskLeavesOtherLines(t *testing.T) {
	steps := smtpSession(t, 1, "EHLO x",
		"MAIL FROM:<PASS@example.com>", "RCPT TO:<alice@example.com>", "DATA",
		"Subject: PASS", "", "PASS "+password, "AUTH PLAIN "+b64("\x00alice\x00"+password), "334 ", ".",
		"AUTH", "AUTH PLAIN =", "AUTH LOGIN =", "QUIT")
	got := trace.MaskSecrets(steps)
	if &got[0] != &steps[0] {
		t.Error("a trace without secrets was copied")
	}
	for i := range got {
		if got[i] != steps[i] {
			t.Errorf("step %d %q became %q", i, steps[i].Text, got[i].Text)
		}
	}
	if trace.MaskSecrets(nil) != nil {
		t.Error("MaskSecrets(nil) is not nil")
	}
}

// On the event stream the steps of many sessions interleave: each session's
// exchange is followed on its own.
func TestSecretMaskerInterleavedSessions(t *testing.T) {
	a := smtpSession(t, 1, "EHLO a", "AUTH LOGIN", b64("alice"), b64(password), "QUIT")
	b := smtpSession(t, 2, "EHLO b", "AUTH PLAIN", b64("\x00alice\x00"+password), "QUIT")
	c := pop3Session(t, 3, "USER alice", "PASS "+password, "QUIT")
	// One step of each in turn, so each session's secret line comes while
	// another session waits on a prompt.
	var all []trace.Step
	for i := 0; i < max(len(a), len(b), len(c)); i++ {
		for _, s := range [][]trace.Step{a, b, c} {
			if i < len(s) {
				all = append(all, s[i])
			}
		}
	}
	var m trace.SecretMasker
	got := map[int][]trace.Step{}
	for _, s := range all {
		got[s.Conn] = append(got[s.Conn], m.Mask(s))
	}
	for conn, want := range map[int][]string{
		1: {"EHLO a", "AUTH LOGIN", b64("alice"), "base64(••••••••)", "QUIT"},
		2: {"EHLO b", "AUTH PLAIN", `base64(\0alice\0••••••••)`, "QUIT"},
		3: {"USER alice", "PASS ••••••••", "QUIT"},
	} {
		if lines := clientLines(got[conn]); !slices.Equal(lines, want) {
			t.Errorf("session %d: %q, want %q", conn, lines, want)
		}
	}
}

// A stream that starts in the middle of an exchange has not seen its
// challenge: the server's marks (the verb AUTH in the state AUTH) are
// enough to mask the line whole.
func TestSecretMaskerJoinedLate(t *testing.T) {
	steps := smtpSession(t, 7, "EHLO x", "AUTH LOGIN", b64("alice"), b64(password), "QUIT")
	i := slices.IndexFunc(steps, func(s trace.Step) bool { return s.Text == "334 VXNlcm5hbWU6" })
	if i < 0 {
		t.Fatal("no Username: prompt")
	}
	checkMasked(t, steps[i+1:], "••••••••", "••••••••", "QUIT")
	steps = pop3Session(t, 7, "AUTH PLAIN", b64("\x00alice\x00"+password), "QUIT")
	i = slices.IndexFunc(steps, func(s trace.Step) bool { return s.Status == "+" })
	checkMasked(t, steps[i+1:], "••••••••", "QUIT")
}

// Responses the masker cannot read as a PLAIN message lose all but their
// mechanism; nothing a masked line shows is ever valid base64.
func TestMaskOddResponses(t *testing.T) {
	auth := func(text string) trace.Step {
		return trace.Step{Kind: trace.Command, Proto: "smtp", Verb: "AUTH", ServerState: "READY", Text: text}
	}
	for _, c := range []struct{ in, want string }{
		{"AUTH PLAIN " + b64("alice\x00"+password), "AUTH PLAIN base64(••••••••)"},           // one NUL: no user to show
		{"AUTH PLAIN " + b64("\x00al\nice\x00"+password), "AUTH PLAIN base64(••••••••)"},     // a user name that would break the line
		{"AUTH PLAIN " + b64("\x00a\\0b\x00"+password), "AUTH PLAIN base64(••••••••)"},       // … or blur the \0
		{"AUTH PLAIN " + b64("\x00\xff\x00"+password), "AUTH PLAIN base64(••••••••)"},        // not UTF-8
		{"AUTH PLAIN " + b64("\x00ecila\u202e\x00"+password), "AUTH PLAIN base64(••••••••)"}, // a bidi override
		{"AUTH PLAIN " + b64("\x00爱丽丝\x00"+password), `AUTH PLAIN base64(\0爱丽丝\0••••••••)`},  // UTF-8 names stay
		{"AUTH PLAIN a b", "AUTH PLAIN ••••••••"},
		{"AUTH XOAUTH2 " + b64("user=alice\x01auth=Bearer "+password), "AUTH XOAUTH2 ••••••••"},
		{"AUTH\tPLAIN " + b64("\x00alice\x00"+password), `AUTH` + "\t" + `PLAIN base64(\0alice\0••••••••)`},
		{"PASS\t" + password, "PASS\t••••••••"},
		{"PASS " + password + " with spaces", "PASS ••••••••"},
		{"PASS", "PASS"},
		{"AUTH PLAIN", "AUTH PLAIN"},
	} {
		got := trace.MaskSecrets([]trace.Step{auth(c.in)})[0]
		if got.Text != c.want || got.Masked != (c.in != c.want) {
			t.Errorf("%q → %q (masked %v), want %q", c.in, got.Text, got.Masked, c.want)
		}
		for _, f := range strings.Fields(got.Text)[1:] {
			if _, err := base64.StdEncoding.DecodeString(f); err == nil && got.Masked {
				t.Errorf("%q shows valid base64 %q", got.Text, f)
			}
		}
	}
	// Masking twice changes nothing.
	once := trace.MaskSecrets(smtpSession(t, 1, "AUTH PLAIN "+b64("\x00alice\x00"+password)))
	if twice := trace.MaskSecrets(once); !slices.Equal(once, twice) {
		t.Errorf("masked twice:\n%v\n%v", once, twice)
	}
	// A challenge of a mechanism the masker does not know: the answer is masked.
	var m trace.SecretMasker
	m.Mask(trace.Step{Conn: 1, Kind: trace.Command, Text: "AUTH CRAM-MD5"})
	m.Mask(trace.Step{Conn: 1, Kind: trace.Reply, ByServer: true, Code: 334, Text: "334 PDQxOTI5NDIzNDEuMTI4Mjg0NzJAc291cmNlZm91ci5hbmRyZXcuY211LmVkdT4="})
	if got := m.Mask(trace.Step{Conn: 1, Kind: trace.Command, Text: b64("alice 0123456789abcdef")}); got.Text != "••••••••" {
		t.Errorf("CRAM-MD5 response: %q", got.Text)
	}
}
