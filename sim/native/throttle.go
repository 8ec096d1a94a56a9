//go:build !js

package native

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"maillab/sim/fault"
	"maillab/sim/machine"
	"maillab/sim/trace"
)

// ThrottleConfig sets how a Throttle treats an address that keeps failing
// to log in. Zero fields take the defaults documented on each.
type ThrottleConfig struct {
	// Free is how many failed logins from one address are answered without
	// a pause. 0 = 3: a person who mistypes a password is not slowed down.
	Free int
	// Pause is added before the answer to each failure beyond Free: the
	// first one waits Pause, the next 2×Pause and so on, up to MaxPause.
	// Dovecot waits auth_failure_delay (2s) before every failure. 0 = 1s.
	Pause    time.Duration
	MaxPause time.Duration // 0 = 5s
	// Refuse is the number of failures within Window after which the
	// address may not try again until Window has passed since its last
	// failure: SMTP AUTH gets "421 4.7.0" and the connection is closed,
	// POP3 PASS, APOP and AUTH get "-ERR [LOGIN-DELAY]" (RFC 2449 §8.1.1).
	// 0 = 10; negative = never refuse.
	Refuse int
	// Window is how long a failure is remembered, and so how long a refused
	// address waits. 0 = 15 minutes.
	Window time.Duration
	// Now is the clock; nil = time.Now. Tests pass a clock of their own.
	Now func() time.Time
}

