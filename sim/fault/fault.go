// Package fault holds the failure-injection rules: "when this line arrives at
// this server, answer that instead" (or drop the connection, stop answering,
// or wait). A server machine asks its Injector before acting on each command,
// at connect (for the greeting) and at the end of data; the rules keep their
// own counts so that "times: 1" greylists only the first attempt, across
// connections and retries.
package fault

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kind is what a fired rule does.
type Kind int

const (
	Reply   Kind = iota // answer with Outcome.Reply instead of the real reply
	Drop                // close the connection without a reply
	Timeout             // never answer: the client's timer runs out
	Delay               // wait Outcome.Delay, then answer normally
)

// Special "when" values that are not command lines.
const (
	Connect   = "connect"     // the greeting
	EndOfData = "end-of-data" // the reply to the final "." of DATA (or to BDAT … LAST)
)

// Rule is one "when → then" entry of a scenario's faults list.
type Rule struct {
	When     string // a command line pattern (case-insensitive, * wildcard), Connect or EndOfData
	Then     string // a reply line, "drop", "timeout" or "delay 30s"
	Server   string // only this server applies it; "" = every server
	Protocol string // "smtp" or "pop3"; "" = smtp, or pop3 when Then starts with "-ERR"
	Nth      int    // fire only on the nth matching line (1-based); 0 = every match
	Times    int    // fire at most this many times; 0 = no limit
	// User limits the rule to sessions of this user: the name given with
	// USER, in AUTH PLAIN's first response, or logged in with (case-
	// insensitive). "" = every session. A rule made from a line whose
	// password the live view masks names the user this way, so that "fail
	// bob's next login" does not fail the next student's instead.
	User string
}

// Outcome says what to do instead of the normal behaviour.
type Outcome struct {
	Kind  Kind
	Reply string        // for Reply: the whole reply line ("550 5.1.1 …", "-ERR …")
	Delay time.Duration // for Delay
	Rule  string        // how the trace names the rule: `fault 2: RCPT TO:* → 451 4.7.1 …`
}

// Injector is what a server machine consults. A nil Injector injects nothing.
type Injector interface {
	// CheckAs is asked with the protocol ("smtp", "pop3"), the server's
	// host name, the user the session has named so far ("" before any; a
	// line that names one itself, USER or AUTH PLAIN, is read by the rules
	// that need it) and the line (or Connect / EndOfData). nil means
	// "behave normally".
	CheckAs(proto, server, user, line string) *Outcome
}

// Rules is an Injector over a list of rules, tried in order; the first rule
// that matches and still has shots left fires. It is safe for concurrent use
// (native mode shares one list among all live sessions).
type Rules struct {
	mu     sync.Mutex
	rules  []Rule
	ids    []int // each rule's number for good (Entry.ID)
	seen   []int // matching lines seen per rule (for Nth)
	fired  []int // times fired per rule (for Times)
	nextID int
}

// Entry is a rule with its number and what it has done so far.
type Entry struct {
	Rule
	// ID is the rule's number: its place in the list it was made with,
	// then the next number for each rule added. It stays with the rule
	// when rules before it are removed, so that "remove rule 3" from two
	// teachers at once cannot remove the wrong one; the trace names a
	// rule by it ("fault 3: …").
	ID    int
	Seen  int // matching lines seen
	Fired int // times it changed the dialogue
}

// New validates the rules and returns an Injector over them.
func New(rules []Rule) (*Rules, error) {
	for i, r := range rules {
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("fault %d: %w", i+1, err)
		}
	}
	ids := make([]int, len(rules))
	for i := range ids {
		ids[i] = i + 1
	}
	return &Rules{rules: rules, ids: ids, seen: make([]int, len(rules)), fired: make([]int, len(rules)), nextID: len(rules) + 1}, nil
}

// Entries lists the rules with their numbers and counts.
func (rs *Rules) Entries() []Entry {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	out := make([]Entry, len(rs.rules))
	for i, r := range rs.rules {
		out[i] = Entry{Rule: r, ID: rs.ids[i], Seen: rs.seen[i], Fired: rs.fired[i]}
	}
	return out
}

// List returns a copy of the rules.
func (rs *Rules) List() []Rule {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]Rule(nil), rs.rules...)
}

