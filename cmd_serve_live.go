package main

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"maillab/sim/fault"
	"maillab/sim/trace"
	"maillab/web"
	"maillab/web/app"
)

// The live view of native mode, beside the page:
//
//	GET    /live/sessions.json  live and recent sessions (native.Info), oldest first
//	GET    /live/trace/ID.json  one session as a trace.Trace
//	GET    /live/events         server-sent events: one JSON native.Update per event
//	GET    /live/faults.json    the fault rules every live session consults
//	POST   /live/faults         add a rule (a JSON object: when, then, server, protocol, nth, times)
//	DELETE /live/faults/N       remove rule N (1-based, as the trace names it: "fault N: …")
//
// The sessions, traces and events are read-only and open to whoever can
// reach the page: a class watches its own sessions. A Live tab projected
// in class must not show the students' passwords, so the traces and events
// have them masked (trace.MaskSecrets: AUTH PLAIN and LOGIN responses,
// POP3 PASS) unless serve runs with --show-secrets. The fault endpoints
// answer only to this machine (a loopback client asking for a loopback
// name), or, with `serve --fault-token T`, to a client that sends
// "Authorization: Bearer T"; anything else gets 403. Changes (POST,
// DELETE) must also be JSON from the same origin, so a web page elsewhere
// cannot make a browser on this machine inject a fault.

// Limits of the live endpoints.
const (
	maxLiveStreams = 1000     // event streams open at once; more get 503
	maxLiveRules   = 100      // fault rules; adding more gets 400
	maxRuleBody    = 16 << 10 // the JSON body of POST /live/faults
	maxRuleField   = 1000     // octets in one field of a rule
	liveBuffer     = 512      // updates a stream may fall behind before the hub drops it
)

// Timing of the event stream; variables so that tests can shorten them.
var (
	// liveHeartbeat is how often an idle stream sends a comment, so that
	// proxies and browsers do not time it out and a vanished client is
	// noticed.
	liveHeartbeat = 15 * time.Second
	// liveWriteTimeout cuts off a client that stops reading.
	liveWriteTimeout = 10 * time.Second
	// liveRetry is what the stream tells EventSource to wait before it
	// reconnects (after the hub dropped it, or the server restarted).
	liveRetry = 2 * time.Second
)

// liveServer serves /live/ for one nativeRuntime.
type liveServer struct {
	rt      *nativeRuntime
	token   string // --fault-token; "" = loopback only
	logf    func(format string, args ...any)
	cop     *http.CrossOriginProtection
	streams atomic.Int64
}

// liveHandler serves native mode's live view and its fault panel (see the
// comment at the top of this file). token is --fault-token.
func liveHandler(live *nativeRuntime, token string, logf func(string, ...any)) http.Handler {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	ls := &liveServer{rt: live, token: token, logf: logf, cop: http.NewCrossOriginProtection()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /"+app.LiveSessionsPath, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, live.Hub.Sessions())
	})
	mux.HandleFunc("GET /live/trace/{file}", ls.trace)
	mux.HandleFunc("GET /live/events", ls.events)
	mux.HandleFunc("GET /live/faults.json", ls.guard(ls.listFaults))
	mux.HandleFunc("POST /live/faults", ls.guard(ls.changing(ls.addFault)))
	mux.HandleFunc("DELETE /live/faults/{n}", ls.guard(ls.changing(ls.removeFault)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", web.CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		mux.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// trace serves /live/trace/ID.json.
func (ls *liveServer) trace(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".json")
	id, err := strconv.Atoi(name)
	if !ok || err != nil || id <= 0 {
		http.NotFound(w, r)
		return
	}
	tr, found := ls.rt.Hub.Trace(id)
	if !found {
		http.NotFound(w, r)
		return
	}
	if !ls.rt.ShowSecrets {
		tr.Steps = trace.MaskSecrets(tr.Steps)
	}
	writeJSON(w, http.StatusOK, tr)
}

// events streams every native.Update as a server-sent event ("data:" and
// the update as JSON), a comment every liveHeartbeat, and ends when the
// client goes, the server stops, or the hub drops the subscription because
// the client fell behind: then it sends an event named "dropped" and
// closes, and EventSource reconnects after liveRetry (the page reloads
// the sessions when it does).
func (ls *liveServer) events(w http.ResponseWriter, r *http.Request) {
	if ls.streams.Add(1) > maxLiveStreams {
		ls.streams.Add(-1)
		http.Error(w, "too many live views open: try again later", http.StatusServiceUnavailable)
		return
	}
	defer ls.streams.Add(-1)
	rc := http.NewResponseController(w)
	sub := ls.rt.Hub.Subscribe(liveBuffer)
	defer sub.Close()

	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	var buf []byte
	send := func() bool {
		rc.SetWriteDeadline(time.Now().Add(liveWriteTimeout)) // not every writer has one
		if _, err := w.Write(buf); err != nil {
			return false
		}
		buf = buf[:0]
		return rc.Flush() == nil
	}
	buf = fmt.Appendf(buf, "retry: %d\n: maillab live sessions\n\n", liveRetry.Milliseconds())
	if !send() {
		return
	}
	tick := time.NewTicker(liveHeartbeat)
	defer tick.Stop()
	// Each stream follows the AUTH exchanges it sees; one it joined in
	// the middle is masked whole (trace.SecretMasker).
	var masker trace.SecretMasker
	for {
		select {
		case u, ok := <-sub.C:
			if !ok {
				buf = append(buf, "event: dropped\ndata: {}\n\n"...)
				send()
				return
			}
			// Take what else is waiting, then write it all at once.
			for {
				if u.Step != nil && !ls.rt.ShowSecrets {
					st := masker.Mask(*u.Step) // a copy: the hub shares *u.Step with every stream
					u.Step = &st
				}
				b, err := json.Marshal(u)
				if err != nil {
					return
				}
				buf = append(append(append(buf, "data: "...), b...), "\n\n"...)
				more := false
				if len(buf) < 64<<10 {
					select {
					case u, more = <-sub.C: // closed: the next turn says so
					default:
					}
				}
				if !more {
					break
				}
			}
			if !send() {
				return
			}
		case <-tick.C:
			buf = append(buf, ": ping\n\n"...)
			if !send() {
				return
			}
		case <-r.Context().Done():
			return
		case <-ls.rt.stopped:
			return
		}
	}
}

// guard lets a fault endpoint answer only to this machine or to a client
// with the token.
func (ls *liveServer) guard(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !ls.mayInject(r) {
			msg := "fault injection answers only on the machine running maillab serve"
			if ls.token != "" {
				msg += ", or with the fault token (Authorization: Bearer …)"
			} else {
				msg += " (start it with --fault-token to allow other machines)"
			}
			http.Error(w, msg, http.StatusForbidden)
			return
		}
		next(w, r)
	}
}

