//go:build !js

package app

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/smtp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"maillab/sim/fault"
	"maillab/sim/mailstore"
	"maillab/sim/native"
	smtpm "maillab/sim/smtp"
	"maillab/sim/trace"
	"maillab/web/view"
)

// The Live tab, fed as the page is fed: LiveUpdates (the stream's events)
// and the answers to its requests. Its traces must be the hub's own, and
// its fault panel must send the real servers the rules a person picked.

// liveFake is `maillab serve`'s /live/ for the fake page: the sessions and
// traces of a hub (if any), and fault rules kept and checked as the real
// endpoints do.
type liveFake struct {
	hub       *native.Hub
	sessions  string // sessions.json when there is no hub
	traces    map[int]string
	rs        *fault.Rules // numbered and counted as the real endpoints do
	forbidden bool
	token     string // with forbidden: the --fault-token that opens the endpoints anyway
	sentToken string // the token of the request being answered
}

// rules lists the fake server's rules.
func (f *liveFake) rules() []fault.Rule {
	if f.rs == nil {
		return nil
	}
	return f.rs.List()
}

func (f *liveFake) serve(method, path, body string) (int, string) {
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	list := func() string {
		out := []LiveRule{}
		if f.rs != nil {
			for _, e := range f.rs.Entries() {
				out = append(out, LiveRule{N: e.ID, When: e.When, Then: e.Then, Server: e.Server, Protocol: e.Protocol, Nth: e.Nth, Times: e.Times, User: e.User, Fired: e.Fired})
			}
		}
		return js(out)
	}
	switch {
	case method == "GET" && path == LiveSessionsPath:
		switch {
		case f.hub != nil:
			return 200, js(f.hub.Sessions())
		case f.sessions == "":
			return 404, "404 page not found" // serve without native mode
		}
		return 200, f.sessions
	case method == "GET" && strings.HasPrefix(path, "live/trace/"):
		id, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(path, "live/trace/"), ".json"))
		if f.hub != nil {
			if tr, ok := f.hub.Trace(id); ok {
				return 200, js(tr)
			}
		}
		if t, ok := f.traces[id]; ok {
			return 200, t
		}
		return 404, "404 page not found"
	case f.forbidden && strings.HasPrefix(path, "live/faults") && (f.token == "" || f.sentToken != f.token):
		return 403, "fault injection answers only on the machine running maillab serve"
	case method == "GET" && path == LiveFaultsPath:
		return 200, list()
	case method == "POST" && path == LiveFaultsPost:
		var r LiveRule
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			return 400, err.Error()
		}
		rule := fault.Rule{When: r.When, Then: r.Then, Server: r.Server, Protocol: r.Protocol, Nth: r.Nth, Times: r.Times, User: r.User}
		if err := rule.Validate(); err != nil {
			return 400, err.Error()
		}
		if f.rs == nil {
			f.rs, _ = fault.New(nil)
		}
		f.rs.Add(rule)
		return 201, list()
	case method == "DELETE" && strings.HasPrefix(path, LiveFaultsPost+"/"):
		n, _ := strconv.Atoi(strings.TrimPrefix(path, LiveFaultsPost+"/"))
		if f.rs == nil || !f.rs.RemoveID(n) {
			return 404, "there is no fault rule " + strconv.Itoa(n) + " (removed already?)" // as cmd_serve_live.go says it
		}
		return 200, list()
	}
	return 404, "404 page not found"
}

// newLivePage opens the page on a server with native mode.
func newLivePage(t *testing.T, frag string, f *liveFake) *page {
	t.Helper()
	files, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	st, _, _ := ParseFragment(frag)
	if st.Lang == "" {
		st.Lang = LangEN
	}
	p := &page{t: t, q: NewQueue(), files: files, els: map[string]string{}, store: map[string]string{}, dialogs: map[string]bool{}}
	p.server = func(method, path, body string) (int, string) {
		f.sentToken = p.requests[len(p.requests)-1].Token
		return f.serve(method, path, body)
	}
	p.m = New(st, "")
	p.m.EnableLive()
	p.m.Start()
	p.settle()
	return p
}

// lastRequest is the last request the page sent.
func (p *page) lastRequest() Cmd {
	p.t.Helper()
	if len(p.requests) == 0 {
		p.t.Fatal("no request")
	}
	return p.requests[len(p.requests)-1]
}

// liveLab runs native mode's SMTP server for real, as serve does.
func liveLab(t *testing.T) (*native.Lab, string) {
	t.Helper()
	lab, err := native.Start(native.Setup{
		SMTP:  smtpm.Config{Hostname: "mail.example.com", MyDestination: []string{"example.com"}, Users: map[string]string{"alice": "a", "bob": "b"}},
		Store: mailstore.NewMemory(),
	}, native.Addrs{SMTP: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lab.Close() })
	return lab, lab.Addr("smtp", false).String()
}