// Add appends a rule (native mode's fault panel).
func (rs *Rules) Add(r Rule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.nextID == 0 {
		rs.nextID = len(rs.rules) + 1
	}
	rs.rules = append(rs.rules, r)
	rs.ids = append(rs.ids, rs.nextID)
	rs.seen = append(rs.seen, 0)
	rs.fired = append(rs.fired, 0)
	rs.nextID++
	return nil
}

// Remove deletes rule i (0-based).
func (rs *Rules) Remove(i int) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.removeLocked(i)
}

// RemoveID deletes the rule numbered id (Entry.ID); false if there is none
// (never was, or removed already).
func (rs *Rules) RemoveID(id int) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for i, x := range rs.ids {
		if x == id {
			return rs.removeLocked(i)
		}
	}
	return false
}

func (rs *Rules) removeLocked(i int) bool {
	if i < 0 || i >= len(rs.rules) {
		return false
	}
	rs.rules = append(rs.rules[:i:i], rs.rules[i+1:]...)
	rs.ids = append(rs.ids[:i:i], rs.ids[i+1:]...)
	rs.seen = append(rs.seen[:i:i], rs.seen[i+1:]...)
	rs.fired = append(rs.fired[:i:i], rs.fired[i+1:]...)
	return true
}

// Check is CheckAs for a session that has named no user.
func (rs *Rules) Check(proto, server, line string) *Outcome {
	return rs.CheckAs(proto, server, "", line)
}