// mayInject reports whether a request may see or change the fault rules:
// a client on this machine, asking for this machine by a loopback name or
// an IP address (a DNS name could be a rebinding attack from a web page,
// and a loopback client that forwards for someone else is a proxy), or
// anyone with the token.
func (ls *liveServer) mayInject(r *http.Request) bool {
	if ls.token != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(ls.token)) == 1 {
			return true
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return false
	}
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" {
		return false
	}
	return localName(r.Host)
}

// localName reports whether a Host header names this machine without DNS:
// localhost (and *.localhost, RFC 6761 §6.3) or an IP address.
func localName(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	return net.ParseIP(strings.Trim(host, "[]")) != nil
}

// changing refuses a change that a browser was made to send from another
// site: it must come from the page's own origin (http.CrossOriginProtection:
// Sec-Fetch-Site, else Origin against Host), and a POST must be JSON, which
// a cross-site form cannot send without a CORS preflight this server never
// grants.
func (ls *liveServer) changing(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := ls.cop.Check(r); err != nil {
			http.Error(w, "refused: a change to the fault rules must come from the lab's own page", http.StatusForbidden)
			return
		}
		if r.Method == http.MethodPost {
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				http.Error(w, "send the rule as JSON (Content-Type: application/json)", http.StatusUnsupportedMediaType)
				return
			}
		}
		next(w, r)
	}
}

// rules lists the rules as the page reads them (app.LiveRule: field names
// are matched without regard to case, so {"When": …} reads too).
func (ls *liveServer) rules() []app.LiveRule {
	out := []app.LiveRule{}
	for _, e := range ls.rt.Faults.Entries() {
		out = append(out, app.LiveRule{N: e.ID, When: e.When, Then: e.Then, Server: e.Server, Protocol: e.Protocol, Nth: e.Nth, Times: e.Times, User: e.User, Fired: e.Fired})
	}
	return out
}

func (ls *liveServer) listFaults(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, ls.rules())
}

// addFault adds the rule in the body and answers 201 with every rule.
func (ls *liveServer) addFault(w http.ResponseWriter, r *http.Request) {
	var in app.LiveRule
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRuleBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		http.Error(w, "the rule is not a JSON object of when, then, server, protocol, nth, times, user: "+err.Error(), http.StatusBadRequest)
		return
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		http.Error(w, "one rule per request", http.StatusBadRequest)
		return
	}
	rule := fault.Rule{When: in.When, Then: in.Then, Server: in.Server, Protocol: in.Protocol, Nth: in.Nth, Times: in.Times, User: in.User}
	if err := checkRuleText(rule); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := rule.Validate(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if len(ls.rt.Faults.List()) >= maxLiveRules {
		http.Error(w, fmt.Sprintf("there are %d fault rules already: remove some first", maxLiveRules), http.StatusBadRequest)
		return
	}
	if err := ls.rt.Faults.Add(rule); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ls.logf("maillab: fault rule added by %s: %s → %s", r.RemoteAddr, rule.When, rule.Then)
	writeJSON(w, http.StatusCreated, ls.rules())
}

// checkRuleText refuses what would reach the wire or the log as more than
// one line (a reply injected through CR or LF), and text too long for one.
func checkRuleText(r fault.Rule) error {
	for name, v := range map[string]string{"when": r.When, "then": r.Then, "server": r.Server, "protocol": r.Protocol, "user": r.User} {
		if len(v) > maxRuleField {
			return fmt.Errorf("%s is longer than %d octets", name, maxRuleField)
		}
		if strings.ContainsFunc(v, func(c rune) bool { return c < ' ' || c == 0x7f }) {
			return fmt.Errorf("%s contains a control character (CR, LF, NUL…): a rule is one line", name)
		}
	}
	return nil
}

// removeFault removes rule N (its number for good, fault.Entry.ID: a
// second click, or another teacher's, cannot remove the rule that moved
// into its place) and answers with the rules left.
func (ls *liveServer) removeFault(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		http.Error(w, "DELETE /live/faults/N: N is the rule's number, as live/faults.json lists it", http.StatusBadRequest)
		return
	}
	if !ls.rt.Faults.RemoveID(n) {
		http.Error(w, fmt.Sprintf("there is no fault rule %d (removed already?)", n), http.StatusNotFound)
		return
	}
	ls.logf("maillab: fault rule %d removed by %s", n, r.RemoteAddr)
	writeJSON(w, http.StatusOK, ls.rules())
}
