package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"maillab/sim/native"
	"maillab/sim/trace"
	"maillab/web"
)

// The live view's endpoints against native mode running for real on
// 127.0.0.1:0, driven by real SMTP clients: the helper ladder is
// liveLab (native mode and its page) → sendMail (a whole message with
// net/smtp) and openEvents (the event stream as EventSource reads it).

// liveLab is `maillab serve --smtp 127.0.0.1:0` for one test.
type liveLab struct {
	t      *testing.T
	rt     *nativeRuntime
	url    string // the page
	smtp   string // the SMTP server's address
	cancel context.CancelFunc
}

func startLiveLab(t *testing.T, o serveOptions) *liveLab {
	t.Helper()
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	o.SMTP = "127.0.0.1:0"
	rt, err := startNativeTo(ctx, o, io.Discard)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); rt.lab.Close() })
	h, err := httpHandler(o, rt)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &liveLab{t: t, rt: rt, url: srv.URL, smtp: rt.lab.Addr("smtp", false).String(), cancel: cancel}
}

// sendMail sends one message with Go's net/smtp, in plaintext (loopback),
// and returns the first refusal.
func sendMail(addr, from, to, subject string) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("pc.example.net"); err != nil {
		return err
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	io.WriteString(w, "Subject: "+subject+"\r\n\r\nHello from the live test.\r\n")
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// request makes a request to the lab and returns the status and body.
func (l *liveLab) request(method, path, body string, hdr map[string]string) (int, string) {
	l.t.Helper()
	req, err := http.NewRequest(method, l.url+path, strings.NewReader(body))
	if err != nil {
		l.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for k, want := range map[string]string{"Content-Security-Policy": web.CSP, "X-Content-Type-Options": "nosniff"} {
		if got := resp.Header.Get(k); got != want {
			l.t.Errorf("%s %s: %s: %q", method, path, k, got)
		}
	}
	return resp.StatusCode, string(b)
}

var jsonHeader = map[string]string{"Content-Type": "application/json"}

// sse is one server-sent event.
type sse struct{ event, data string }

// eventStream reads an event stream as EventSource does.
type eventStream struct {
	t      *testing.T
	resp   *http.Response
	events chan sse
	pings  chan struct{}
	ended  chan struct{}
}

func (l *liveLab) openEvents() *eventStream {
	l.t.Helper()
	resp, err := http.Get(l.url + "/live/events")
	if err != nil {
		l.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || !strings.HasPrefix(ct, "text/event-stream") {
		l.t.Fatalf("GET /live/events: %s, %s", resp.Status, ct)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Content-Security-Policy") != web.CSP {
		l.t.Error("the stream lacks the page's headers")
	}
	s := &eventStream{t: l.t, resp: resp, events: make(chan sse, 4096), pings: make(chan struct{}, 100), ended: make(chan struct{})}
	l.t.Cleanup(func() { resp.Body.Close() })
	go func() {
		defer close(s.ended)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		var ev sse
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.data != "" || ev.event != "" {
					s.events <- ev
				}
				ev = sse{}
			case line == ": ping":
				select {
				case s.pings <- struct{}{}:
				default:
				}
			case strings.HasPrefix(line, "data: "):
				ev.data += strings.TrimPrefix(line, "data: ")
			case strings.HasPrefix(line, "event: "):
				ev.event = strings.TrimPrefix(line, "event: ")
			}
		}
	}()
	return s
}

// update waits for the next update.
func (s *eventStream) update() native.Update {
	s.t.Helper()
	select {
	case ev := <-s.events:
		var u native.Update
		if ev.event != "" {
			s.t.Fatalf("event %q", ev.event)
		}
		if err := json.Unmarshal([]byte(ev.data), &u); err != nil {
			s.t.Fatalf("event %q: %v", ev.data, err)
		}
		return u
	case <-s.ended:
		s.t.Fatal("the stream ended")
	case <-time.After(10 * time.Second):
		s.t.Fatal("no update in 10 s")
	}
	return native.Update{}
}

// session collects one session's updates, from its Connect to its Close.
func (s *eventStream) session() (native.Info, []native.Update) {
	s.t.Helper()
	var got []native.Update
	for {
		u := s.update()
		if len(got) > 0 && u.Session.ID != got[0].Session.ID {
			continue
		}
		got = append(got, u)
		if u.Step != nil && u.Step.Kind == trace.Close {
			return u.Session, got
		}
	}
}

// A real SMTP session shows up in sessions.json, and its steps arrive over
// the event stream in order, the same as the session's trace.
func TestLiveEventsFollowRealSession(t *testing.T) {
	l := startLiveLab(t, serveOptions{})
	events := l.openEvents()
	if err := sendMail(l.smtp, "alice@example.com", "bob@example.com", "live"); err != nil {
		t.Fatal(err)
	}
	info, ups := events.session()
	if info.Live || info.Proto != "smtp" || !strings.HasPrefix(info.Client, "127.0.0.1:") || info.End.IsZero() {
		t.Errorf("the session at its end: %+v", info)
	}
	if ups[0].Step == nil || ups[0].Step.Kind != trace.Connect || !ups[0].Session.Live {
		t.Errorf("the first update is not the live session's Connect: %+v", ups[0])
	}
	var steps []trace.Step
	var logs []trace.LogLine
	envelopes := 0
	for _, u := range ups {
		switch {
		case u.Step != nil:
			steps = append(steps, *u.Step)
			if u.Session.Steps != len(steps) {
				t.Fatalf("step %d arrived as step %d: out of order", len(steps), u.Session.Steps)
			}
		case u.Log != nil:
			logs = append(logs, *u.Log)
		case u.Envelope != nil:
			envelopes++
		}
	}
	tr, ok := l.rt.Hub.Trace(info.ID)
	if !ok || len(tr.Steps) != len(steps) || len(tr.Log) != len(logs) || len(tr.Envelopes) != envelopes {
		t.Fatalf("stream: %d steps, %d log lines, %d envelopes; trace: %d, %d, %d", len(steps), len(logs), envelopes, len(tr.Steps), len(tr.Log), len(tr.Envelopes))
	}
	for i := range steps {
		if steps[i] != tr.Steps[i] {
			t.Errorf("step %d: streamed %+v, traced %+v", i, steps[i], tr.Steps[i])
		}
	}
	var text []string
	for _, s := range steps {
		text = append(text, s.TranscriptLine())
	}
	for _, want := range []string{"C: EHLO pc.example.net", "C: MAIL FROM:<alice@example.com>", "C: RCPT TO:<bob@example.com>", "C: DATA", "C: .", "C: QUIT"} {
		if !slices.ContainsFunc(text, func(l string) bool { return strings.HasPrefix(l, want) }) {
			t.Errorf("the stream lacks %q:\n%s", want, strings.Join(text, "\n"))
		}
	}

	code, body := l.request("GET", "/live/sessions.json", "", nil)
	var list []native.Info
	if code != 200 || json.Unmarshal([]byte(body), &list) != nil || len(list) != 1 || list[0].ID != info.ID || list[0].Client != info.Client {
		t.Errorf("sessions.json: %d %s", code, body)
	}
	code, body = l.request("GET", "/live/trace/"+strconv.Itoa(info.ID)+".json", "", nil)
	var got trace.Trace
	if code != 200 || json.Unmarshal([]byte(body), &got) != nil || len(got.Steps) != len(steps) || got.Title == "" {
		t.Errorf("trace: %d %.200s", code, body)
	}
	for path, want := range map[string]int{"/live/trace/0.json": 404, "/live/trace/1": 404, "/live/trace/x.json": 404, "/live/trace/99.json": 404, "/live/nothing": 404} {
		if code, _ := l.request("GET", path, "", nil); code != want {
			t.Errorf("GET %s: %d, want %d", path, code, want)
		}
	}
	// Read-only: nothing but GET (and HEAD) on the stream and the JSON.
	for _, path := range []string{"/live/events", "/live/sessions.json", "/live/trace/1.json", "/live/faults.json"} {
		if code, _ := l.request("POST", path, "{}", jsonHeader); code != http.StatusMethodNotAllowed {
			t.Errorf("POST %s: %d", path, code)
		}
	}
}

// A rule added over POST makes the next RCPT of a real client get 550
// 5.1.1; removed over DELETE, the next message goes through.
func TestLiveFaultsReachRealClients(t *testing.T) {
	l := startLiveLab(t, serveOptions{})
	if code, body := l.request("GET", "/live/faults.json", "", nil); code != 200 || strings.TrimSpace(body) != "[]" {
		t.Fatalf("faults.json: %d %q", code, body)
	}
	rule := `{"when": "RCPT TO:*", "then": "550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in local recipient table", "times": 1}`
	code, body := l.request("POST", "/live/faults", rule, jsonHeader)
	if code != http.StatusCreated || !strings.Contains(body, `"n":1`) || !strings.Contains(body, `"times":1`) {
		t.Fatalf("POST: %d %s", code, body)
	}
	err := sendMail(l.smtp, "alice@example.com", "bob@example.com", "refused")
	var te *textproto.Error
	if !errors.As(err, &te) || te.Code != 550 || !strings.HasPrefix(te.Msg, "5.1.1") {
		t.Fatalf("with the rule: %v, want 550 5.1.1", err)
	}
	// times: 1 — the next one goes through, as greylisting lets it.
	if err := sendMail(l.smtp, "alice@example.com", "bob@example.com", "again"); err != nil {
		t.Errorf("the rule fired twice: %v", err)
	}
	// The listing says the rule is used up: it fired its one time.
	if code, body := l.request("GET", "/live/faults.json", "", nil); code != 200 || !strings.Contains(body, `"n":1`) || !strings.Contains(body, `"fired":1`) {
		t.Errorf("faults.json after the rule fired: %d %s, want n 1 fired 1", code, body)
	}
	// A rule that fires every time, then removed.
	l.request("POST", "/live/faults", `{"When": "end-of-data", "Then": "drop"}`, jsonHeader)
	if err := sendMail(l.smtp, "alice@example.com", "bob@example.com", "dropped"); err == nil {
		t.Error("end-of-data → drop: the message was accepted")
	}
	code, body = l.request("DELETE", "/live/faults/2", "", nil)
	if code != 200 || strings.Contains(body, "end-of-data") || !strings.Contains(body, "RCPT TO:*") {
		t.Errorf("DELETE: %d %s", code, body)
	}
	if err := sendMail(l.smtp, "alice@example.com", "bob@example.com", "after"); err != nil {
		t.Errorf("after DELETE: %v", err)
	}
	if code, _ := l.request("DELETE", "/live/faults/9", "", nil); code != 404 {
		t.Errorf("DELETE a missing rule: %d", code)
	}
	// Numbers stay with their rules: a second DELETE of 2 (another
	// teacher's click) removes nothing, and a new rule is 3, not 2.
	if code, _ := l.request("DELETE", "/live/faults/2", "", nil); code != 404 {
		t.Errorf("DELETE 2 twice: %d, want 404", code)
	}
	code, body = l.request("POST", "/live/faults", `{"when": "NOOP", "then": "421 4.3.2 bye"}`, jsonHeader)
	if code != http.StatusCreated || !strings.Contains(body, `"n":3`) || strings.Contains(body, `"n":2`) {
		t.Errorf("POST after DELETE: %d %s, want rules 1 and 3", code, body)
	}
	if code, body := l.request("DELETE", "/live/faults/1", "", nil); code != 200 || !strings.Contains(body, `"n":3`) || strings.Contains(body, "RCPT TO:*") {
		t.Errorf("DELETE 1: %d %s, want only rule 3 left", code, body)
	}
	l.request("DELETE", "/live/faults/3", "", nil)
	l.request("POST", "/live/faults", rule, jsonHeader)
	if code, _ := l.request("DELETE", "/live/faults/x", "", nil); code != 400 {
		t.Errorf("DELETE x: %d", code)
	}
	// Validation: the engine's message, 400.
	for body, want := range map[string]string{
		`{"when": "RCPT TO:*", "then": "250 OK"}`:                     "must start with 4",
		`{"when": "", "then": "550 5.1.1 x"}`:                         "when is empty",
		`{"when": "RCPT TO:*", "then": "550 5.1.1 x\r\n250 2.0.0 y"}`: "control character",
		`{"when": "RCPT TO:*", "then": "550 x", "colour": "red"}`:     "unknown field",
		`[1, 2]`: "not a JSON object",
		`{"when": "USER *", "then": "-ERR no", "protocol": "imap"}`: "want smtp or pop3",
	} {
		code, got := l.request("POST", "/live/faults", body, jsonHeader)
		if code != 400 || !strings.Contains(got, want) {
			t.Errorf("POST %s: %d %q, want 400 %q", body, code, got, want)
		}
	}
	if n := len(l.rt.Faults.List()); n != 1 {
		t.Errorf("%d rules after the refusals", n)
	}
}

// The fault endpoints answer only to this machine unless --fault-token is
// given, and then to others only with the token.
func TestLiveFaultsOnlyLoopbackOrToken(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rt, err := startNativeTo(ctx, serveOptions{SMTP: "127.0.0.1:0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.lab.Close()
	rule := `{"when": "RCPT TO:*", "then": "451 4.7.1 Greylisted, try again later", "times": 1}`
	try := func(h http.Handler, method, path, remote, host string, hdr map[string]string) int {
		body := ""
		if method == "POST" {
			body = rule
		}
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.RemoteAddr, r.Host = remote, host
		if method == "POST" {
			r.Header.Set("Content-Type", "application/json")
		}
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	open, _ := httpHandler(serveOptions{}, rt)
	withToken, _ := httpHandler(serveOptions{FaultToken: "s3cret-token"}, rt)
	bearer := map[string]string{"Authorization": "Bearer s3cret-token"}
	for _, c := range []struct {
		name         string
		h            http.Handler
		method, path string
		remote, host string
		hdr          map[string]string
		want         int
	}{
		{"loopback", open, "GET", "/live/faults.json", "127.0.0.1:5000", "127.0.0.1:8080", nil, 200},
		{"loopback v6", open, "GET", "/live/faults.json", "[::1]:5000", "localhost:8080", nil, 200},
		{"loopback POST", open, "POST", "/live/faults", "127.0.0.1:5000", "127.0.0.1:8080", nil, 201},
		{"another machine", open, "GET", "/live/faults.json", "192.0.2.7:5000", "192.0.2.1:8080", nil, 403},
		{"another machine POST", open, "POST", "/live/faults", "192.0.2.7:5000", "192.0.2.1:8080", nil, 403},
		{"another machine DELETE", open, "DELETE", "/live/faults/1", "192.0.2.7:5000", "192.0.2.1:8080", nil, 403},
		{"a token nobody set", open, "POST", "/live/faults", "192.0.2.7:5000", "192.0.2.1:8080", bearer, 403},
		{"DNS rebinding", open, "POST", "/live/faults", "127.0.0.1:5000", "attacker.example:8080", nil, 403},
		{"through a proxy", open, "POST", "/live/faults", "127.0.0.1:5000", "127.0.0.1:8080", map[string]string{"X-Forwarded-For": "192.0.2.7"}, 403},
		{"no token", withToken, "POST", "/live/faults", "192.0.2.7:5000", "lab.school.example", nil, 403},
		{"wrong token", withToken, "POST", "/live/faults", "192.0.2.7:5000", "lab.school.example", map[string]string{"Authorization": "Bearer guess"}, 403},
		{"the token", withToken, "POST", "/live/faults", "192.0.2.7:5000", "lab.school.example", bearer, 201},
		{"the token GET", withToken, "GET", "/live/faults.json", "192.0.2.7:5000", "lab.school.example", bearer, 200},
		{"the token DELETE", withToken, "DELETE", "/live/faults/1", "192.0.2.7:5000", "lab.school.example", bearer, 200},
		{"loopback with a token set", withToken, "GET", "/live/faults.json", "127.0.0.1:5000", "127.0.0.1:8080", nil, 200},
		// The live view itself is for everyone who can reach the page.
		{"sessions from afar", open, "GET", "/live/sessions.json", "192.0.2.7:5000", "192.0.2.1:8080", nil, 200},
	} {
		if got := try(c.h, c.method, c.path, c.remote, c.host, c.hdr); got != c.want {
			t.Errorf("%s: %s %s from %s: %d, want %d", c.name, c.method, c.path, c.remote, got, c.want)
		}
	}
}

// A web page elsewhere cannot make a browser on this machine change the
// rules: the change must be JSON from the lab's own origin.
func TestLiveFaultsRefuseCrossSite(t *testing.T) {
	l := startLiveLab(t, serveOptions{})
	rule := `{"when": "RCPT TO:*", "then": "550 5.1.1 no"}`
	host := strings.TrimPrefix(l.url, "http://")
	for _, c := range []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"cross-site fetch", map[string]string{"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403},
		{"another origin", map[string]string{"Content-Type": "application/json", "Origin": "http://evil.example"}, 403},
		{"same site, other port", map[string]string{"Content-Type": "application/json", "Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:1"}, 403},
		{"a form", map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://" + host}, 415},
		{"text/plain (no preflight)", map[string]string{"Content-Type": "text/plain"}, 415},
		{"the page itself", map[string]string{"Content-Type": "application/json; charset=utf-8", "Sec-Fetch-Site": "same-origin", "Origin": "http://" + host}, 201},
		{"curl", map[string]string{"Content-Type": "application/json"}, 201},
	} {
		if code, body := l.request("POST", "/live/faults", rule, c.hdr); code != c.want {
			t.Errorf("%s: %d %q, want %d", c.name, code, body, c.want)
		}
	}
	if code, _ := l.request("DELETE", "/live/faults/1", "", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}); code != 403 {
		t.Errorf("a cross-site DELETE: %d", code)
	}
	if n := len(l.rt.Faults.List()); n != 2 {
		t.Errorf("%d rules, want the 2 sent from the lab's origin", n)
	}
}

// The stream sends heartbeats when idle, and ends when serve stops.
func TestLiveEventsHeartbeatAndStop(t *testing.T) {
	defer func(d time.Duration) { liveHeartbeat = d }(liveHeartbeat)
	liveHeartbeat = 20 * time.Millisecond
	l := startLiveLab(t, serveOptions{})
	events := l.openEvents()
	select {
	case <-events.pings:
	case <-time.After(5 * time.Second):
		t.Fatal("no heartbeat")
	}
	l.cancel() // SIGINT
	select {
	case <-events.ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the stream outlived the server")
	}
}

// blockedWriter is a client that stops reading after the stream's start.
type blockedWriter struct {
	mu     sync.Mutex
	h      http.Header
	out    strings.Builder
	writes int
	gate   chan struct{}
}

func (w *blockedWriter) Header() http.Header { return w.h }
func (w *blockedWriter) WriteHeader(int)     {}
func (w *blockedWriter) Flush()              {}
func (w *blockedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	w.writes++
	n := w.writes
	w.mu.Unlock()
	if n > 1 {
		<-w.gate
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out.WriteString(string(b))
}

// A client that falls behind is dropped by the hub: the stream tells it so
// and ends, and EventSource reconnects (after the retry it was given).
func TestLiveEventsDroppedWhenBehind(t *testing.T) {
	l := startLiveLab(t, serveOptions{})
	ls := &liveServer{rt: l.rt}
	w := &blockedWriter{h: http.Header{}, gate: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		ls.events(w, httptest.NewRequest("GET", "/live/events", nil))
		close(done)
	}()
	// A session of many lines while the client reads nothing.
	c, err := textproto.Dial("tcp", l.smtp)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.ReadResponse(220)
	for range liveBuffer {
		if _, err := c.Cmd("NOOP"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.ReadResponse(250); err != nil {
			t.Fatal(err)
		}
	}
	close(w.gate)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the stream of a dropped client did not end")
	}
	out := w.out.String()
	if !strings.HasPrefix(out, "retry: ") || !strings.HasSuffix(out, "event: dropped\ndata: {}\n\n") {
		t.Errorf("the stream: %.100q … %q", out, out[max(0, len(out)-100):])
	}
	if n := strings.Count(out, "\ndata: {\"session\""); n < 10 {
		t.Errorf("%d updates before the drop", n)
	}
}

// Real logins — AUTH PLAIN with net/smtp, AUTH LOGIN without an initial
// response, POP3 USER and PASS — reach the trace and the event stream with
// the user name but without the password, in any encoding; with
// --show-secrets they reach them as sent.
func TestLiveMasksPasswords(t *testing.T) {
	const pw = "Sw0rdfish-live-42"
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	secrets := []string{pw, b64(pw), b64("\x00alice\x00" + pw)}
	for _, show := range []bool{false, true} {
		t.Run("show-secrets="+strconv.FormatBool(show), func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "lab.yaml")
			if err := os.WriteFile(cfg, []byte("users: {alice: "+pw+"}\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			l := startLiveLab(t, serveOptions{Config: cfg, POP3: "127.0.0.1:0", ShowSecrets: show})
			pop3 := l.rt.lab.Addr("pop3", false).String()
			events := l.openEvents()
			for _, c := range []struct {
				name   string
				before []string // the client's lines before the one with the password (EHLO and QUIT aside)
				sent   string   // that line as sent
				masked string   // and as the page gets it
				login  func() error
			}{
				{"smtp-plain", nil, "AUTH PLAIN " + b64("\x00alice\x00"+pw), `AUTH PLAIN base64(\0alice\0••••••••)`, func() error {
					return smtpPlainLogin(l.smtp, pw)
				}},
				{"smtp-login", []string{"AUTH LOGIN", b64("alice")}, b64(pw), "base64(••••••••)", func() error {
					return dialogue(l.smtp, "EHLO pc.example.net", "AUTH LOGIN", b64("alice"), b64(pw), "QUIT")
				}},
				{"pop3-pass", []string{"USER alice"}, "PASS " + pw, "PASS ••••••••", func() error {
					return dialogue(pop3, "USER alice", "PASS "+pw, "QUIT")
				}},
			} {
				if err := c.login(); err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				want := append(slices.Clone(c.before), c.masked)
				if show {
					want[len(want)-1] = c.sent
				}
				info, ups := events.session()
				streamed, _ := json.Marshal(ups)
				code, traced := l.request("GET", "/live/trace/"+strconv.Itoa(info.ID)+".json", "", nil)
				var tr trace.Trace
				if code != 200 || json.Unmarshal([]byte(traced), &tr) != nil {
					t.Fatalf("%s: trace %d %.200s", c.name, code, traced)
				}
				var fromStream []trace.Step
				for _, u := range ups {
					if u.Step != nil {
						fromStream = append(fromStream, *u.Step)
					}
				}
				for what, steps := range map[string][]trace.Step{"trace": tr.Steps, "stream": fromStream} {
					var lines []string
					for _, s := range steps {
						if s.Kind == trace.Command && s.Verb != "EHLO" && s.Verb != "QUIT" {
							lines = append(lines, s.Text)
						}
					}
					if !slices.Equal(lines, want) {
						t.Errorf("%s: the %s has the lines %q, want %q", c.name, what, lines, want)
					}
				}
				for _, sec := range secrets {
					for what, text := range map[string]string{"trace": traced, "stream": string(streamed)} {
						if got := strings.Contains(text, sec); got != (show && strings.Contains(c.sent, sec)) {
							t.Errorf("%s, --show-secrets %v: %q in the %s: %v", c.name, show, sec, what, got)
						}
					}
				}
				// The hub keeps the lines as sent: masking is the view's.
				if raw, _ := l.rt.Hub.Trace(info.ID); !strings.Contains(raw.Transcript(), "C: "+c.sent+"\n") {
					t.Errorf("%s: the hub's trace lacks the login:\n%s", c.name, raw.Transcript())
				}
			}
		})
	}
}

// smtpPlainLogin logs alice in with net/smtp's AUTH PLAIN (an initial
// response; plaintext is allowed on loopback).
func smtpPlainLogin(addr, pw string) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("pc.example.net"); err != nil {
		return err
	}
	if err := c.Auth(smtp.PlainAuth("", "alice", pw, "127.0.0.1")); err != nil {
		return err
	}
	return c.Quit()
}

// dialogue sends lines one at a time over a new connection, reading one
// reply (the greeting first) after each; a multi-line reply is read
// whole. It fails on the first 4xx, 5xx or -ERR.
func dialogue(addr string, lines ...string) error {
	c, err := textproto.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	for i, l := range append([]string{""}, lines...) {
		if i > 0 {
			if err := c.PrintfLine("%s", l); err != nil {
				return err
			}
		}
		for {
			reply, err := c.ReadLine()
			if err != nil {
				return err
			}
			if reply == "" || strings.HasPrefix(reply, "-ERR") || reply[0] == '4' || reply[0] == '5' {
				return errors.New(l + ": " + reply)
			}
			if len(reply) < 4 || reply[3] != '-' {
				break
			}
		}
	}
	return nil
}

// A rule made for one user (what the fault menu of a masked PASS line
// adds) fails that user's real login and nobody else's.
func TestLiveRuleForOneUser(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "lab.yaml")
	if err := os.WriteFile(cfg, []byte("users: {alice: a-secret, bob: b-secret}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l := startLiveLab(t, serveOptions{Config: cfg, POP3: "127.0.0.1:0"})
	pop3 := l.rt.lab.Addr("pop3", false).String()
	rule := `{"when": "PASS", "then": "-ERR [AUTH] Authentication failed.", "user": "bob", "protocol": "pop3"}`
	if code, body := l.request("POST", "/live/faults", rule, jsonHeader); code != http.StatusCreated || !strings.Contains(body, `"user":"bob"`) {
		t.Fatalf("POST: %d %s", code, body)
	}
	if err := dialogue(pop3, "USER alice", "PASS a-secret", "QUIT"); err != nil {
		t.Errorf("alice's login: %v", err)
	}
	if err := dialogue(pop3, "USER bob", "PASS b-secret", "QUIT"); err == nil || !strings.Contains(err.Error(), "-ERR [AUTH] Authentication failed.") {
		t.Errorf("bob's login: %v, want the rule's -ERR", err)
	}
	if code, body := l.request("POST", "/live/faults", `{"when": "PASS", "then": "-ERR no", "user": "bob\r\n+OK"}`, jsonHeader); code != 400 || !strings.Contains(body, "control character") {
		t.Errorf("a user with CR LF: %d %s", code, body)
	}
}
