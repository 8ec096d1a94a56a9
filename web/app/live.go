package app

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"maillab/sim/scenario"
	"maillab/sim/trace"
)

// The live view: native mode's real sessions (`maillab serve --smtp …`),
// drawn with the same views as a scenario while their lines arrive, and
// the fault panel applied to the real servers. The page learns that the
// server runs native mode when live/sessions.json answers (404 without
// it: the Live tab stays hidden), then follows live/events, an event
// stream of LiveUpdates, and reloads what it shows whenever the stream
// (re)connects. The server side is cmd_serve_live.go in the maillab
// command.

// TabLive is the Live tab, shown only when the server runs native mode.
const TabLive = "live"

// LiveAttr is the attribute of <html> by which the server says it runs
// native mode's live view (web.LiveAttr; the page cannot import package
// web, which is the server's).
const LiveAttr = "data-live"

// Paths of native mode's live view, relative to the page.
const (
	LiveSessionsPath = "live/sessions.json" // GET: []LiveInfo
	LiveEventsPath   = "live/events"        // server-sent events: LiveUpdate as JSON
	LiveFaultsPath   = "live/faults.json"   // GET: []LiveRule
	LiveFaultsPost   = "live/faults"        // POST a LiveRule; DELETE live/faults/N
)

// LiveTracePath is where one session's whole trace is.
func LiveTracePath(id int) string { return "live/trace/" + strconv.Itoa(id) + ".json" }

// LiveInfo is one native session as the server lists it (native.Info,
// which the page cannot import: it is the server's, and not built for
// wasm).
type LiveInfo struct {
	ID     int       `json:"id"`
	Proto  string    `json:"proto"`
	Client string    `json:"client"`
	Server string    `json:"server"`
	Listen string    `json:"listen"`
	TLS    bool      `json:"tls"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end,omitzero"`
	Live   bool      `json:"live"`
	Steps  int       `json:"steps"`
	Drops  int       `json:"dropped,omitempty"`
}

// LiveUpdate is one event of the stream (native.Update): a step, a log
// line or an envelope of a session, with the session as it is after it.
type LiveUpdate struct {
	Session  LiveInfo        `json:"session"`
	Step     *trace.Step     `json:"step,omitempty"`
	Log      *trace.LogLine  `json:"log,omitempty"`
	Envelope *trace.Envelope `json:"envelope,omitempty"`
}

// LiveRule is a fault rule of the real servers, as live/faults.json lists
// it and POST live/faults takes it.
type LiveRule struct {
	N        int    `json:"n,omitempty"` // its number for good, from 1 (listing only; fault.Entry.ID)
	When     string `json:"when"`
	Then     string `json:"then"`
	Server   string `json:"server,omitempty"`
	Protocol string `json:"protocol,omitempty"`
	Nth      int    `json:"nth,omitempty"`
	Times    int    `json:"times,omitempty"`
	User     string `json:"user,omitempty"`  // only sessions of this user (fault.Rule.User)
	Fired    int    `json:"fired,omitempty"` // times it changed a dialogue so far (listing only)
}

// UsedUp reports whether the rule has fired all the times it may.
func (r LiveRule) UsedUp() bool { return r.Times > 0 && r.Fired >= r.Times }

// LiveQuick are the fault panel's ready-made rules, by the name of their
// button.
var LiveQuick = map[string]LiveRule{
	"rcpt550":  {When: "RCPT TO:*", Then: "550 5.1.1 Recipient address rejected: User unknown in local recipient table", Protocol: "smtp", Times: 1},
	"greylist": {When: "RCPT TO:*", Then: "451 4.7.1 Recipient address rejected: Greylisted, try again later", Protocol: "smtp", Times: 1},
	"dropData": {When: "end-of-data", Then: "drop", Protocol: "smtp"},
}

