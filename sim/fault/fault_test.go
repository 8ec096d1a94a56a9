package fault

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMatchesIsCaseInsensitiveWithWildcardsAndParameters(t *testing.T) {
	cases := []struct {
		when, line string
		want       bool
	}{
		{"RCPT TO:<nobody@example.com>", "rcpt TO:<nobody@example.com>", true},
		{"RCPT TO:<nobody@example.com>", "RCPT TO:<nobody@example.com> NOTIFY=NEVER", true},
		{"RCPT TO:<nobody@example.com>", "RCPT TO:<nobody@example.com.evil>", false},
		{"RCPT TO:*", "rcpt TO:<bob@example.org>", true},
		{"MAIL FROM:*", "MAIL FROM:<> SIZE=10", true},
		{"RETR *", "RETR 1", true},
		{"RETR *", "RETR", false},
		{"*@example.org>", "RCPT TO:<bob@example.org>", true},
		{"connect", "connect", true},
		{"connect", "CONNECT x", false},
		{"*", "connect", false}, // a wildcard never matches the greeting or end of data by accident
		{"end-of-data", "end-of-data", true},
		{"DATA", "data", true},
	}
	for _, c := range cases {
		if got := (Rule{When: c.when}).Matches(c.line); got != c.want {
			t.Errorf("%q matches %q = %v, want %v", c.when, c.line, got, c.want)
		}
	}
}

func TestNthAndTimes(t *testing.T) {
	rs, err := New([]Rule{
		{When: "RCPT TO:*", Then: "451 4.7.1 Greylisted", Times: 1},
		{When: "MAIL FROM:*", Then: "550 5.7.1 no", Nth: 2},
	})
	if err != nil {
		t.Fatal(err)
	}
	if o := rs.Check("smtp", "mx", "RCPT TO:<a@b>"); o == nil || o.Reply != "451 4.7.1 Greylisted" || !strings.HasPrefix(o.Rule, "fault 1:") {
		t.Fatalf("first RCPT: %+v", o)
	}
	if o := rs.Check("smtp", "mx", "RCPT TO:<a@b>"); o != nil {
		t.Fatalf("times: 1 fired twice: %+v", o)
	}
	if o := rs.Check("smtp", "mx", "MAIL FROM:<a@b>"); o != nil {
		t.Fatal("nth: 2 fired on the first match")
	}
	if o := rs.Check("smtp", "mx", "MAIL FROM:<a@b>"); o == nil {
		t.Fatal("nth: 2 did not fire on the second match")
	}
	if o := rs.Check("smtp", "mx", "MAIL FROM:<a@b>"); o != nil {
		t.Fatal("nth: 2 fired on the third match")
	}
}

func TestServerAndProtocolScope(t *testing.T) {
	rs, _ := New([]Rule{
		{When: "QUIT", Then: "drop", Server: "mx.example.org", Protocol: "pop3"},
		{When: "RETR *", Then: "-ERR [SYS/TEMP] try later"},
	})
	if o := rs.Check("smtp", "mx.example.org", "QUIT"); o != nil {
		t.Fatal("a pop3 rule fired for smtp")
	}
	if o := rs.Check("pop3", "other.example", "QUIT"); o != nil {
		t.Fatal("a rule for one server fired at another")
	}
	if o := rs.Check("pop3", "MX.example.org", "quit"); o == nil || o.Kind != Drop {
		t.Fatalf("drop: %+v", o)
	}
	if o := rs.Check("pop3", "any", "RETR 2"); o == nil || o.Kind != Reply {
		t.Fatal("-ERR implies pop3")
	}
}

func TestThenForms(t *testing.T) {
	good := map[string]Kind{"drop": Drop, "timeout": Timeout, "delay 30s": Delay, "DELAY 5m": Delay, "550 5.1.1 User unknown": Reply, "421": Reply}
	for then, kind := range good {
		r := Rule{When: "x", Then: then}
		if err := r.Validate(); err != nil {
			t.Errorf("%q: %v", then, err)
			continue
		}
		if r.outcome().Kind != kind {
			t.Errorf("%q: kind %v", then, r.outcome().Kind)
		}
	}
	if (Rule{When: "x", Then: "delay 30s"}).outcome().Delay != 30*time.Second {
		t.Error("delay duration")
	}
	bad := map[string]string{
		"250 Ok":                   "must start with 4",
		"550 4.1.1 mixed":          "same class",
		"hello":                    "want a reply line",
		"delay soon":               "positive duration",
		"5xx":                      "want a reply line",
		"599 5.0.0 second digit 9": "second digit",
	}
	for then, msg := range bad {
		err := (Rule{When: "x", Then: then}).Validate()
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: error %v, want one saying %q", then, err, msg)
		}
	}
	if err := (Rule{When: "x", Then: "+OK", Protocol: "pop3"}).Validate(); err == nil {
		t.Error("a POP3 fault must be -ERR")
	}
	if err := (Rule{When: "DATA", Then: "550 5.7.1 no\r\n250 2.0.0 forged"}).Validate(); err == nil {
		t.Error("a reply with CR LF in it was accepted")
	}
	if err := (Rule{When: " ", Then: "drop"}).Validate(); err == nil {
		t.Error("empty when accepted")
	}
}