// sendMail is what a student's script does: one message with net/smtp.
func sendMail(t *testing.T, addr, rcpt string) error {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, step := range []func() error{
		func() error { return c.Hello("pc.example.net") },
		func() error { return c.Mail("alice@example.com") },
		func() error { return c.Rcpt(rcpt) },
		func() error {
			w, err := c.Data()
			if err != nil {
				return err
			}
			io.WriteString(w, "Subject: hi\r\n\r\nHello.\r\n")
			return w.Close()
		},
		c.Quit,
	} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// session collects one session's updates from a subscription, as the
// page gets them: each through JSON.
func session(t *testing.T, sub *native.Subscription) []LiveUpdate {
	t.Helper()
	var out []LiveUpdate
	for {
		select {
		case u := <-sub.C:
			b, err := json.Marshal(u)
			if err != nil {
				t.Fatal(err)
			}
			var lu LiveUpdate
			if err := json.Unmarshal(b, &lu); err != nil {
				t.Fatal(err)
			}
			// The page's copies of the server's types lose nothing.
			if again, _ := json.Marshal(lu); string(again) != string(b) {
				t.Fatalf("LiveUpdate is not native.Update:\n%s\n%s", again, b)
			}
			if len(out) > 0 && lu.Session.ID != out[0].Session.ID {
				continue
			}
			out = append(out, lu)
			if lu.Step != nil && lu.Step.Kind == trace.Close {
				return out
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the session did not end")
		}
	}
}

func traceJSON(t *testing.T, tr *trace.Trace) string {
	t.Helper()
	if tr == nil {
		return "<nil>"
	}
	b, err := json.MarshalIndent(tr, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The updates of a real session build the same trace as the hub's own,
// whether the page followed it from its first line or opened it midway
// (the server's copy, then the updates, some of them already in the copy).
func TestLiveUpdatesBuildTheHubsTrace(t *testing.T) {
	lab, addr := liveLab(t)
	sub := lab.Hub.Subscribe(4096)
	defer sub.Close()
	if err := sendMail(t, addr, "bob@example.com"); err != nil {
		t.Fatal(err)
	}
	ups := session(t, sub)
	id := ups[0].Session.ID
	hubTr, ok := lab.Hub.Trace(id)
	if !ok {
		t.Fatal("no trace")
	}
	want := traceJSON(t, &hubTr)
	if len(hubTr.Log) == 0 || len(hubTr.Envelopes) == 0 {
		t.Fatalf("the session has no log or envelope to check: %s", want)
	}

	// Followed from the start: the page had the Live tab open before.
	p := newLivePage(t, "#tab=live", &liveFake{sessions: "[]"})
	for _, u := range ups {
		p.do(func(m *Model) { m.LiveUpdate(u) })
	}
	if got := traceJSON(t, p.m.LiveTrace()); got != want {
		t.Errorf("followed: the page's trace differs from the hub's:\n%s\nwant\n%s", got, want)
	}
	for _, r := range p.requests {
		if strings.HasPrefix(r.Path, "live/trace/") {
			t.Errorf("a followed session was fetched: %s", r.Path)
		}
	}
	p.wants("live diagram", p.el("live-seq"), "<svg", "RCPT TO:&lt;bob@example.com&gt;", "250 2.0.0")
	p.wants("live transcript", p.el("live-transcript"), "EHLO pc.example.net", "QUIT")
	p.wants("live log", p.el("live-log"), "connect from", "to=&lt;bob@example.com&gt;")
	p.wants("live envelope", p.el("live-envelope"), "alice@example.com", "bob@example.com")
	p.wants("live server machine", p.el("live-state-server"), "current state: CLOSED", "last transition: READY → CLOSED on QUIT")
	p.wants("live title", p.el("live-title"), "SMTP session "+strconv.Itoa(id), "ended")
	p.wants("live list", p.el("live-sessions"), `data-action="live-open"`, `data-id="`+strconv.Itoa(id)+`"`, "ended")

	// Opened midway: the copy is made after update k, the page has seen
	// the updates from j before it arrives, then gets the rest.
	ended := ups[len(ups)-1].Session
	list, _ := json.Marshal([]LiveInfo{ended})
	for k := 1; k < len(ups); k += max(1, len(ups)/12) {
		snap := &liveState{tr: liveHeader(ups[0].Session)}
		for _, u := range ups[:k] {
			snap.apply(u)
		}
		copyJSON := traceJSON(t, snap.tr)
		for _, j := range []int{0, k / 2, k} {
			m := New(State{Lang: LangEN, Tab: TabLive}, "")
			m.RequestDone("GET", LiveSessionsPath, 200, list, nil)
			var path string
			for _, c := range m.TakeCmds() {
				if c.Kind == Request && strings.HasPrefix(c.Path, "live/trace/") {
					path = c.Path
				}
			}
			if path == "" {
				t.Fatal("the newest session was not asked for")
			}
			for _, u := range ups[j:k] {
				m.LiveUpdate(u)
			}
			m.RequestDone("GET", path, 200, []byte(copyJSON), nil)
			for _, u := range ups[k:] {
				m.LiveUpdate(u)
			}
			if got := traceJSON(t, m.LiveTrace()); got != want {
				t.Fatalf("copy after %d updates, stream from %d: the trace differs:\n%s\nwant\n%s", k, j, got, want)
			}
		}
	}

	// A gap in the stream: the page asks for the trace again.
	m := New(State{Lang: LangEN}, "")
	m.RequestDone("GET", LiveSessionsPath, 200, []byte("[]"), nil)
	m.TakeCmds()
	m.LiveUpdate(ups[0])
	m.LiveUpdate(ups[3])
	m.LiveUpdate(ups[4]) // …once
	var asked []string
	for _, c := range m.TakeCmds() {
		if c.Kind == Request {
			asked = append(asked, c.Path)
		}
	}
	if len(asked) != 1 || !strings.HasPrefix(asked[0], LiveTracePath(id)) {
		t.Errorf("after a gap the page asked for %q", asked)
	}
}

// The Live tab exists only when the server runs native mode.
func TestLiveTabOnlyWithNativeMode(t *testing.T) {
	p := newPage(t, "#tab=live", nil) // sessions.json: 404
	if v, ok := p.attr("tab-live", "hidden"); !ok || v != "" {
		t.Errorf("the Live tab is shown without native mode (%q %v)", v, ok)
	}
	if p.m.State().Tab != TabSession || strings.Contains(p.url, "tab=live") {
		t.Errorf("a link to the Live tab without native mode: tab %q, URL %q", p.m.State().Tab, p.url)
	}
	p.do(func(m *Model) { m.SetTab(TabLive) })
	if p.m.State().Tab != TabSession || p.m.NextTab(true) != TabEditor {
		t.Error("the Live tab can be chosen without native mode")
	}
	if len(p.streams) != 0 || len(p.requests) != 0 {
		t.Error("the page asked for live sessions without native mode")
	}
	// The page says native mode, but live/ is not there after all.
	p = newLivePage(t, "#tab=live", &liveFake{})
	if v, ok := p.attr("tab-live", "hidden"); !ok || v != "" || p.m.State().Tab != TabSession || len(p.streams) != 0 {
		t.Errorf("sessions.json 404: Live tab hidden %v, tab %q, streams %d", ok, p.m.State().Tab, len(p.streams))
	}

	p = newLivePage(t, "", &liveFake{sessions: "[]"})
	if _, ok := p.attr("tab-live", "hidden"); ok {
		t.Error("the Live tab is hidden with native mode")
	}
	if len(p.streams) != 1 || p.streams[0].Path != LiveEventsPath {
		t.Errorf("streams %+v", p.streams)
	}
	if p.m.NextTab(true) != TabLive {
		t.Error("the arrow keys do not reach the Live tab")
	}
	p.do(func(m *Model) { m.SetTab(TabLive) })
	if v, ok := p.attr("panel-live", "hidden"); ok {
		t.Errorf("panel-live hidden: %q", v)
	}
	p.wants("live list", p.el("live-sessions"), html.EscapeString(view.T("en", "live.none")))
	p.wants("live status", p.el("live-status"), view.T("en", "live.connecting"))
	p.wants("live view", p.el("live-seq"), view.T("en", "live.pick"))
	if !strings.Contains(p.url, "tab=live") {
		t.Errorf("URL %q", p.url)
	}
	// The stream opens, is dropped, fails for good: the page says so, and
	// asks again later.
	p.requests = nil
	p.do((*Model).StreamOpened)
	p.wants("live status", p.el("live-status"), view.T("en", "live.connected"))
	if !slices.ContainsFunc(p.requests, func(c Cmd) bool { return c.Path == LiveSessionsPath }) {
		t.Error("a (re)connected stream does not reload the sessions")
	}
	p.do(func(m *Model) { m.StreamEvent("dropped", "{}") })
	p.wants("live status", p.el("live-status"), view.T("en", "live.connecting"))
	p.do(func(m *Model) { m.StreamError(true) })
	p.wants("live status", p.el("live-status"), view.T("en", "live.lost"))
	if last := p.streams[len(p.streams)-1]; len(p.streams) != 2 || last.Wait != StreamRetry {
		t.Errorf("streams after a failure: %+v", p.streams)
	}
	// In Chinese.
	p.do(func(m *Model) { m.SetLang(LangZH) })
	p.wants("live status", p.el("live-status"), view.T("zh", "live.lost"))
}

// A small SMTP session, as updates: connect, greeting, EHLO, MAIL, RCPT.
func fakeSession(id int) []LiveUpdate {
	info := LiveInfo{ID: id, Proto: "smtp", Client: "127.0.0.1:40000", Server: "mail.example.com", Listen: "127.0.0.1:2525",
		Start: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), Live: true}
	steps := []trace.Step{
		{Kind: trace.Connect, Proto: "smtp", From: info.Client, To: info.Server, Text: "smtp"},
		{Kind: trace.Reply, Proto: "smtp", From: info.Server, To: info.Client, ByServer: true, Text: "220 mail.example.com ESMTP maillab", Code: 220, ReplyTo: "GREETING"},
		{Kind: trace.Command, Proto: "smtp", From: info.Client, To: info.Server, Text: "EHLO pc.example.net", Verb: "EHLO"},
		{Kind: trace.Reply, Proto: "smtp", From: info.Server, To: info.Client, ByServer: true, Text: "250 mail.example.com", Code: 250, ReplyTo: "EHLO"},
		{Kind: trace.Command, Proto: "smtp", From: info.Client, To: info.Server, Text: "MAIL FROM:<alice@example.com>", Verb: "MAIL"},
		{Kind: trace.Reply, Proto: "smtp", From: info.Server, To: info.Client, ByServer: true, Text: "250 2.1.0 Ok", Code: 250, Enhanced: "2.1.0", ReplyTo: "MAIL"},
		{Kind: trace.Command, Proto: "smtp", From: info.Client, To: info.Server, Text: "RCPT TO:<bob@example.com>", Verb: "RCPT"},
	}
	var out []LiveUpdate
	for i, s := range steps {
		s.Conn = id
		info.Steps = i + 1
		out = append(out, LiveUpdate{Session: info, Step: &s})
	}
	return out
}

// The fault panel of the real servers: quick rules, a rule for a clicked
// line, the rules in force, removal, the server's refusals.
func TestLiveFaultPanel(t *testing.T) {
	f := &liveFake{sessions: "[]"}
	p := newLivePage(t, "#tab=live", f)
	p.wants("fault panel", p.el("live-faults"), view.T("en", "live.quickRcpt"), view.T("en", "live.quickGrey"), view.T("en", "live.quickDrop"), view.T("en", "live.noRules"))

	p.do(func(m *Model) { m.AddQuickRule("rcpt550") })
	if r := p.lastRequest(); r.Method != "POST" || r.Path != LiveFaultsPost || !strings.Contains(r.Text, `"when":"RCPT TO:*"`) || !strings.Contains(r.Text, `"then":"550 5.1.1 `) || !strings.Contains(r.Text, `"times":1`) {
		t.Errorf("quick rule: %+v", r)
	}
	p.do(func(m *Model) { m.AddQuickRule("greylist") })
	p.do(func(m *Model) { m.AddQuickRule("dropData") })
	if rules := f.rules(); len(rules) != 3 || rules[1].Then[:9] != "451 4.7.1" || rules[1].Times != 1 || rules[2].When != "end-of-data" || rules[2].Then != "drop" || rules[2].Times != 0 {
		t.Errorf("rules %+v", rules)
	}
	p.wants("fault panel", p.el("live-faults"), "RCPT TO:* → 550 5.1.1", "(times: 1)", "end-of-data → drop", `data-action="live-remove-fault" data-n="3"`)

	// A line of a live session: the replies it can really get.
	for _, u := range fakeSession(7) {
		p.do(func(m *Model) { m.LiveUpdate(u) })
	}
	rcpt := len(p.m.LiveTrace().Steps) - 1
	p.wants("live diagram", p.el("live-seq"), `data-step="`+strconv.Itoa(rcpt)+`"`, "can-fault")
	p.do(func(m *Model) { m.OpenLiveFaultMenu(rcpt) })
	if !p.dialogs["fault-menu"] {
		t.Fatal("no fault menu")
	}
	p.wants("fault menu", p.el("fault-menu-body"), "550 5.1.1 &lt;bob@example.com&gt;", view.T("en", "live.menuNote"))
	p.wants("fault menu title", p.el("fault-menu-title"), "RCPT TO:<bob@example.com>")
	p.do(func(m *Model) { m.AddFault(0, true) })
	if p.dialogs["fault-menu"] {
		t.Error("the menu stays open")
	}
	got := f.rules()[len(f.rules())-1]
	if got.When != "RCPT TO:<bob@example.com>" || got.Server != "mail.example.com" || got.Protocol != "smtp" || got.Times != 1 || !strings.HasPrefix(got.Then, "550 5.1.1 <bob@example.com>") {
		t.Errorf("the rule for the clicked line: %+v", got)
	}
	if len(p.m.State().Faults) != 0 {
		t.Error("a live rule went into the scenario's faults")
	}
	p.wants("fault panel", p.el("live-faults"), "RCPT TO:&lt;bob@example.com&gt; → 550", "mail.example.com")
	// The explanation of a live reply.
	p.do(func(m *Model) { m.ExplainLive(5) })
	p.wants("explanation", p.el("explain-body"), "250", "2.1.0")

	p.do(func(m *Model) { m.RemoveLiveRule(2) })
	if r := p.lastRequest(); r.Method != "DELETE" || r.Path != LiveFaultsPost+"/2" {
		t.Errorf("remove: %+v", r)
	}
	if len(f.rules()) != 3 || strings.Contains(p.el("live-faults"), "Greylisted") {
		t.Errorf("after the removal: %+v\n%s", f.rules(), p.el("live-faults"))
	}
	// The server's refusal, in its words.
	p.do(func(m *Model) { m.AddLiveRule(LiveRule{When: "RCPT TO:*", Then: "250 2.0.0 Ok"}) })
	p.wants("fault panel", p.el("live-faults"), "The server refused: ", "must start with 4")
	p.do(func(m *Model) { m.RemoveLiveRule(9) })
	p.wants("fault panel", p.el("live-faults"), "there is no fault rule 9")

	// Chinese.
	p.do(func(m *Model) { m.SetLang(LangZH) })
	p.wants("fault panel", p.el("live-faults"), view.T("zh", "live.quickRcpt"), view.T("zh", "live.rules"), "没有编号为 9 的故障规则（已经删除了？）")
	p.wants("live title", p.el("live-title"), "SMTP 会话 7", view.T("zh", "live.live"))

	// Another machine: the panel says why it cannot inject.
	p = newLivePage(t, "#tab=live", &liveFake{sessions: "[]", forbidden: true})
	p.wants("fault panel", p.el("live-faults"), view.T("en", "live.forbidden"))
	p.lacks("fault panel", p.el("live-faults"), `data-action="live-quick"`)
	for _, u := range fakeSession(1) {
		p.do(func(m *Model) { m.LiveUpdate(u) })
	}
	p.do(func(m *Model) { m.OpenLiveFaultMenu(6) })
	if p.dialogs["fault-menu"] {
		t.Error("the fault menu opens where faults cannot be injected")
	}
}

// New sessions open as they start, unless the person picked one; the list
// shows the newest first.
func TestLiveFollowAndPick(t *testing.T) {
	f := &liveFake{sessions: "[]", traces: map[int]string{}}
	p := newLivePage(t, "#tab=live", f)
	one := fakeSession(1)
	for _, u := range one {
		p.do(func(m *Model) { m.LiveUpdate(u) })
	}
	if tr := p.m.LiveTrace(); tr == nil || len(tr.Steps) != len(one) {
		t.Fatal("the first session was not followed")
	}
	// Session 1 is still live: session 2 does not take its place.
	two := fakeSession(2)
	p.do(func(m *Model) { m.LiveUpdate(two[0]) })
	if p.m.LiveTrace().Title != "SMTP session 1: 127.0.0.1:40000 → mail.example.com" {
		t.Errorf("switched to %q while session 1 was live", p.m.LiveTrace().Title)
	}
	list := p.el("live-sessions")
	if i, j := strings.Index(list, `data-id="2"`), strings.Index(list, `data-id="1"`); i < 0 || j < i {
		t.Errorf("the newest session is not first:\n%s", list)
	}
	// The person picks session 2: its trace is asked for, following stops.
	tr2 := liveHeader(two[0].Session)
	tr2.Steps = []trace.Step{*two[0].Step}
	b, _ := json.Marshal(tr2)
	f.traces[2] = string(b)
	p.do(func(m *Model) { m.OpenLive(2) })
	if p.m.Follow() {
		t.Error("still following after a pick")
	}
	if v, _ := p.attr("live-follow", "aria-pressed"); v != "false" {
		t.Errorf("follow button %q", v)
	}
	for _, u := range two[1:] {
		p.do(func(m *Model) { m.LiveUpdate(u) })
	}
	if tr := p.m.LiveTrace(); tr == nil || len(tr.Steps) != len(two) || tr.Steps[0].Conn != 2 {
		t.Fatalf("session 2: %+v", tr)
	}
	p.wants("live list", p.el("live-sessions"), `data-id="2" aria-pressed="true"`)
	// A forgotten session.
	p.do(func(m *Model) { m.OpenLive(99) })
	p.wants("live view", p.el("live-seq"), view.T("en", "live.gone"))
}

// A session with a masked password says so in its title, in the page's
// language, and how to show the passwords.
func TestLiveTitleSaysPasswordsAreMasked(t *testing.T) {
	p := newLivePage(t, "#tab=live", &liveFake{sessions: "[]"})
	ups := fakeSession(3)
	for _, u := range ups {
		p.do(func(m *Model) { m.LiveUpdate(u) })
	}
	p.lacks("live title", p.el("live-title"), view.T("en", "live.masked"))
	u := ups[len(ups)-1]
	u.Session.Steps++
	u.Step = &trace.Step{Conn: 3, Kind: trace.Command, Proto: "smtp", Text: `AUTH PLAIN base64(\0alice\0` + trace.Mask + ")", Verb: "AUTH", Masked: true}
	p.do(func(m *Model) { m.LiveUpdate(u) })
	p.wants("live title", p.el("live-title"), "SMTP session 3", view.T("en", "live.masked"), "--show-secrets")
	p.do(func(m *Model) { m.SetLang(LangZH) })
	p.wants("live title", p.el("live-title"), "SMTP 会话 3", view.T("zh", "live.masked"), "--show-secrets")
}

// The panel numbers rules as the trace does ("fault 2: …"), keeps the
// numbers when a rule before goes, and shows what each rule has done: a
// rule that fires in a live session makes the page ask for the counts
// again, and a times: 1 rule that fired says it is used up.
func TestLiveRulesCountWhatFired(t *testing.T) {
	f := &liveFake{sessions: "[]"}
	p := newLivePage(t, "#tab=live", f)
	p.do(func(m *Model) { m.AddQuickRule("dropData") })
	p.do(func(m *Model) { m.AddQuickRule("rcpt550") })
	p.do(func(m *Model) { m.RemoveLiveRule(1) })
	p.wants("fault panel", p.el("live-faults"), "fault 2: RCPT TO:* → 550", `data-n="2"`, view.T("en", "live.notFired"))
	p.lacks("fault panel", p.el("live-faults"), `data-n="1"`, "end-of-data")

	// The real server's rule fires on a session's RCPT; the stream brings
	// the reply with the rule's name on it.
	o := f.rs.Check("smtp", "mail.example.com", "RCPT TO:<bob@example.com>")
	if o == nil || !strings.HasPrefix(o.Rule, "fault 2: ") {
		t.Fatalf("the fake server's rule did not fire as rule 2: %+v", o)
	}
	ups := fakeSession(3)
	for _, u := range ups {
		p.do(func(m *Model) { m.LiveUpdate(u) })
	}
	info := ups[len(ups)-1].Session
	info.Steps++
	reply := trace.Step{Kind: trace.Reply, Proto: "smtp", ByServer: true, Conn: 3, Text: o.Reply, Code: 550, ReplyTo: "RCPT", Fault: o.Rule}
	before := len(p.requests)
	p.do(func(m *Model) { m.LiveUpdate(LiveUpdate{Session: info, Step: &reply}) })
	asked := false
	for _, r := range p.requests[before:] {
		asked = asked || (r.Method == "GET" && r.Path == LiveFaultsPath)
	}
	if !asked {
		t.Error("a rule fired and the page did not ask for the rules again")
	}
	p.wants("fault panel", p.el("live-faults"), `class="used-up"`, view.Tf("en", "live.usedUp", "n", "1"))
	p.do(func(m *Model) { m.SetLang(LangZH) })
	p.wants("fault panel", p.el("live-faults"), "故障规则 2：", view.Tf("zh", "live.usedUp", "n", "1"))
}

// From another machine the panel asks for serve's --fault-token: a wrong
// one is refused in so many words, the right one opens the panel, and
// every fault request then carries it (and only those requests).
func TestLiveFaultToken(t *testing.T) {
	f := &liveFake{sessions: "[]", forbidden: true, token: "s3cret"}
	p := newLivePage(t, "#tab=live", f)
	p.wants("fault panel", p.el("live-faults"), view.T("en", "live.forbidden"), `id="live-token-input"`, `type="password"`, `data-action="live-token"`)
	if k := p.m.KeyFor("Enter", "INPUT", "live-token-input", "", false, false); k != KeyToken {
		t.Errorf("Enter in the token field = %v, want KeyToken", k)
	}

	p.do(func(m *Model) { m.SetFaultToken("guess") })
	p.wants("fault panel", p.el("live-faults"), view.T("en", "live.tokenRefused"), `id="live-token-input"`)

	p.do(func(m *Model) { m.SetFaultToken(" s3cret ") })
	p.lacks("fault panel", p.el("live-faults"), view.T("en", "live.tokenRefused"), `id="live-token-input"`)
	p.wants("fault panel", p.el("live-faults"), `data-action="live-quick"`)
	p.do(func(m *Model) { m.AddQuickRule("rcpt550") })
	if r := p.lastRequest(); r.Method != "POST" || r.Token != "s3cret" {
		t.Errorf("POST after the token: %+v", r)
	}
	if len(f.rules()) != 1 {
		t.Errorf("rules %+v, want the quick rule", f.rules())
	}
	for _, r := range p.requests {
		if r.Token != "" && !strings.HasPrefix(r.Path, LiveFaultsPost) {
			t.Errorf("the token went with %s %s", r.Method, r.Path)
		}
	}
	if strings.Contains(p.url, "s3cret") || strings.Contains(fmt.Sprint(p.store), "s3cret") {
		t.Error("the token was kept in the URL or in storage")
	}
	p.do(func(m *Model) { m.SetLang(LangZH) })
	p.do(func(m *Model) { m.SetFaultToken("guess") })
	p.wants("fault panel", p.el("live-faults"), view.T("zh", "live.tokenRefused"), view.T("zh", "live.tokenLabel"))
}

// A live session can be stepped like a simulated one: the arrow keys move
// a cursor back through what has arrived, the view stays there while new
// lines come in, and End (or stepping past the newest line) follows the
// session again.
func TestLiveStepping(t *testing.T) {
	f := &liveFake{sessions: "[]"}
	p := newLivePage(t, "#tab=live", f)
	ups := fakeSession(4)
	for _, u := range ups {
		p.do(func(m *Model) { m.LiveUpdate(u) })
	}
	last := len(ups) - 1
	p.wants("position", p.el("live-pos"), view.Tf("en", "live.posFollow", "n", strconv.Itoa(last+1), "total", strconv.Itoa(last+1)), `data-action="live-back"`)
	p.wants("transcript", p.el("live-transcript"), "RCPT TO:&lt;bob@example.com&gt;")

	if k := p.m.KeyFor("ArrowLeft", "BODY", "", "", false, false); k != KeyBack {
		t.Fatalf("← on the Live tab = %v, want KeyBack", k)
	}
	if k := p.m.KeyFor(" ", "BODY", "", "", false, false); k != KeyNone {
		t.Errorf("space on the Live tab = %v: a live session has nothing to play", k)
	}
	simStep := p.m.State().Step
	p.do((*Model).StepBack)
	p.do((*Model).StepBack)
	if cur, following := p.m.liveCursor(); cur != last-2 || following {
		t.Fatalf("after two steps back: cursor %d following %v, want %d and not following", cur, following, last-2)
	}
	p.wants("position", p.el("live-pos"), view.Tf("en", "live.pos", "n", strconv.Itoa(last-1), "total", strconv.Itoa(last+1)))
	p.lacks("transcript", p.el("live-transcript"), "RCPT TO:")
	if p.m.State().Step != simStep || p.m.State().Tab != TabLive {
		t.Errorf("stepping the live session moved the simulation: %+v", p.m.State())
	}

	// A new line arrives: the count grows, the view stays where it was.
	info := ups[last].Session
	info.Steps++
	reply := trace.Step{Kind: trace.Reply, Proto: "smtp", ByServer: true, Conn: 4, Text: "250 2.1.5 Ok", Code: 250, Enhanced: "2.1.5", ReplyTo: "RCPT"}
	p.do(func(m *Model) { m.LiveUpdate(LiveUpdate{Session: info, Step: &reply}) })
	if n := len(p.m.LiveTrace().Steps); n != last+2 {
		t.Fatalf("%d steps after the new line, want %d", n, last+2)
	}
	p.wants("position", p.el("live-pos"), view.Tf("en", "live.pos", "n", strconv.Itoa(last-1), "total", strconv.Itoa(last+2)))
	p.lacks("transcript", p.el("live-transcript"), "RCPT TO:", `data-enhanced="2.1.5"`)

	p.do((*Model).Reset)
	if cur, _ := p.m.liveCursor(); cur != 0 {
		t.Errorf("Home: cursor %d, want 0", cur)
	}
	p.do((*Model).End)
	p.wants("transcript", p.el("live-transcript"), "RCPT TO:&lt;bob@example.com&gt;", `data-enhanced="2.1.5"`)
	for range 10 {
		p.do((*Model).StepBack)
	}
	for range 20 {
		p.do((*Model).StepForward)
	}
	if cur, following := p.m.liveCursor(); cur != last+1 || !following {
		t.Errorf("stepping past the newest line: cursor %d following %v, want %d and following", cur, following, last+1)
	}
	p.do(func(m *Model) { m.SetLang(LangZH) })
	p.wants("position", p.el("live-pos"), view.Tf("zh", "live.posFollow", "n", strconv.Itoa(last+2), "total", strconv.Itoa(last+2)), view.T("zh", "live.back"))

	// The session ends; someone steps back through it; a new session
	// starts: the page does not take the session being read away.
	ended := info
	ended.Live, ended.Steps = false, ended.Steps+1
	closeStep := trace.Step{Kind: trace.Close, Proto: "smtp", Conn: 4, Text: "connection 4 closed"}
	p.do(func(m *Model) { m.LiveUpdate(LiveUpdate{Session: ended, Step: &closeStep}) })
	p.do((*Model).StepBack)
	for _, u := range fakeSession(5)[:1] {
		p.do(func(m *Model) { m.LiveUpdate(u) })
	}
	if tr := p.m.LiveTrace(); tr == nil || tr.Steps[0].Conn != 4 {
		t.Error("a new session replaced the one being stepped through")
	}
	p.do((*Model).End) // back to following: the next new session opens
	for _, u := range fakeSession(6)[:1] {
		p.do(func(m *Model) { m.LiveUpdate(u) })
	}
	if tr := p.m.LiveTrace(); tr == nil || tr.Steps[0].Conn != 6 {
		t.Error("following again, the next new session did not open")
	}
}

// liveCursor is the step of the open session on screen and whether it
// follows the newest line.
func (m *Model) liveCursor() (step int, following bool) {
	if m.live.tr == nil {
		return -1, !m.live.pinned
	}
	return m.live.at(m.live.tr), !m.live.pinned
}

// The fault menu of a masked PASS line adds a rule for that session's user
// only, and the panel says whose it is.
func TestLiveRuleFromMaskedLine(t *testing.T) {
	f := &liveFake{sessions: "[]"}
	p := newLivePage(t, "#tab=live", f)
	info := LiveInfo{ID: 3, Proto: "pop3", Client: "127.0.0.1:40000", Server: "mail.example.com", Listen: "127.0.0.1:1110",
		Start: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), Live: true}
	steps := []trace.Step{
		{Kind: trace.Connect, Proto: "pop3", From: info.Client, To: info.Server, Text: "pop3"},
		{Kind: trace.Reply, Proto: "pop3", From: info.Server, To: info.Client, ByServer: true, Text: "+OK mail.example.com POP3 ready.", Status: "+OK", ReplyTo: "GREETING"},
		{Kind: trace.Command, Proto: "pop3", From: info.Client, To: info.Server, Text: "USER bob", Verb: "USER"},
		{Kind: trace.Reply, Proto: "pop3", From: info.Server, To: info.Client, ByServer: true, Text: "+OK", Status: "+OK", ReplyTo: "USER"},
		{Kind: trace.Command, Proto: "pop3", From: info.Client, To: info.Server, Text: "PASS " + trace.Mask, Verb: "PASS", Masked: true},
	}
	for i, s := range steps {
		s.Conn = info.ID
		info.Steps = i + 1
		p.do(func(m *Model) { m.LiveUpdate(LiveUpdate{Session: info, Step: &s}) })
	}
	p.do(func(m *Model) { m.OpenLiveFaultMenu(len(steps) - 1) })
	p.do(func(m *Model) { m.AddFault(0, true) })
	got := f.rules()[len(f.rules())-1]
	if got.When != "PASS" || got.User != "bob" || got.Protocol != "pop3" || strings.Contains(got.When+got.Then, trace.Mask) {
		t.Fatalf("the rule from the masked line: %+v", got)
	}
	p.wants("fault panel", p.el("live-faults"), "PASS (user bob) → -ERR")
	p.do(func(m *Model) { m.SetLang(LangZH) })
	p.wants("fault panel", p.el("live-faults"), "PASS（仅用户 bob） → -ERR")
}