// CheckAs implements Injector.
func (rs *Rules) CheckAs(proto, server, user, line string) *Outcome {
	if rs == nil {
		return nil
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for i, r := range rs.rules {
		if r.proto() != proto || (r.Server != "" && !strings.EqualFold(r.Server, server)) || !r.Matches(line) {
			continue
		}
		if r.User != "" {
			if user == "" {
				user = LineUser(line) // only now: most rules name no user
			}
			if !strings.EqualFold(r.User, user) {
				continue
			}
		}
		rs.seen[i]++
		if r.Nth > 0 && rs.seen[i] != r.Nth {
			continue
		}
		if r.Times > 0 && rs.fired[i] >= r.Times {
			continue
		}
		rs.fired[i]++
		o := r.outcome()
		o.Rule = "fault " + strconv.Itoa(rs.ids[i]) + ": " + r.When + r.userLabel() + " → " + r.Then
		return &o
	}
	return nil
}

// LineUser is the user a command line itself names: POP3's "USER bob", or
// the authentication identity in an "AUTH PLAIN <base64>" initial response
// (RFC 4616 §2: [authzid] NUL authcid NUL passwd). "" for any other line.
// The machines use it for Rule.User before the session has a user.
func LineUser(line string) string {
	f := strings.Fields(line)
	switch {
	case len(f) == 2 && strings.EqualFold(f[0], "USER"):
		return f[1]
	case len(f) == 3 && strings.EqualFold(f[0], "AUTH") && strings.EqualFold(f[1], "PLAIN"):
		raw, err := base64.StdEncoding.DecodeString(f[2])
		if parts := strings.Split(string(raw), "\x00"); err == nil && len(parts) == 3 {
			return parts[1]
		}
	}
	return ""
}

// userLabel is how a rule's user shows in its name: " (user bob)".
func (r Rule) userLabel() string {
	if r.User == "" {
		return ""
	}
	return " (user " + r.User + ")"
}

func (r Rule) proto() string {
	if r.Protocol != "" {
		return strings.ToLower(r.Protocol)
	}
	if strings.HasPrefix(r.Then, "-ERR") {
		return "pop3"
	}
	return "smtp"
}

// Validate checks the rule's shape; the error says what is wrong.
func (r Rule) Validate() error {
	for _, f := range []string{r.When, r.Then, r.Server, r.Protocol, r.User} {
		if strings.IndexFunc(f, func(c rune) bool { return c < 0x20 || c == 0x7f }) >= 0 {
			// A CR or LF in a rule would let it forge extra reply lines.
			return fmt.Errorf("a rule must not contain control characters such as CR or LF")
		}
	}
	if strings.TrimSpace(r.When) == "" {
		return fmt.Errorf("when is empty: give a command line such as \"RCPT TO:<bob@example.com>\", or connect, or end-of-data")
	}
	switch r.proto() {
	case "smtp", "pop3":
	default:
		return fmt.Errorf("protocol %q: want smtp or pop3", r.Protocol)
	}
	if r.Nth < 0 || r.Times < 0 {
		return fmt.Errorf("nth and times must not be negative")
	}
	_, err := parseThen(r.Then, r.proto())
	return err
}

func (r Rule) outcome() Outcome {
	o, _ := parseThen(r.Then, r.proto())
	return o
}

// parseThen reads a rule's "then": a reply line, drop, timeout or delay <duration>.
func parseThen(then, proto string) (Outcome, error) {
	t := strings.TrimSpace(then)
	low := strings.ToLower(t)
	switch {
	case low == "drop":
		return Outcome{Kind: Drop}, nil
	case low == "timeout":
		return Outcome{Kind: Timeout}, nil
	case strings.HasPrefix(low, "delay"):
		d, err := time.ParseDuration(strings.TrimSpace(t[len("delay"):]))
		if err != nil || d <= 0 {
			return Outcome{}, fmt.Errorf("then %q: delay needs a positive duration such as \"delay 30s\" or \"delay 5m\"", then)
		}
		return Outcome{Kind: Delay, Delay: d}, nil
	}
	if proto == "pop3" {
		if !strings.HasPrefix(t, "-ERR") {
			return Outcome{}, fmt.Errorf("then %q: a POP3 fault reply must start with -ERR (or be drop, timeout, delay 30s)", then)
		}
		return Outcome{Kind: Reply, Reply: t}, nil
	}
	if err := checkSMTPReply(t); err != nil {
		return Outcome{}, fmt.Errorf("then %q: %v", then, err)
	}
	return Outcome{Kind: Reply, Reply: t}, nil
}

// checkSMTPReply accepts a 4xx or 5xx reply line with an optional enhanced
// status code whose class agrees with the first digit (RFC 2034 §4).
func checkSMTPReply(t string) error {
	if len(t) < 3 || !isDigits(t[:3]) || (len(t) > 3 && t[3] != ' ') {
		return fmt.Errorf("want a reply line such as \"550 5.1.1 User unknown\", or drop, timeout, delay 30s")
	}
	if t[0] != '4' && t[0] != '5' {
		return fmt.Errorf("a fault must be a failure: the code must start with 4 (temporary) or 5 (permanent)")
	}
	if t[1] > '5' {
		return fmt.Errorf("the second digit of a reply code is 0–5 (RFC 5321 §4.2.1)")
	}
	rest := strings.TrimSpace(t[3:])
	if f := strings.Fields(rest); len(f) > 0 && strings.Count(f[0], ".") == 2 && f[0][0] >= '0' && f[0][0] <= '9' {
		if f[0][0] != t[0] {
			return fmt.Errorf("enhanced status code %s must have the same class as reply %s (RFC 2034 §4)", f[0], t[:3])
		}
	}
	return nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Matches reports whether a line fits the rule's pattern: case-insensitive,
// "*" matches any run of characters. A pattern without a wildcard also
// matches the same line followed by parameters ("RCPT TO:<b@x>" matches
// "rcpt TO:<b@x> NOTIFY=NEVER").
func (r Rule) Matches(line string) bool {
	p := strings.ToLower(strings.TrimSpace(r.When))
	l := strings.ToLower(line)
	if p == Connect || p == EndOfData {
		return l == p
	}
	if l == Connect || l == EndOfData {
		return false
	}
	if glob(p, l) {
		return true
	}
	if !strings.Contains(p, "*") {
		return strings.HasPrefix(l, p+" ")
	}
	return false
}

// glob matches s against pattern p where '*' is any run of bytes.
func glob(p, s string) bool {
	for len(p) > 0 {
		star := strings.IndexByte(p, '*')
		if star < 0 {
			return p == s
		}
		if !strings.HasPrefix(s, p[:star]) {
			return false
		}
		s = s[star:]
		p = p[star+1:]
		if p == "" {
			return true
		}
		for i := 0; i <= len(s); i++ {
			if glob(p, s[i:]) {
				return true
			}
		}
		return false
	}
	return s == ""
}
