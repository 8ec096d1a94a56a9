//go:build !js

package scenario_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"maillab/lessons"
	"maillab/sim/explain"
	"maillab/sim/scenario"
	"maillab/sim/trace"
)

// noteCorpus gathers every free-text step (note, state, store, wait, tls,
// close, and the connect header) the engine produces in the runs below.
type noteCorpus struct {
	where map[string]string   // text → the run it was first seen in
	names map[string][]string // text → actor names that appear in it (they stay as they are)
}

func (c *noteCorpus) addTrace(where string, tr *trace.Trace) {
	var actors []string
	for _, a := range tr.Actors {
		actors = append(actors, a.Name)
	}
	for _, st := range tr.Steps {
		var text string
		switch st.Kind {
		case trace.Note, trace.State, trace.Store, trace.Wait, trace.TLS, trace.Close:
			text = st.Text
		case trace.Connect:
			text = strings.TrimPrefix(st.TranscriptLine(), "# ")
		default:
			continue
		}
		if _, ok := c.where[text]; !ok {
			c.where[text] = where
		}
		for _, name := range append([]string{st.From, st.To}, actors...) {
			if name != "" && strings.Contains(text, name) && !slices.Contains(c.names[text], name) {
				c.names[text] = append(c.names[text], name)
			}
		}
	}
}

func (c *noteCorpus) run(t *testing.T, where, src string) {
	t.Helper()
	spec, err := scenario.Parse(where+".yaml", []byte(src))
	if err != nil {
		t.Fatalf("%s: %v\n%s", where, err, src)
	}
	tr, err := scenario.Run(spec)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	c.addTrace(where, tr)
}

// terminal types lines into a terminal, completing STARTTLS/STLS as the page does.
func (c *noteCorpus) terminal(t *testing.T, where string, spec *scenario.Spec, proto string, lines []string) {
	t.Helper()
	term, err := scenario.NewTerminal(spec, proto, "")
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	for _, line := range lines {
		if term.Closed() {
			break
		}
		steps := term.Type(line)
		verb, _, _ := strings.Cut(strings.ToUpper(strings.TrimSpace(line)), " ")
		if verb == "STARTTLS" || verb == "STLS" {
			for _, st := range steps {
				if st.Kind == trace.Reply && (st.Code == 220 || st.Status == "+OK") {
					term.TLSReady()
					break
				}
			}
		}
	}
	c.addTrace(where, term.Trace())
}

var (
	smtpProfiles = []string{"smtplib", "thunderbird", "mua", "curl", "telnet", "swaks", "mta"}
	pop3Profiles = []string{"poplib", "curl", "mua"}
)