func TestAddAndRemove(t *testing.T) {
	rs, _ := New(nil)
	if err := rs.Add(Rule{When: "DATA", Then: "451 4.3.0 later"}); err != nil {
		t.Fatal(err)
	}
	if rs.Add(Rule{When: "DATA", Then: "nonsense"}) == nil {
		t.Fatal("an invalid rule was added")
	}
	if len(rs.List()) != 1 || rs.Check("smtp", "h", "DATA") == nil {
		t.Fatal("added rule not active")
	}
	if !rs.Remove(0) || rs.Remove(0) || rs.Check("smtp", "h", "DATA") != nil {
		t.Fatal("remove")
	}
	var none *Rules
	if none.Check("smtp", "h", "DATA") != nil {
		t.Fatal("a nil injector injected")
	}
}

// A rule keeps its number when rules before it go: removing by number
// removes that rule or nothing, never the one that moved into its place,
// and the trace names the rule by the same number the list shows.
func TestRuleNumbersAreStable(t *testing.T) {
	rs, _ := New([]Rule{{When: "NOOP", Then: "451 4.3.0 one"}, {When: "RSET", Then: "451 4.3.0 two"}})
	rs.Add(Rule{When: "VRFY *", Then: "451 4.3.0 three", Times: 1})
	ids := func() []int {
		var out []int
		for _, e := range rs.Entries() {
			out = append(out, e.ID)
		}
		return out
	}
	if got := ids(); !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("numbers %v, want 1 2 3", got)
	}
	if !rs.RemoveID(1) {
		t.Fatal("rule 1 not removed")
	}
	if rs.RemoveID(1) {
		t.Error("rule 1 removed twice: a second click took the rule that moved up")
	}
	rs.Add(Rule{When: "HELP", Then: "451 4.3.0 four"})
	if got := ids(); !slices.Equal(got, []int{2, 3, 4}) {
		t.Fatalf("numbers %v after removing 1 and adding one, want 2 3 4", got)
	}
	if o := rs.Check("smtp", "h", "VRFY bob"); o == nil || !strings.HasPrefix(o.Rule, "fault 3: ") {
		t.Errorf("VRFY fired as %+v, want fault 3", o)
	}
	if o := rs.Check("smtp", "h", "VRFY bob"); o != nil {
		t.Errorf("times: 1 rule fired twice: %+v", o)
	}
	for _, e := range rs.Entries() {
		want := 0
		if e.ID == 3 {
			want = 1
		}
		if e.Fired != want {
			t.Errorf("rule %d fired %d times, want %d", e.ID, e.Fired, want)
		}
		if e.ID == 3 && e.Seen != 2 {
			t.Errorf("rule 3 saw %d matching lines, want 2", e.Seen)
		}
	}
}

// A rule for one user fires on that user's lines only, and other users'
// lines do not count towards its nth.
func TestRuleForOneUser(t *testing.T) {
	rs, err := New([]Rule{{When: "PASS", Then: "-ERR [AUTH] Authentication failed.", User: "Bob", Nth: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"", "alice"} {
		if o := rs.CheckAs("pop3", "mx", user, "PASS secret"); o != nil {
			t.Errorf("fired for user %q", user)
		}
	}
	o := rs.CheckAs("pop3", "mx", "bob", "PASS secret")
	if o == nil || o.Rule != "fault 1: PASS (user Bob) → -ERR [AUTH] Authentication failed." {
		t.Fatalf("bob's PASS: %+v", o)
	}
	if err := (Rule{When: "PASS", Then: "-ERR no", User: "bob\r\n+OK"}).Validate(); err == nil {
		t.Error("a user with CR LF was accepted")
	}
}

func TestLineUser(t *testing.T) {
	for line, want := range map[string]string{
		"USER bob":                        "bob",
		"user Bob":                        "Bob",
		"AUTH PLAIN AGFsaWNlAHNlY3JldA==": "alice", // \0alice\0secret
		"AUTH PLAIN YWRtaW4AYWxpY2UAc2Vj": "alice", // admin\0alice\0sec: the authentication identity
		"AUTH PLAIN not-base64":           "",
		"AUTH LOGIN":                      "",
		"PASS secret":                     "",
		"RCPT TO:<bob@example.org>":       "",
	} {
		if got := LineUser(line); got != want {
			t.Errorf("LineUser(%q) = %q, want %q", line, got, want)
		}
	}
}