// liveQuickOrder is the order of the quick buttons, with their labels.
var liveQuickOrder = []struct{ name, label string }{
	{"rcpt550", "live.quickRcpt"}, {"greylist", "live.quickGrey"}, {"dropData", "live.quickDrop"},
}

// The event stream's state.
const (
	streamOff        = iota // not opened
	streamConnecting        // opened, waiting for it
	streamOpen              // updates arrive
	streamLost              // closed; retried after StreamRetry
)

// StreamRetry is how long the page waits before it opens the stream again
// once the browser gave up on it (the server answered with an error).
const StreamRetry = 5 * time.Second

// liveKeep bounds the ended sessions the list keeps (the server keeps 50).
const liveKeep = 100

// liveState is the Live tab.
type liveState struct {
	server    bool // the page says the server runs native mode (EnableLive)
	checked   bool // sessions.json answered, one way or the other
	available bool // … with the sessions: the server runs native mode
	stream    int
	sessions  []LiveInfo // oldest first

	open    int          // the session shown; 0: none
	follow  bool         // open each new session as it starts
	tr      *trace.Trace // its trace so far; nil while it loads
	gone    bool         // the server no longer has it
	fetches int          // its trace is being fetched this many times
	epoch   int          // how many times a session was opened
	// since are the open session's updates since its trace was last asked
	// for: applied again over the trace when it comes, so that nothing
	// between the server's copy and the stream is lost or doubled.
	since []LiveUpdate
	// snapSteps is how many steps the trace had when it came from the
	// server: a log line or an envelope of that moment may be in it or
	// not, and is compared to tell.
	snapSteps int

	rules     []LiveRule
	rulesOK   bool     // the fault endpoints answer this page
	rulesMsg  *message // the last refusal
	forbidden bool     // … they answer 403: not from this machine
	token     string   // serve's --fault-token, as typed in this tab (kept nowhere else)

	inflight map[string]bool // GETs asked for and not answered

	drawn *trace.Trace // the trace the views below were made for
	// pinned is set when the arrow keys or the step buttons moved the
	// cursor off the newest line: cursor is then the step on screen.
	// Unset (the zero value), the view follows the newest line.
	pinned bool
	cursor int
}

// EnableLive tells the model, before Start, that the page came from a
// server with native mode (web.LiveAttr on <html>): it asks for the live
// sessions then, and only then (a page without it, or a static copy of the
// lab, has no live/ to ask).
func (m *Model) EnableLive() { m.live.server = true }

// Live reports whether the server runs native mode (the Live tab is shown).
func (m *Model) Live() bool { return m.live.available }

// LiveTrace returns the live session on screen, as far as it has come (nil
// if none).
func (m *Model) LiveTrace() *trace.Trace { return m.live.tr }

// LiveSessions lists the sessions the Live tab knows, oldest first.
func (m *Model) LiveSessions() []LiveInfo { return m.live.sessions }

// LiveRules lists the real servers' fault rules, as last heard.
func (m *Model) LiveRules() []LiveRule { return m.live.rules }

// request asks the browser for an HTTP request; GETs already asked for
// are not asked again.
func (m *Model) request(method, path, body string) {
	if method == "GET" {
		if m.live.inflight[path] {
			return
		}
		if m.live.inflight == nil {
			m.live.inflight = map[string]bool{}
		}
		m.live.inflight[path] = true
	}
	c := Cmd{Kind: Request, Method: method, Path: path, Text: body}
	if strings.HasPrefix(path, LiveFaultsPost) {
		c.Token = m.live.token
	}
	m.cmds = append(m.cmds, c)
}

// SetFaultToken is the token a person typed in the fault panel of a page
// opened from another machine: serve started with --fault-token T lets
// whoever sends T inject faults. It is kept in this page only (not in the
// URL, not in storage), and tried at once.
func (m *Model) SetFaultToken(token string) {
	m.live.token = strings.TrimSpace(token)
	m.live.rulesMsg = nil
	m.dirty |= dLiveFaults
	m.request("GET", LiveFaultsPath, "")
}