func (c ThrottleConfig) withDefaults() ThrottleConfig {
	if c.Free <= 0 {
		c.Free = 3
	}
	if c.Pause <= 0 {
		c.Pause = time.Second
	}
	if c.MaxPause <= 0 {
		c.MaxPause = 5 * time.Second
	}
	if c.Refuse == 0 {
		c.Refuse = 10
	}
	if c.Window <= 0 {
		c.Window = 15 * time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// maxTracked bounds the addresses a Throttle remembers, so that failures
// from very many addresses cannot grow the server's memory without limit.
const maxTracked = 100000

// Throttle counts failed logins per client IP address, across SMTP AUTH
// and POP3 (the same passwords open both), and slows down then refuses an
// address that keeps failing, as Postfix's anvil and Dovecot's
// auth_failure_delay and auth-penalty do. It counts per address, not per
// user: an attacker who guesses alice's password from one address does not
// lock alice out from her own, and other addresses are not touched. It is
// safe for concurrent use; one Throttle serves every listener of a Lab.
type Throttle struct {
	cfg ThrottleConfig

	mu    sync.Mutex
	addrs map[string]*failures
}

// failures is what a Throttle knows about one address.
type failures struct {
	n    int       // failures since the count was last reset
	last time.Time // the latest one
}

// NewThrottle returns a throttle with cfg (unset fields take defaults).
func NewThrottle(cfg ThrottleConfig) *Throttle {
	return &Throttle{cfg: cfg.withDefaults(), addrs: map[string]*failures{}}
}

// entry returns the live record of ip, forgetting one whose last failure is
// older than Window. The caller holds t.mu.
func (t *Throttle) entry(ip string, now time.Time) *failures {
	f := t.addrs[ip]
	if f != nil && now.Sub(f.last) >= t.cfg.Window {
		delete(t.addrs, ip)
		f = nil
	}
	return f
}

// Fail records a failed login from ip and returns how long to wait before
// answering it.
func (t *Throttle) Fail(ip string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.cfg.Now()
	f := t.entry(ip, now)
	if f == nil {
		if len(t.addrs) >= maxTracked {
			t.prune(now)
		}
		f = &failures{}
		t.addrs[ip] = f
	}
	f.n++
	f.last = now
	over := f.n - t.cfg.Free
	if over <= 0 {
		return 0
	}
	return min(time.Duration(over)*t.cfg.Pause, t.cfg.MaxPause)
}

// prune forgets expired addresses and, if that is not enough, any others:
// under a flood from many addresses the throttle forgets rather than grow.
// The caller holds t.mu.
func (t *Throttle) prune(now time.Time) {
	for ip, f := range t.addrs {
		if now.Sub(f.last) >= t.cfg.Window {
			delete(t.addrs, ip)
		}
	}
	for ip := range t.addrs {
		if len(t.addrs) < maxTracked*9/10 {
			break
		}
		delete(t.addrs, ip)
	}
}

// Refused reports whether ip may not try to log in now, and for how much
// longer.
func (t *Throttle) Refused(ip string) (bool, time.Duration) {
	if t.cfg.Refuse < 0 {
		return false, 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.cfg.Now()
	f := t.entry(ip, now)
	if f == nil || f.n < t.cfg.Refuse {
		return false, 0
	}
	return true, f.last.Add(t.cfg.Window).Sub(now)
}

// Failures returns the failures remembered for ip.
func (t *Throttle) Failures(ip string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.entry(ip, t.cfg.Now()); f != nil {
		return f.n
	}
	return 0
}

// guard is the fault injector of one session: before the live fault rules
// it refuses a login attempt from an address the throttle refuses. The
// machines consult their injector before acting on each command, so the
// refusal goes through the same path as a fault from the page, and no
// password is checked.
type guard struct {
	t    *Throttle
	ip   string
	host string
	next fault.Injector // the live rules, or nil
}

// injector returns the injector for one session from ip.
func (t *Throttle) injector(ip, host string, next fault.Injector) fault.Injector {
	if t == nil {
		return next
	}
	return &guard{t: t, ip: ip, host: host, next: next}
}

// CheckAs implements fault.Injector.
func (g *guard) CheckAs(proto, server, user, line string) *fault.Outcome {
	if loginVerb(proto, line) {
		if refused, left := g.t.Refused(g.ip); refused {
			o := &fault.Outcome{Kind: fault.Reply, Rule: "login throttle: too many failed logins from " + g.ip}
			wait := minutesOf(left)
			if proto == "pop3" {
				// RFC 2449 §8.1.1: the client may not log in until the delay is over.
				o.Reply = "-ERR [LOGIN-DELAY] Too many failed logins from your address, try again in " + wait
			} else {
				// The 421 text starts with the domain (RFC 5321 §4.2, §3.8),
				// as Postfix's anvil refusals do.
				o.Reply = "421 4.7.0 " + g.host + " Error: too many failed logins from " + g.ip + ", try again in " + wait
			}
			return o
		}
	}
	if g.next == nil {
		return nil
	}
	return g.next.CheckAs(proto, server, user, line)
}

// loginVerb reports whether a command line tries to log in: SMTP AUTH
// (RFC 4954), POP3 PASS, APOP or AUTH (RFC 1939 §7, RFC 5034). POP3 USER is
// left alone: refusing it would tell whether the name exists (RFC 2449
// §8.1.1 advises against LOGIN-DELAY on USER).
func loginVerb(proto, line string) bool {
	verb, _, _ := strings.Cut(line, " ")
	verb = strings.ToUpper(verb)
	if proto == "pop3" {
		return verb == "PASS" || verb == "APOP" || verb == "AUTH"
	}
	return verb == "AUTH"
}

func minutesOf(d time.Duration) string {
	m := int((d + time.Minute - 1) / time.Minute)
	if m <= 1 {
		return "1 minute"
	}
	return strconv.Itoa(m) + " minutes"
}

// loginFailure reports whether a machine event is the answer to a wrong
// password: SMTP "535 5.7.8" (RFC 4954 §6), POP3 "-ERR [AUTH]
// Authentication failed." to PASS, APOP or AUTH (RFC 3206 §5). Refusals
// that checked no password (plaintext before TLS, a bad mechanism, bad
// base64) are not counted.
func loginFailure(e *machine.Event) bool {
	st := e.Step
	if e.Received || st.Kind != trace.Reply {
		return false
	}
	if st.Code == 535 {
		return true
	}
	switch st.ReplyTo {
	case "PASS", "APOP", "AUTH":
		return st.Status == "-ERR" && strings.HasPrefix(st.Text, "-ERR [AUTH] Authentication failed")
	}
	return false
}