// collectNotes runs the engine every way the lab does, and then some.
func collectNotes(t *testing.T) *noteCorpus {
	c := &noteCorpus{where: map[string]string{}, names: map[string][]string{}}

	// The golden scenarios.
	files, _ := filepath.Glob("testdata/*.yaml")
	if len(files) == 0 {
		t.Fatal("no scenarios in testdata")
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c.run(t, f, string(src))
	}

	// The lessons: their scenarios, their exercises untouched and solved,
	// and their transcripts typed into a terminal.
	course, _ := lessons.Load(lessons.Builtin)
	if course == nil || len(course.Lessons) == 0 {
		t.Fatal("no lessons")
	}
	def, err := scenario.Parse("default.yaml", []byte("servers:\n  mail.example.com: {mydestination: [example.com], users: {alice: secret, bob: secret}}\n"+
		"send:\n  - {from: alice@example.com, to: bob@example.com, subject: Hi, body: Hello.}\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range course.Lessons {
		for _, sc := range l.Scenarios {
			if sc.Spec == nil {
				continue
			}
			tr, err := scenario.Run(sc.Spec)
			if err != nil {
				t.Fatalf("%s %s: %v", l.File, sc.ID, err)
			}
			c.addTrace(l.File+" "+sc.ID, tr)
		}
		for _, e := range l.Exercises {
			if tr, err := l.Attempt(e, lessons.Solution{}); err == nil {
				c.addTrace(l.File+" "+e.ID+" (untouched)", tr)
			}
			if e.Solution != nil {
				tr, err := l.Attempt(e, *e.Solution)
				if err != nil {
					t.Fatalf("%s %s: %v", l.File, e.ID, err)
				}
				c.addTrace(l.File+" "+e.ID+" (solution)", tr)
			}
		}
		for i, tb := range l.Transcripts {
			var lines []string
			for _, dl := range tb.Lines {
				if dl.Client {
					lines = append(lines, dl.Text)
				}
			}
			proto := tb.Protocol
			if proto != "pop3" {
				proto = "smtp"
			}
			c.terminal(t, fmt.Sprintf("%s transcript %d", l.File, i+1), def, proto, lines)
		}
	}

	// The client profile matrix (matrix_test.go).
	for _, profile := range smtpProfiles {
		for _, auth := range []string{"off", "optional", "required"} {
			for _, tls := range []string{"off", "optional", "required"} {
				for _, creds := range []bool{false, true} {
					src := fmt.Sprintf("client: %s\nservers:\n  mail.example.com: {mydestination: [example.com], users: {alice: secret, bob: secret}, auth: %s, tls: %s}\n"+
						"send:\n  - from: alice@example.com\n    to: bob@example.com\n    subject: Matrix\n    body: Hello.\n", profile, auth, tls)
					if creds {
						src += "    auth: {user: alice, password: secret}\n"
					}
					c.run(t, "matrix "+profile+" "+auth+" "+tls, src)
				}
			}
		}
	}

	// SMTP faults at every point, for every profile, through a relay so that
	// the queue, retries and bounces run too.
	smtpWhens := []string{"connect", "EHLO*", "HELO*", "STARTTLS", "AUTH*", "MAIL FROM:*", "RCPT TO:*", "DATA", "end-of-data", "RSET", "QUIT"}
	smtpThens := []string{"drop", "timeout", "delay 30s", "delay 2m", "421 4.3.2 Service not available", "451 4.7.1 Try again later",
		"452 4.5.3 Too many recipients", "454 4.7.0 TLS not available", "500 5.5.1 Command unrecognized", "530 5.7.0 Must issue a STARTTLS command first",
		"535 5.7.8 Authentication failed", "550 5.1.1 User unknown", "552 5.3.4 Message too big", "554 5.7.1 Rejected"}
	for _, profile := range smtpProfiles {
		for _, when := range smtpWhens {
			for _, then := range smtpThens {
				for _, times := range []int{0, 1} {
					src := fmt.Sprintf("client: %s\nserver: mail.example.com\nservers:\n"+
						"  mail.example.com: {mydestination: [example.com], users: {alice: secret, bob: secret}}\n"+
						"  mx.example.org: {mydestination: [example.org], users: {bob: secret, carol: secret}}\n"+
						"dns:\n  example.org: mx.example.org\n"+
						"send:\n  - from: alice@example.com\n    to: [bob@example.org, carol@example.org, bob@example.com]\n    subject: Faults\n    body: Hello.\n    auth: {user: alice, password: secret}\n"+
						"faults:\n  - {when: %q, then: %q, times: %d}\n", profile, when, then, times)
					c.run(t, fmt.Sprintf("smtp fault %s %s → %s ×%d", profile, when, then, times), src)
				}
			}
		}
	}

	// POP3 faults at every point, for every profile and STLS mode.
	pop3Whens := []string{"connect", "CAPA", "STLS", "USER*", "PASS*", "AUTH*", "APOP*", "STAT", "LIST", "UIDL", "RETR*", "DELE*", "QUIT"}
	pop3Thens := []string{"drop", "timeout", "delay 30s", "-ERR [IN-USE] Mailbox is locked by another POP3 session.",
		"-ERR [AUTH] Authentication failed.", "-ERR [SYS/TEMP] Try again later", "-ERR Unknown command"}
	for _, profile := range pop3Profiles {
		for _, stls := range []string{"off", "optional", "required"} {
			for _, tlsMode := range []string{"off", "optional"} {
				for _, del := range []bool{false, true} {
					for _, when := range pop3Whens {
						for _, then := range pop3Thens {
							src := fmt.Sprintf("server: mx.example.org\nservers:\n  mx.example.org: {mydestination: [example.org], users: {bob: secret}, tls: %s}\n"+
								"send:\n  - {from: alice@example.org, to: bob@example.org, subject: One, body: First.}\n  - {from: alice@example.org, to: bob@example.org, subject: Two, body: Second.}\n"+
								"fetch: {server: mx.example.org, client: %s, user: bob, password: secret, delete: %v, stls: %s}\n"+
								"faults:\n  - {when: %q, then: %q, protocol: pop3}\n", tlsMode, profile, del, stls, when, then)
							c.run(t, fmt.Sprintf("pop3 fault %s stls=%s tls=%s del=%v %s → %s", profile, stls, tlsMode, del, when, then), src)
						}
					}
				}
			}
		}
	}

	// Situations the runs above do not reach.
	var many []string
	for i := 0; i < 102; i++ {
		many = append(many, fmt.Sprintf("u%d@example.org", i))
	}
	specials := map[string]string{
		// More recipients than the server takes: a second transaction (452).
		"452 second transaction": "client: mta\nserver: mx.example.org\nservers:\n  mx.example.org: {mydestination: [example.org]}\n" +
			"send:\n  - from: alice@example.com\n    to: [" + strings.Join(many, ", ") + "]\n    subject: Many\n    body: Hi.\n",
		// Deferred forever: the queue gives up after 5 days and bounces.
		"give up after 5 days": "server: mail.example.com\nservers:\n  mail.example.com: {mydestination: [example.com], users: {alice: secret}}\n" +
			"  mx.example.org: {mydestination: [example.org], users: {bob: secret}}\ndns:\n  example.org: mx.example.org\n" +
			"send:\n  - {from: alice@example.com, to: bob@example.org, subject: Hi, body: Hello.}\n" +
			"faults:\n  - {when: \"RCPT TO:*\", server: mx.example.org, then: \"451 4.3.0 Try again later\"}\n",
		// A bounce that has to travel to a remote sender.
		"remote bounce": "server: mail.example.com\nservers:\n  mail.example.com: {mydestination: [example.com], users: {alice: secret}}\n" +
			"  mx.example.org: {mydestination: [example.org], users: {bob: secret}}\n  mx.example.net: {mydestination: [example.net], users: {dan: secret}}\n" +
			"dns:\n  example.org: mx.example.org\n  example.net: mx.example.net\n" +
			"send:\n  - {from: dan@example.net, to: [bob@example.org, nobody@example.org], subject: Hi, body: Hello.}\n" +
			"faults:\n  - {when: \"RCPT TO:<nobody@*\", server: mx.example.org, then: \"550 5.1.1 User unknown\"}\n",
		// No MX and no such host.
		"no route": "servers:\n  mail.example.com: {mydestination: [example.com], users: {alice: secret}}\n" +
			"send:\n  - {from: alice@example.com, to: bob@nowhere.example, subject: Hi, body: Hello.}\n",
		// The final dot sent, then nothing.
		"dropped after the final dot": "client: mta\nservers:\n  mail.example.com: {mydestination: [example.com], users: {bob: secret}}\n" +
			"send:\n  - {from: alice@example.org, to: bob@example.com, subject: Hi, body: Hello.}\n" +
			"faults:\n  - {when: end-of-data, then: drop, times: 1}\n",
		// A message with an 8-bit body and header.
		"utf8": "fetch: {server: mail.example.com, client: mua, user: bob, password: secret}\n" +
			"servers:\n  mail.example.com: {mydestination: [example.com], users: {alice: secret, bob: secret}}\n" +
			"send:\n  - {from: alice@example.com, to: bob@example.com, subject: 你好, body: 你好。}\n",
	}
	for name, src := range specials {
		c.run(t, name, src)
	}

	// Terminal sessions: a person typing SMTP and POP3.
	mx, err := scenario.Parse("terminal.yaml", []byte("servers:\n  mail.example.com: {mydestination: [example.com], users: {alice: secret, bob: secret}}\n"+
		"  mx.example.org: {mydestination: [example.org], users: {carol: secret}}\ndns:\n  example.org: mx.example.org\n"+
		"send:\n  - {from: alice@example.com, to: bob@example.com, subject: One, body: First.}\n  - {from: alice@example.com, to: bob@example.com, subject: Two, body: Second.}\n"+
		"faults:\n  - {when: \"RCPT TO:<late@*\", then: delay 45s}\n  - {when: \"RCPT TO:<gone@*\", then: drop}\n  - {when: \"RCPT TO:<sleep@*\", then: timeout}\n"+
		"  - {when: \"LIST 2\", then: drop, protocol: pop3}\n  - {when: \"LIST 3\", then: delay 20s, protocol: pop3}\n  - {when: \"LIST 4\", then: timeout, protocol: pop3}\n"))
	if err != nil {
		t.Fatal(err)
	}
	smtpSessions := [][]string{
		{"EHLO pc", "MAIL FROM:<alice@example.com>", "RCPT TO:<bob@example.com>", "RCPT TO:<carol@example.org>", "DATA", "Subject: x", "", "hi", ".", "QUIT"},
		{"EHLO pc", "STARTTLS", "EHLO pc", "AUTH PLAIN AGFsaWNlAHNlY3JldA==", "MAIL FROM:<alice@example.com>", "RCPT TO:<nobody@example.org>", "DATA", "hi", ".", "QUIT"},
		{"HELO pc", "MAIL FROM:<alice@example.com>", "RCPT TO:<late@example.com>", "RCPT TO:<gone@example.com>"},
		{"HELO pc", "MAIL FROM:<alice@example.com>", "RCPT TO:<sleep@example.com>", "QUIT"},
		{"HELO pc", "BDAT 5 LAST", "QUIT"},
	}
	for i, lines := range smtpSessions {
		c.terminal(t, fmt.Sprintf("smtp terminal %d", i+1), mx, "smtp", lines)
	}
	pop3Sessions := [][]string{
		{"CAPA", "USER bob", "PASS secret", "STAT", "LIST", "UIDL", "RETR 1", "TOP 2 0", "DELE 1", "DELE 2", "QUIT"},
		{"STLS", "CAPA", "UTF8", "USER bob", "PASS secret", "DELE 1", "LIST 2"},
		{"USER bob", "PASS secret", "DELE 1", "LIST 3", "RSET", "DELE 2", "LIST 4", "NOOP"},
		{"USER bob", "PASS wrong", "USER bob", "PASS secret", "QUIT"},
	}
	for i, lines := range pop3Sessions {
		c.terminal(t, fmt.Sprintf("pop3 terminal %d", i+1), mx, "pop3", lines)
	}
	return c
}

// TestNotesInChinese: every free-text step the engine produces has a
// Chinese rendering (explain.Note) that is really Chinese: it differs from
// the English, has CJK characters, and keeps no English words once the
// things that stay as they are (addresses, hosts, reply lines, commands,
// states, program and exception names, RFC sections) are taken out.
func TestNotesInChinese(t *testing.T) {
	c := collectNotes(t)
	var texts []string
	for k := range c.where {
		texts = append(texts, k)
	}
	sort.Strings(texts)
	if out := os.Getenv("MAILLAB_NOTES_DUMP"); out != "" {
		var b strings.Builder
		for _, k := range texts {
			b.WriteString(k + "\t" + explain.Note("zh", k) + "\n")
		}
		if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The runs reach the situations they were written for.
	for _, want := range []string{
		"a second transaction for the recipients",         // 452, RFC 5321 §4.5.3.1.10
		"has been in the queue for 5 days",                // give up
		"failed permanently: the server sends a bounce",   // DSN
		"it is not bounced again",                         // a bounce that fails
		"the final dot was sent but no verdict came",      // dropped after the final dot
		"the maildrop is locked by another session",       // [IN-USE]
		"the client starts the TLS handshake",             // STLS
		"TLS handshake done",                              // STARTTLS
		"the server waits 30s before answering",           // delay
		"the server stops answering",                      // timeout
		"the server drops the connection without a reply", // drop
		"waits in the queue for 30 min",                   // retry
		"UPDATE: removed",                                 // POP3 UPDATE
		"connection 1: you (telnet)",                      // the terminal
	} {
		found := false
		for _, en := range texts {
			if strings.Contains(en, want) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no run produced a text with %q", want)
		}
	}

	bad := 0
	for _, en := range texts {
		if got := explain.Note("en", en); got != en {
			t.Errorf("Note(en, %q) = %q, want the text itself", en, got)
		}
		zh := explain.Note("zh", en)
		var why string
		switch {
		case zh == en:
			why = "not translated"
		case !hasCJK(zh):
			why = "no Chinese in it"
		default:
			if w := englishLeft(en, zh, c.names[en]); w != "" {
				why = fmt.Sprintf("English left: %q", w)
			}
		}
		if why != "" {
			bad++
			if bad <= 40 {
				t.Errorf("%s\n  en: %s\n  zh: %s\n  (from %s)", why, en, zh, c.where[en])
			}
		}
	}
	if bad > 40 {
		t.Errorf("… and %d more", bad-40)
	}
	t.Logf("%d distinct texts checked", len(texts))
}

func hasCJK(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// What stays as it is in a Chinese note, taken out before looking for
// English words, in this order.
var keptAsIs = []*regexp.Regexp{
	regexp.MustCompile(`'[^']*'`),                                    // quoted program output: error_proto('-ERR …')
	regexp.MustCompile(`（[2-5]\d\d(?:[ -][^（）]*)?）`),                 // a reply line in full-width parentheses
	regexp.MustCompile(`（[+-](?:OK|ERR)\b[^（）]*）`),                   // a POP3 status line in them
	regexp.MustCompile(`<[^<>]*>`),                                   // addresses
	regexp.MustCompile(`\b[a-z][a-z0-9+.-]*://\S*`),                  // URLs: pop3://host/1
	regexp.MustCompile(`[\w.+-]+@[\w.-]+`),                           // bare addresses
	regexp.MustCompile(`[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+`),        // host names, uids, versions
	regexp.MustCompile(`RFC \d+(?: §[0-9.]+)?`),                      // RFC sections
	regexp.MustCompile(`--?[A-Za-z][\w-]*`),                          // command-line options: --ssl-reqd, -X
	regexp.MustCompile(`\b\w+\(\)`),                                  // function calls: quit(), stls()
	regexp.MustCompile(`\b\w*_\w*\b`),                                // identifiers: error_proto
	regexp.MustCompile(`\b(?:[A-Z]\w*[a-z][A-Z]|[A-Z]{2,}[a-z])\w*`), // CamelCase: TimeoutError, SMTPDataError
	regexp.MustCompile(`\b[A-Z][A-Z0-9/_-]*[A-Z0-9]\b`),              // upper case: commands, states, TLS
	regexp.MustCompile(`\b(?:smtplib|poplib|curl|swaks-pipeline|swaks|telnet|[Tt]hunderbird|mta|mua|smtp|pop3)\b`), // programs, protocols
}

// englishLeft returns an English word left in zh, or "".
func englishLeft(en, zh string, names []string) string {
	// Actor names ("alice (smtplib)") and user names ("bob's maildrop")
	// the English text carries stay as they are.
	for _, n := range names {
		zh = strings.ReplaceAll(zh, n, " ")
	}
	for _, m := range regexp.MustCompile(`([A-Za-z0-9._-]+)'s (?:maildrop|Maildir)`).FindAllStringSubmatch(en, -1) {
		zh = regexp.MustCompile(`\b`+regexp.QuoteMeta(m[1])+`\b`).ReplaceAllString(zh, " ")
	}
	for _, re := range keptAsIs {
		zh = re.ReplaceAllString(zh, " ")
	}
	for _, w := range regexp.MustCompile(`[A-Za-z]+`).FindAllString(zh, -1) {
		if len(w) >= 3 {
			return w
		}
	}
	return ""
}

// The check finds English prose and lets pass what stays as it is.
func TestEnglishLeft(t *testing.T) {
	for _, x := range []struct {
		en, zh string
		names  []string
		left   string
	}{
		{"", "服务器 closes 连接", nil, "closes"},
		{"", "the server waits 30 秒", nil, "the"},
		{"", "<x@example.org>：没有发出（the connection dropped）；用户需要稍后重新发送", nil, "the"},
		{"", "<x@example.org>：被拒绝（550 5.1.1 <x@example.org>: User unknown）；不需要退信", nil, ""},
		{"", "smtplib：smtplib 抛出 SMTPDataError 异常；脚本捕获该异常并调用 quit()", nil, ""},
		{"", "poplib 抛出 error_proto('-ERR [IN-USE] Mailbox is locked') 异常", nil, ""},
		{"", "客户端状态：HELLO → STARTTLS（RFC 3207 §4.2）", nil, ""},
		{"", "[00:00:00] 连接 1：you (telnet) → mail.example.com POP3（pop3）", nil, "you"},
		{"", "[00:00:00] 连接 1：you (telnet) → mail.example.com POP3（pop3）", []string{"you (telnet)"}, ""},
		{"mx.example.org: delivered to carol's maildrop (carol@example.org)", "mx.example.org：已投递到 carol 的邮箱（carol@example.org）", nil, ""},
		{"mx.example.org: delivered to carol's maildrop (carol@example.org)", "mx.example.org：已投递到 carol 的 mailbox", nil, "mailbox"},
	} {
		if got := englishLeft(x.en, x.zh, x.names); got != x.left {
			t.Errorf("englishLeft(%q) = %q, want %q", x.zh, got, x.left)
		}
	}
}