// RequestDone hands over the answer to a Request: its status (0 when
// there was none, with err) and body.
func (m *Model) RequestDone(method, path string, status int, body []byte, err error) {
	if method == "GET" {
		delete(m.live.inflight, path)
	}
	switch {
	case path == LiveSessionsPath:
		m.sessionsLoaded(status, body, err)
	case strings.HasPrefix(path, "live/trace/"):
		m.traceLoaded(path, status, body, err)
	case path == LiveFaultsPath || strings.HasPrefix(path, LiveFaultsPost):
		m.rulesAnswered(method, status, body, err)
	}
}

func (m *Model) sessionsLoaded(status int, body []byte, err error) {
	l := &m.live
	var list []LiveInfo
	if err != nil || status != 200 || json.Unmarshal(body, &list) != nil {
		if !l.available {
			// No native mode (404), or no server: no Live tab.
			l.checked = true
			if m.st.Tab == TabLive {
				m.st.Tab = TabSession
				m.dirty |= dTabs
			}
		}
		return
	}
	first := !l.available
	l.checked, l.available = true, true
	// The server's list, and the sessions the stream told of since.
	byID := map[int]LiveInfo{}
	newest := 0
	for _, s := range list {
		byID[s.ID] = s
		newest = max(newest, s.ID)
	}
	for _, s := range l.sessions {
		if old, ok := byID[s.ID]; ok && (s.Steps > old.Steps || !s.Live && old.Live) || !ok && s.ID > newest {
			byID[s.ID] = s
		}
	}
	l.sessions = l.sessions[:0]
	for _, s := range byID {
		l.sessions = append(l.sessions, s)
	}
	slices.SortFunc(l.sessions, func(a, b LiveInfo) int { return a.ID - b.ID })
	m.dirty |= dLiveList | dTabs
	if first {
		l.follow = true
		m.request("GET", LiveFaultsPath, "")
		if l.open == 0 && len(l.sessions) > 0 {
			m.openLive(l.sessions[len(l.sessions)-1].ID)
		}
	}
	if l.stream == streamOff {
		l.stream = streamConnecting
		m.cmds = append(m.cmds, Cmd{Kind: Stream, Path: LiveEventsPath})
		m.dirty |= dLiveList
	}
}

// StreamOpened is told that the event stream is connected (again): what
// happened while it was not is reloaded.
func (m *Model) StreamOpened() {
	l := &m.live
	l.stream = streamOpen
	m.dirty |= dLiveList
	m.request("GET", LiveSessionsPath, "")
	m.request("GET", LiveFaultsPath, "")
	if l.open != 0 {
		m.fetchLive(true)
	}
}

// StreamEvent hands over an event of the stream: name is its type ("" for
// an update), data its data.
func (m *Model) StreamEvent(name, data string) {
	switch name {
	case "", "message":
		var u LiveUpdate
		if json.Unmarshal([]byte(data), &u) == nil && u.Session.ID > 0 {
			m.LiveUpdate(u)
		}
	case "dropped":
		// The server dropped the stream because the page fell behind: the
		// browser reconnects, and StreamOpened reloads.
		m.live.stream = streamConnecting
		m.dirty |= dLiveList
	}
}

// StreamError is told that the stream failed; closed when the browser
// gave up on it (otherwise it reconnects by itself).
func (m *Model) StreamError(closed bool) {
	l := &m.live
	if l.stream == streamOff {
		return
	}
	l.stream = streamConnecting
	if closed {
		l.stream = streamLost
		m.cmds = append(m.cmds, Cmd{Kind: Stream, Path: LiveEventsPath, Wait: StreamRetry})
	}
	m.dirty |= dLiveList
}

// LiveUpdate applies one update of the stream.
func (m *Model) LiveUpdate(u LiveUpdate) {
	l := &m.live
	if !l.available {
		return
	}
	m.noteSession(u.Session)
	m.dirty |= dLiveList
	if u.Step != nil && u.Step.Fault != "" && l.rulesOK {
		m.request("GET", LiveFaultsPath, "") // a rule fired: its count changed (one request at a time)
	}
	id := u.Session.ID
	if u.Step != nil && u.Step.Kind == trace.Connect && u.Session.Steps == 1 && l.follow && id != l.open {
		// Not while someone steps through the session on screen: they
		// are reading it.
		if cur, ok := l.info(l.open); (l.open == 0 || !ok || !cur.Live) && !l.pinned {
			// A new session, followed from its first step: no need to
			// ask the server for what the page has seen.
			l.open, l.gone, l.fetches, l.since, l.snapSteps, l.pinned = id, false, 0, nil, 0, false
			l.epoch++
			l.tr = liveHeader(u.Session)
			m.closeLiveDialogs()
		}
	}
	if id != l.open {
		return
	}
	if l.fetches > 0 {
		l.since = append(l.since, u)
	}
	if l.tr == nil {
		if l.fetches == 0 && !l.gone {
			m.fetchLive(false) // the last try failed: the session goes on, try again
		}
		return // the trace is on its way; since has the update
	}
	if !l.apply(u) {
		m.fetchLive(false) // a gap: updates were lost
	}
	m.dirty |= dLiveView
}

// noteSession keeps the list of sessions current.
func (m *Model) noteSession(s LiveInfo) {
	l := &m.live
	i, found := slices.BinarySearchFunc(l.sessions, s.ID, func(a LiveInfo, id int) int { return a.ID - id })
	if found {
		l.sessions[i] = s
		return
	}
	l.sessions = slices.Insert(l.sessions, i, s)
	ended := 0
	for _, x := range l.sessions {
		if !x.Live {
			ended++
		}
	}
	if ended > liveKeep {
		l.sessions = slices.DeleteFunc(l.sessions, func(x LiveInfo) bool {
			if !x.Live && ended > liveKeep && x.ID != l.open {
				ended--
				return true
			}
			return false
		})
	}
}

func (l *liveState) info(id int) (LiveInfo, bool) {
	i, found := slices.BinarySearchFunc(l.sessions, id, func(a LiveInfo, id int) int { return a.ID - id })
	if !found {
		return LiveInfo{}, false
	}
	return l.sessions[i], true
}

// apply adds an update to the open session's trace, unless the trace has
// it already. It reports false when updates are missing before it.
// The trace is never changed in place: the views keep the one they drew.
func (l *liveState) apply(u LiveUpdate) bool {
	t := *l.tr
	switch {
	case u.Step != nil:
		i := u.Session.Steps - 1 // the hub counts the steps it kept, this one included
		switch {
		case i < len(t.Steps):
			return true // had it
		case i > len(t.Steps):
			return false
		}
		t.Steps = append(t.Steps, *u.Step)
	case u.Log != nil:
		if l.had(u, func() bool { return slices.Contains(t.Log, *u.Log) }) {
			return true
		}
		t.Log = append(t.Log, *u.Log)
	case u.Envelope != nil:
		if l.had(u, func() bool {
			return slices.ContainsFunc(t.Envelopes, func(e trace.Envelope) bool { return reflect.DeepEqual(e, *u.Envelope) })
		}) {
			return true
		}
		t.Envelopes = append(t.Envelopes, *u.Envelope)
	default:
		return true
	}
	l.tr = &t
	return true
}

// had tells whether a log line or envelope is in the trace already: it is
// if it came before the server's copy was made, and may be if it came
// with that copy's last step.
func (l *liveState) had(u LiveUpdate, in func() bool) bool {
	switch k := u.Session.Steps; {
	case k < l.snapSteps:
		return true
	case k == l.snapSteps:
		return in()
	}
	return false
}

// liveHeader starts a session's trace from its first update, as the
// server's hub starts it (native.Hub: the title and the two actors).
func liveHeader(s LiveInfo) *trace.Trace {
	up := strings.ToUpper(s.Proto)
	role := "msa"
	if s.Proto == "pop3" {
		role = "pop3"
	}
	return &trace.Trace{
		Title: up + " session " + strconv.Itoa(s.ID) + ": " + s.Client + " → " + s.Server,
		Start: s.Start,
		Actors: []trace.Actor{
			{Name: s.Client, Role: "mua", Desc: "a real client connected from " + s.Client},
			{Name: s.Server, Role: role, Desc: "maillab's " + up + " server on " + s.Listen},
		},
	}
}

// --- stepping through a live session ---

// at is the step on screen of tr: the newest while following.
func (l *liveState) at(tr *trace.Trace) int {
	last := len(tr.Steps) - 1
	if !l.pinned || l.cursor > last {
		return last
	}
	return l.cursor
}

// LiveStep moves the open session's cursor d steps (the arrow keys on the
// Live tab, the step buttons); reaching the newest line follows new lines
// again, so that a session being watched keeps growing on screen.
func (m *Model) LiveStep(d int) {
	l := &m.live
	if l.tr == nil || len(l.tr.Steps) == 0 {
		return
	}
	last := len(l.tr.Steps) - 1
	cur := max(l.at(l.tr)+d, 0)
	l.pinned, l.cursor = cur < last, cur
	m.dirty |= dLiveView
}

// LiveFirst shows the open session's first line (Home on the Live tab).
func (m *Model) LiveFirst() {
	if m.live.tr != nil {
		m.live.pinned, m.live.cursor = len(m.live.tr.Steps) > 1, 0
		m.dirty |= dLiveView
	}
}

// LiveFollow shows the newest line and follows new ones (End).
func (m *Model) LiveFollow() {
	m.live.pinned = false
	m.dirty |= dLiveView
}

// OpenLive shows a session of the list (a click on it); picking one stops
// following new sessions.
func (m *Model) OpenLive(id int) {
	if id == m.live.open {
		return
	}
	m.live.follow = false
	m.openLive(id)
}

func (m *Model) openLive(id int) {
	l := &m.live
	l.open, l.tr, l.gone, l.fetches, l.since, l.pinned = id, nil, false, 0, nil, false
	l.epoch++
	m.closeLiveDialogs()
	m.fetchLive(true)
	m.dirty |= dLiveList | dLiveView
}

// fetchLive asks for the open session's trace, unless it is being fetched
// already (force: ask again all the same, after the stream reconnected,
// since the copy on its way may predate what the page missed meanwhile).
// Each opening of a session is an epoch, in the request's query, so that a
// copy asked for before it is not taken after it.
func (m *Model) fetchLive(force bool) {
	l := &m.live
	if l.fetches > 0 && !force {
		return
	}
	if l.fetches == 0 {
		l.since = nil
	}
	l.fetches++
	m.cmds = append(m.cmds, Cmd{Kind: Request, Method: "GET", Path: m.liveTraceURL()})
}

func (m *Model) liveTraceURL() string {
	return LiveTracePath(m.live.open) + "?v=" + strconv.Itoa(m.live.epoch)
}

func (m *Model) traceLoaded(path string, status int, body []byte, err error) {
	l := &m.live
	if path != m.liveTraceURL() {
		return // asked for before the session on screen was opened
	}
	l.fetches = max(0, l.fetches-1)
	defer func() {
		if l.fetches == 0 {
			l.since = nil
		}
	}()
	m.dirty |= dLiveView
	if status == 404 {
		if l.tr == nil {
			l.gone = true
		}
		return
	}
	var t trace.Trace
	if err != nil || status != 200 || json.Unmarshal(body, &t) != nil {
		return // the stream goes on; the next gap or reconnection asks again
	}
	if l.tr != nil && len(t.Steps) < len(l.tr.Steps) {
		return // an older copy than what the stream built
	}
	l.tr, l.gone, l.snapSteps = &t, false, len(t.Steps)
	for _, u := range l.since {
		if !l.apply(u) {
			m.fetchLive(false)
			return
		}
	}
}

// SetFollow turns following new sessions on or off.
func (m *Model) SetFollow(on bool) {
	m.live.follow = on
	m.dirty |= dLiveList
}

// Follow reports whether new sessions open as they start.
func (m *Model) Follow() bool { return m.live.follow }

// --- the fault panel of the real servers ------------------------------------

// AddLiveRule asks the server to add a fault rule.
func (m *Model) AddLiveRule(r LiveRule) {
	r.N, r.Fired = 0, 0
	b, _ := json.Marshal(r) // strings and ints always encode
	m.request("POST", LiveFaultsPost, string(b))
}

// AddQuickRule adds one of the ready-made rules (LiveQuick).
func (m *Model) AddQuickRule(name string) {
	if r, ok := LiveQuick[name]; ok {
		m.AddLiveRule(r)
	}
}

// RemoveLiveRule asks the server to remove the rule numbered n.
func (m *Model) RemoveLiveRule(n int) {
	if n < 1 {
		return
	}
	m.request("DELETE", LiveFaultsPost+"/"+strconv.Itoa(n), "")
}

func (m *Model) rulesAnswered(method string, status int, body []byte, err error) {
	l := &m.live
	m.dirty |= dLiveFaults
	switch {
	case err != nil:
		l.rulesMsg = msg("live.refused", "error", err.Error())
	case status == 403:
		l.rulesOK, l.forbidden, l.rulesMsg, l.rules = false, true, nil, nil
		if l.token != "" {
			l.rulesMsg = msg("live.tokenRefused")
		}
	case status == 200 || status == 201:
		var rules []LiveRule
		if json.Unmarshal(body, &rules) != nil {
			return
		}
		l.rules, l.rulesOK, l.forbidden = rules, true, false
		if method != "GET" {
			l.rulesMsg = nil // a change went through: the last refusal is old news
		}
	default:
		text := strings.TrimSpace(string(body))
		if text == "" {
			text = "HTTP " + strconv.Itoa(status)
		}
		l.rulesMsg = msg("live.refused", "error", text)
		if method == "DELETE" {
			m.request("GET", LiveFaultsPath, "") // someone else changed them
		}
	}
}

// OpenLiveFaultMenu offers the faults that can be injected on a line of
// the live session, for the real servers.
func (m *Model) OpenLiveFaultMenu(step int) {
	tr := m.live.tr
	if tr == nil || step < 0 || step >= len(tr.Steps) || !m.live.rulesOK {
		return
	}
	m.menuStep, m.menuLive = step, true
	m.dirty |= dMenu
	m.cmds = append(m.cmds, Cmd{Kind: Dialog, Key: "fault-menu", Open: true})
}

// ExplainLive opens the explanation card of a line of the live session.
func (m *Model) ExplainLive(step int) {
	tr := m.live.tr
	if tr == nil || step < 0 || step >= len(tr.Steps) {
		return
	}
	m.stop()
	m.explainTerm, m.explainLive, m.explainStep = false, true, step
	m.dirty |= dExplain
	m.cmds = append(m.cmds, Cmd{Kind: Dialog, Key: "explain", Open: true})
}

// closeLiveDialogs closes a card or menu about the session shown before.
func (m *Model) closeLiveDialogs() {
	if m.explainLive {
		m.closeDialog("explain")
	}
	if m.menuLive {
		m.closeDialog("fault-menu")
	}
}

// liveSpec is a fault menu's choice as a rule for the real servers.
func liveSpec(f scenario.FaultSpec) LiveRule {
	return LiveRule{When: f.When, Then: f.Then, Server: f.Server, Protocol: f.Protocol, Nth: f.Nth, Times: f.Times, User: f.User}
}
