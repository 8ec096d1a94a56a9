// Package app is the browser lab's page model: which lesson is open, which
// scenario runs beside it with which faults, where the cursor is, what the
// terminal has typed, which language, which tab. It is plain Go, tested
// natively; the wasm program (wasm/) only turns DOM events into calls on
// the Model (through the one Queue) and writes the Model's Patches into
// the page.
//
// Data flows one way: lesson → scenario spec → run → trace → web/view →
// patches. Every change is a method call; after a batch of calls the glue
// asks Render for the patches and TakeCmds for what the browser must do
// (fetch, save, copy, download, open a dialog, rewrite the URL).
package app

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"maillab/lessons"
	"maillab/sim/fault"
	"maillab/sim/scenario"
	"maillab/sim/trace"
	"maillab/web/course"
	"maillab/web/view"
)

// What needs repainting (Model.dirty).
const (
	dLabels     = 1 << iota // the language: every label
	dPicker                 // the lesson picker
	dLesson                 // the lesson's text
	dExercises              // the exercises' status
	dSession                // everything that follows the cursor
	dFaults                 // the fault panel
	dEditor                 // the editor's text
	dEditorMsg              // the editor's errors
	dTerminal               // the terminal
	dTabs                   // which tab is shown
	dPlay                   // the play button
	dExplain                // the explanation card
	dMenu                   // the fault menu
	dCopy                   // the copy status
	dLiveList               // the Live tab: its sessions and the stream's state
	dLiveView               // the live session on screen
	dLiveFaults             // the real servers' fault rules
	dAll        = 1<<iota - 1
)

// Storage keys (localStorage), shared with boot.js for the language.
const (
	KeyLang = "maillab.lang"
	KeyDone = "maillab.done"
)

// PlayEvery is the time between two steps when playing at speed 1.
const PlayEvery = 700 * time.Millisecond

// Model is the page's state and what follows from it.
type Model struct {
	st State

	index    *course.Index
	docs     map[string]*course.Doc // fetched documents by DocPath
	doc      *course.Doc            // the lesson on screen
	docHash  string                 // its hash in the index when it was loaded
	fileDoc  bool                   // doc is a file the student opened
	loadErr  *message               // why the course or the lesson did not load
	fetching map[string]bool
	polling  bool
	stale    bool // the lesson on screen changed on the server
	reloaded bool // … and was reloaded: say so

	lessonSrc string         // the lesson's text of the running scenario
	specTitle string         // its title
	spec      *scenario.Spec // what runs (the student's version if valid)
	specSrc   string         // its text
	specErrs  []course.Problem
	tr        *trace.Trace
	runErr    string

	termSpec *scenario.Spec
	term     *scenario.Terminal
	termTr   *trace.Trace
	termErr  string
	termTLS  bool // the last line typed started TLS

	playing bool
	speed   float64

	explainTerm bool
	explainLive bool // the card is about the live session
	explainStep int  // -1: no card
	menuStep    int  // -1: no fault menu
	menuLive    bool // the menu is about the live session (its rules go to the real servers)
	copyStatus  string

	live liveState // the Live tab (live.go)

	seqView  *view.Sequence       // the session's trace laid out, for any cursor
	trView   *view.TranscriptView // its transcript
	liveSeq  *view.Sequence       // the live session's, as far as it has come
	liveTr   *view.TranscriptView
	diagrams map[string]string // state diagrams already drawn
	packed   map[string]string // texts already packed for the URL

	statuses map[statusKey][]lessons.Unmet // exercises already checked

	done    map[string]bool // "lesson/exercise" → completed once
	dirty   int
	cmds    []Cmd
	lastURL string
	ready   bool // the first trace has been shown
}

// New returns a model for the state a link (or boot.js's choices) gave,
// and the exercises completed before (the KeyDone value, JSON).
func New(st State, done string) *Model {
	m := &Model{st: st, docs: map[string]*course.Doc{}, fetching: map[string]bool{}, speed: 1,
		explainStep: -1, menuStep: -1, done: map[string]bool{}, statuses: map[statusKey][]lessons.Unmet{}, dirty: dAll}
	m.st.Lang = normLang(m.st.Lang)
	if m.st.Tab == "" {
		m.st.Tab = TabSession
	}
	if m.st.Proto == "" {
		m.st.Proto = "smtp"
	}
	var list []string
	if json.Unmarshal([]byte(done), &list) == nil {
		for _, k := range list {
			m.done[k] = true
		}
	}
	return m
}

// State returns what the URL describes.
func (m *Model) State() State { return m.st }

// Trace returns the session's trace (nil before the first run).
func (m *Model) Trace() *trace.Trace { return m.tr }

// TerminalTrace returns the terminal's dialogue (nil before it connects).
func (m *Model) TerminalTrace() *trace.Trace { return m.termTr }

// pack is packText with a memory: the URL is written after every change,
// and deflating an edited scenario or a lesson file each time would cost
// more than the whole repaint.
func (m *Model) pack(s string) string {
	if p, ok := m.packed[s]; ok {
		return p
	}
	if m.packed == nil || len(m.packed) > 16 {
		m.packed = map[string]string{}
	}
	p := packText(s)
	m.packed[s] = p
	return p
}

// Cursor is the index of the last step shown (-1: none).
func (m *Model) Cursor() int { return m.st.Step - 1 }

// Ready reports whether a trace is on screen: the page can be used.
func (m *Model) Ready() bool { return m.ready }

// Start asks for the course (or opens the file the link carries).
func (m *Model) Start() {
	if m.live.server {
		m.request("GET", LiveSessionsPath, "") // the Live tab, once it answers
	} else {
		m.live.checked = true
		if m.st.Tab == TabLive {
			m.st.Tab = TabSession
		}
	}
	if m.st.File != "" {
		m.openFile(m.st.File, []byte(m.st.FileSrc))
	}
	m.fetch(course.IndexPath)
	if m.st.File == "" && m.st.Lesson != "" {
		// Ask for the lesson at the same time as the index.
		m.fetch(course.DocPath(courseLang(m.st.Lang), m.st.Lesson))
	}
}

func (m *Model) fetch(path string) {
	if m.fetching[path] {
		return
	}
	m.fetching[path] = true
	m.cmds = append(m.cmds, Cmd{Kind: Fetch, Path: path})
}

// FetchDone hands over the answer to a Fetch.
func (m *Model) FetchDone(path string, body []byte, err error) {
	delete(m.fetching, path)
	if path == course.IndexPath {
		m.indexLoaded(body, err)
		return
	}
	if err != nil {
		if m.doc == nil || m.wantDoc() == path {
			m.loadErr = msg("lesson.error", "error", err.Error())
			m.dirty |= dLesson
		}
		return
	}
	var d course.Doc
	if err := json.Unmarshal(body, &d); err != nil {
		m.loadErr = msg("lesson.error", "error", path+": "+err.Error())
		m.dirty |= dLesson
		return
	}
	m.docs[path] = &d
	if m.wantDoc() == path {
		m.showDoc(&d)
	}
}

func (m *Model) indexLoaded(body []byte, err error) {
	polled := m.polling
	m.polling = false
	if err != nil {
		if polled {
			m.schedulePoll() // the server may be restarting: keep trying
			return
		}
		m.loadErr = msg("lesson.error", "error", err.Error())
		m.dirty |= dLesson
		return
	}
	var idx course.Index
	if err := json.Unmarshal(body, &idx); err != nil {
		m.loadErr = msg("lesson.error", "error", course.IndexPath+": "+err.Error())
		m.dirty |= dLesson
		return
	}
	if m.index != nil && idx.Version == m.index.Version {
		m.schedulePoll()
		return
	}
	firstIndex := m.index == nil
	m.index = &idx
	m.dirty |= dPicker | dLesson
	if firstIndex && m.doc != nil && !m.fileDoc {
		// The lesson came before the index (both were asked for at once).
		if e, ok := idx.Entry(m.doc.Lang, m.doc.ID); ok {
			m.docHash = e.Hash
		}
	}
	for lang, d := range idx.First {
		if d != nil {
			m.docs[course.DocPath(lang, d.ID)] = d
		}
	}
	if !firstIndex && m.doc != nil && !m.fileDoc && idx.Watch {
		// A watched course changed: forget the documents fetched before,
		// and reload the lesson on screen if it is one that changed.
		for path := range m.docs {
			if f := idx.First[strings.Split(path, "/")[1]]; f == nil || path != course.DocPath(f.Lang, f.ID) {
				delete(m.docs, path)
			}
		}
		if e, ok := idx.Entry(m.doc.Lang, m.doc.ID); ok && e.Hash != m.docHash {
			m.stale = true
		}
	}
	m.ensureDoc()
	m.schedulePoll()
}

func (m *Model) schedulePoll() {
	if m.index != nil && m.index.Watch {
		m.cmds = append(m.cmds, Cmd{Kind: Poll, Wait: 1500 * time.Millisecond})
	}
}

// Poll asks for the index again (a watched course, after a Poll command).
func (m *Model) Poll() {
	m.polling = true
	m.fetch(course.IndexPath)
}

// wantDoc is the DocPath of the lesson that should be on screen, or "".
func (m *Model) wantDoc() string {
	if m.st.File != "" || m.index == nil {
		if m.st.File == "" && m.st.Lesson != "" {
			return course.DocPath(courseLang(m.st.Lang), m.st.Lesson)
		}
		return ""
	}
	cl := courseLang(m.st.Lang)
	id := m.st.Lesson
	if _, ok := m.index.Entry(cl, id); !ok {
		id = ""
	}
	if id == "" {
		if ls := m.index.Lang(cl); len(ls) > 0 {
			id = ls[0].ID
		} else if len(m.index.Lessons) > 0 {
			e := m.index.Lessons[0]
			return course.DocPath(e.Lang, e.ID)
		}
	}
	if id == "" {
		return ""
	}
	return course.DocPath(cl, id)
}

// ensureDoc shows the lesson the state asks for, fetching it if needed.
func (m *Model) ensureDoc() {
	if m.st.File != "" {
		return
	}
	path := m.wantDoc()
	if path == "" {
		if m.index != nil && len(m.index.Lessons) == 0 {
			m.loadErr = msg("lesson.none")
			m.dirty |= dLesson
		}
		return
	}
	if m.doc != nil && !m.fileDoc && course.DocPath(m.doc.Lang, m.doc.ID) == path && !m.stale {
		return
	}
	if d := m.docs[path]; d != nil {
		m.showDoc(d)
		return
	}
	m.fetch(path)
}

// showDoc puts a lesson on screen and runs its scenario, keeping what the
// state says about the scenario (callers reset it when the student picks
// another lesson).
func (m *Model) showDoc(d *course.Doc) {
	if m.index != nil {
		if e, ok := m.index.Entry(d.Lang, d.ID); ok {
			m.docHash = e.Hash
		}
	}
	m.reloaded = m.stale && m.doc != nil && m.doc.ID == d.ID && m.doc.Lang == d.Lang
	m.stale = false
	m.doc, m.fileDoc, m.loadErr = d, false, nil
	if m.st.File == "" {
		m.st.Lesson = d.ID
	}
	m.loadScenario()
}

// loadScenario runs the state's scenario of the lesson on screen.
func (m *Model) loadScenario() {
	m.dirty |= dLesson | dExercises | dSession | dFaults | dEditor | dEditorMsg | dPicker
	sc, ok := m.doc.ScenarioByID(m.st.Scenario)
	if !ok && len(m.doc.Scenarios) > 0 {
		sc = m.doc.Scenarios[0]
		m.st.Scenario = sc.ID
		ok = true
	}
	if !ok {
		if m.spec == nil {
			m.runErr = ""
			m.tr = &trace.Trace{}
		}
		return
	}
	m.lessonSrc, m.specTitle = sc.Source, sc.Title
	if m.st.Source == m.lessonSrc {
		m.st.Source = ""
	}
	m.spec = nil
	m.run()
	if m.st.Tab == TabTerminal || len(m.st.Typed) > 0 {
		m.connect()
	}
}

// source is the scenario text that should run.
func (m *Model) source() string {
	if m.st.Source != "" {
		return m.st.Source
	}
	return m.lessonSrc
}

// run parses and runs the scenario with the student's faults, keeping the
// cursor where it is (clamped to the new trace).
func (m *Model) run() {
	m.dirty |= dSession | dFaults | dExercises | dEditorMsg
	m.specErrs = nil
	src := m.source()
	var spec *scenario.Spec
	var err error
	if m.spec != nil && m.specSrc == src {
		spec = m.spec // a fault added or removed: the scenario is the same
	} else {
		spec, err = scenario.Parse(m.scenarioName(), []byte(src))
	}
	if err != nil {
		m.specErrs = problemsOf(m.scenarioName(), err)
		if m.spec != nil {
			// The session keeps the last version that ran.
			spec, src = m.spec, m.specSrc
		} else {
			// The edited version is broken and nothing ran yet: run the
			// lesson's, and keep the errors for the editor.
			src = m.lessonSrc
			if spec, err = scenario.Parse(m.scenarioName(), []byte(src)); err != nil {
				m.tr, m.runErr = &trace.Trace{}, err.Error()
				return
			}
		}
	}
	m.spec, m.specSrc = spec, src
	rules := make([]fault.Rule, 0, len(m.st.Faults)+len(spec.Faults))
	for _, f := range m.st.Faults {
		rules = append(rules, f.Rule())
	}
	for _, f := range spec.Faults {
		rules = append(rules, f.Rule())
	}
	rs, err := fault.New(rules)
	if err != nil {
		m.tr, m.runErr = &trace.Trace{}, err.Error()
		return
	}
	tr, err := scenario.RunWith(spec, rs)
	if err != nil {
		m.tr, m.runErr = &trace.Trace{}, err.Error()
		return
	}
	if m.explainStep >= 0 && !m.explainTerm && !m.explainLive {
		// An open card stays if its step is the same line (a language
		// switch); a fault that changed the dialogue closes it.
		if m.tr == nil || m.explainStep >= len(m.tr.Steps) || m.explainStep >= len(tr.Steps) ||
			m.tr.Steps[m.explainStep].TranscriptLine() != tr.Steps[m.explainStep].TranscriptLine() {
			m.closeDialog("explain")
		}
	}
	m.tr, m.runErr = tr, ""
	if m.st.Step < 0 {
		m.st.Step = startStep(tr)
	}
	m.st.Step = min(m.st.Step, len(tr.Steps))
	m.checkExercises()
}

// startStep is where a scenario starts when it is first shown: at its
// first reply (the greeting), so the diagram already shows a connection
// and the Step button reads as the way on.
func startStep(tr *trace.Trace) int {
	for i, s := range tr.Steps {
		if s.Kind == trace.Reply {
			return i + 1
		}
	}
	return min(1, len(tr.Steps))
}

func (m *Model) scenarioName() string {
	if m.st.Scenario != "" {
		return m.st.Scenario + ".yaml"
	}
	return "scenario.yaml"
}

// problemsOf turns a scenario error into problems with positions.
func problemsOf(name string, err error) []course.Problem {
	var se *scenario.Error
	if errors.As(err, &se) {
		return []course.Problem{{File: se.File, Line: se.Line, Col: se.Col, Msg: se.Msg}}
	}
	return []course.Problem{{File: name, Line: 1, Col: 1, Msg: err.Error()}}
}

// --- stepping -------------------------------------------------------------

func (m *Model) total() int {
	if m.tr == nil {
		return 0
	}
	return len(m.tr.Steps)
}

// StepForward shows one more step.
func (m *Model) StepForward() {
	if m.st.Tab == TabLive {
		m.LiveStep(1)
		return
	}
	if m.st.Step < m.total() {
		m.st.Step++
		m.dirty |= dSession
	}
}

// StepBack hides the last step shown.
func (m *Model) StepBack() {
	if m.st.Tab == TabLive {
		m.LiveStep(-1)
		return
	}
	if m.st.Step > 0 {
		m.st.Step--
		m.dirty |= dSession
	}
	m.stop()
}

// Reset goes back to before the first step.
func (m *Model) Reset() {
	if m.st.Tab == TabLive {
		m.LiveFirst()
		return
	}
	m.st.Step = 0
	m.dirty |= dSession
	m.stop()
}

// End shows every step.
func (m *Model) End() {
	if m.st.Tab == TabLive {
		m.LiveFollow()
		return
	}
	m.st.Step = m.total()
	m.dirty |= dSession
	m.stop()
}

// SetStep shows the first n steps.
func (m *Model) SetStep(n int) {
	m.st.Step = max(0, min(n, m.total()))
	m.dirty |= dSession
}

// TogglePlay starts or pauses playing; playing from the end starts over.
func (m *Model) TogglePlay() {
	if m.playing {
		m.stop()
		return
	}
	if m.st.Step >= m.total() {
		m.st.Step = 0
		m.dirty |= dSession
	}
	m.playing = true
	m.dirty |= dPlay
}

func (m *Model) stop() {
	if m.playing {
		m.playing = false
		m.dirty |= dPlay
	}
}

// Playing reports whether the glue should call Tick every PlayInterval.
func (m *Model) Playing() bool { return m.playing }

// Tick is one beat of playing: one step, and a stop at the end.
func (m *Model) Tick() {
	if !m.playing {
		return
	}
	m.StepForward()
	if m.st.Step >= m.total() {
		m.stop()
	}
}

// SetSpeed sets the play speed (1 = one step every PlayEvery).
func (m *Model) SetSpeed(f float64) {
	if f >= 0.1 && f <= 10 {
		m.speed = f
	}
}

// PlayInterval is the time between two steps at the current speed.
func (m *Model) PlayInterval() time.Duration {
	return time.Duration(float64(PlayEvery) / m.speed)
}

// --- lessons, scenarios, language, tabs ------------------------------------

// SetLang switches the whole page to a language and remembers the choice.
func (m *Model) SetLang(lang string) {
	lang = normLang(lang)
	m.cmds = append(m.cmds, Cmd{Kind: Save, Key: KeyLang, Text: lang})
	if lang == m.st.Lang {
		return
	}
	m.st.Lang = lang
	m.dirty = dAll
	m.ensureDoc()
}

// SetLesson opens another lesson of the course, from its start.
func (m *Model) SetLesson(id string) {
	if id == m.st.Lesson && !m.fileDoc && m.st.File == "" {
		return
	}
	m.st = State{Lang: m.st.Lang, Lesson: id, Step: -1, Tab: TabSession, Proto: m.st.Proto}
	m.stop()
	m.spec, m.term, m.termTr = nil, nil, nil
	m.reloaded = false
	m.dirty = dAll
	m.ensureDoc()
}

// message is a label and the values of its placeholders, rendered in the
// language of the moment.
type message struct {
	key string
	kv  []string
}

func msg(key string, kv ...string) *message { return &message{key, kv} }

// GoToLessonFile follows a link between lessons ("en/03-x.md").
func (m *Model) GoToLessonFile(file string) {
	if m.index == nil {
		return
	}
	if e, ok := m.index.ByFile(file); ok {
		m.SetLesson(e.ID)
	}
}

// LoadScenario runs another scenario of the lesson, from its start.
func (m *Model) LoadScenario(id string) {
	if m.doc == nil {
		return
	}
	if _, ok := m.doc.ScenarioByID(id); !ok {
		return
	}
	if id != m.st.Scenario {
		m.st.Source, m.st.Faults = "", nil
	}
	m.st.Scenario, m.st.Step, m.st.Exercise = id, -1, ""
	m.stop()
	m.spec = nil
	m.SetTab(TabSession)
	m.loadScenario()
}

// SetTab shows a tab.
func (m *Model) SetTab(tab string) {
	switch tab {
	case TabSession, TabTerminal, TabEditor:
	case TabLive:
		if m.live.checked && !m.live.available {
			return
		}
	default:
		return
	}
	if tab == m.st.Tab {
		return
	}
	m.st.Tab = tab
	m.dirty |= dTabs
	if tab == TabLive {
		m.dirty |= dLiveList | dLiveView | dLiveFaults
		if m.live.available {
			m.request("GET", LiveFaultsPath, "") // another page may have changed them
		}
	}
	if tab == TabTerminal && m.term == nil {
		m.connect()
	}
	if tab != TabSession {
		m.stop()
	}
}

// TryExercise starts an exercise of the lesson: its scenario in the
// session, or a fresh connection in the terminal.
func (m *Model) TryExercise(id string) {
	if m.doc == nil {
		return
	}
	e, ok := m.doc.ExerciseByID(id)
	if !ok {
		return
	}
	if e.Start == "terminal" {
		if e.Scenario != "" && e.Scenario != m.st.Scenario {
			m.LoadScenario(e.Scenario)
		}
		m.st.Exercise = id
		m.st.Proto = e.Protocol
		if m.st.Proto == "" {
			m.st.Proto = "smtp"
		}
		m.st.Server, m.st.Typed = e.Server, nil
		m.st.Tab = TabTerminal
		m.dirty |= dTabs | dExercises
		m.connect()
		m.cmds = append(m.cmds, Cmd{Kind: Focus, Key: "term-input"})
		return
	}
	if e.Scenario != "" && e.Scenario != m.st.Scenario {
		m.LoadScenario(e.Scenario)
	}
	m.st.Exercise = id
	m.SetTab(TabSession)
	m.dirty |= dExercises
}

// --- faults ------------------------------------------------------------------

// OpenFaultMenu offers the faults that can be injected on a step of the
// session.
func (m *Model) OpenFaultMenu(step int) {
	if m.tr == nil || step < 0 || step >= len(m.tr.Steps) {
		return
	}
	m.stop()
	m.menuStep, m.menuLive = step, false
	m.dirty |= dMenu
	m.cmds = append(m.cmds, Cmd{Kind: Dialog, Key: "fault-menu", Open: true})
}

// FaultChoices lists what the fault menu offers.
func (m *Model) FaultChoices() []scenario.FaultSpec {
	tr := m.menuTrace()
	if tr == nil || m.menuStep < 0 || m.menuStep >= len(tr.Steps) {
		return nil
	}
	return scenario.FaultChoicesIn(tr.Steps, m.menuStep)
}

// menuTrace is the trace the fault menu is about.
func (m *Model) menuTrace() *trace.Trace {
	if m.menuLive {
		return m.live.tr
	}
	return m.tr
}

// AddFault injects the i-th choice of the open fault menu (only once, as
// greylisting does, with once) and runs the scenario again; the cursor
// stays. A fault on the same line at the same server replaces the one
// there was.
func (m *Model) AddFault(i int, once bool) {
	choices := m.FaultChoices()
	if i < 0 || i >= len(choices) {
		return
	}
	f := choices[i]
	if once {
		f.Times = 1
	}
	if m.menuLive {
		m.closeDialog("fault-menu")
		m.AddLiveRule(liveSpec(f))
		return
	}
	m.st.Faults = slices.DeleteFunc(m.st.Faults, func(g scenario.FaultSpec) bool { return sameTarget(f, g) })
	m.st.Faults = append(m.st.Faults, f)
	m.closeDialog("fault-menu")
	m.run()
}

// RemoveFault removes the student's i-th fault and runs the scenario again.
func (m *Model) RemoveFault(i int) {
	if i < 0 || i >= len(m.st.Faults) {
		return
	}
	m.st.Faults = slices.Delete(slices.Clone(m.st.Faults), i, i+1)
	if len(m.st.Faults) == 0 {
		m.st.Faults = nil
	}
	m.closeDialog("fault-menu")
	m.run()
}

func sameTarget(a, b scenario.FaultSpec) bool {
	return strings.EqualFold(a.When, b.When) && a.Server == b.Server && a.Protocol == b.Protocol && strings.EqualFold(a.User, b.User)
}

// --- explanations and dialogs ----------------------------------------------

// ExplainStep opens the explanation card of a step of the session (or of
// the terminal, with term).
func (m *Model) ExplainStep(term bool, step int) {
	tr := m.tr
	if term {
		tr = m.termTr
	}
	if tr == nil || step < 0 || step >= len(tr.Steps) {
		return
	}
	m.stop()
	m.explainTerm, m.explainLive, m.explainStep = term, false, step
	m.dirty |= dExplain
	m.cmds = append(m.cmds, Cmd{Kind: Dialog, Key: "explain", Open: true})
}

// DialogClosed is told when the browser closed a dialog (Escape).
func (m *Model) DialogClosed(id string) {
	switch id {
	case "explain":
		m.explainStep, m.explainLive = -1, false
	case "fault-menu":
		m.menuStep, m.menuLive = -1, false
	}
}

// CloseDialog closes a dialog (its Close button).
func (m *Model) CloseDialog(id string) { m.closeDialog(id) }

func (m *Model) closeDialog(id string) {
	if (id == "explain" && m.explainStep < 0) || (id == "fault-menu" && m.menuStep < 0) {
		return
	}
	m.DialogClosed(id)
	m.cmds = append(m.cmds, Cmd{Kind: Dialog, Key: id, Open: false})
}

// --- the editor ------------------------------------------------------------

// RunSource runs the scenario as the student edited it. Errors are shown
// in the editor at their lines; the session keeps the last version that
// ran.
func (m *Model) RunSource(src string) {
	if strings.TrimSpace(src) == strings.TrimSpace(m.lessonSrc) {
		src = ""
	}
	m.st.Source = src
	m.st.Exercise = ""
	m.run()
	m.dirty |= dEditorMsg
}

// RevertSource goes back to the lesson's scenario.
func (m *Model) RevertSource() {
	m.st.Source = ""
	m.dirty |= dEditor | dEditorMsg
	m.run()
}

// EditorText is what the editor shows.
func (m *Model) EditorText() string { return m.source() }

// GotoLine puts the editor's caret on a problem's line.
func (m *Model) GotoLine(line, col int) {
	m.cmds = append(m.cmds, Cmd{Kind: SelectLine, Line: line, Col: col})
}

// --- the terminal ------------------------------------------------------------

// defaultWorld is the server a terminal exercise without a scenario talks
// to (the lessons' default, README "Exercise blocks").
const defaultWorld = "servers:\n  mail.example.com: {users: {alice: secret, bob: secret}}\n"

// connect opens a fresh terminal connection and types the state's lines
// again (a link restores the terminal as it was).
func (m *Model) connect() {
	m.dirty |= dTerminal | dExercises
	m.term, m.termTr, m.termErr, m.termTLS = nil, nil, "", false
	spec := m.spec
	if e, ok := m.exercise(); ok && e.Start == "terminal" {
		src := defaultWorld
		if sc, ok := m.doc.ScenarioByID(e.Scenario); ok {
			src = sc.Source
		}
		s, err := scenario.Parse("exercise.yaml", []byte(src))
		if err != nil {
			m.termErr = err.Error()
			return
		}
		spec = s
	}
	if spec == nil {
		s, err := scenario.Parse("terminal.yaml", []byte(defaultWorld))
		if err != nil {
			m.termErr = err.Error()
			return
		}
		spec = s
	}
	if m.st.Server != "" {
		if _, ok := spec.Servers[m.st.Server]; !ok {
			m.st.Server = ""
		}
	}
	t, err := scenario.NewTerminal(spec, m.st.Proto, m.st.Server)
	if err != nil {
		m.termErr = err.Error()
		return
	}
	m.termSpec, m.term = spec, t
	for _, line := range m.st.Typed {
		if t.Closed() {
			break
		}
		m.typeLine(line)
	}
	m.termTr = t.Trace()
	m.checkExercises()
}

// typeLine types a line; a STARTTLS (STLS) the server accepted is
// completed at once, since the page has no handshake to do.
func (m *Model) typeLine(line string) {
	steps := m.term.Type(line)
	verb, _, _ := strings.Cut(strings.TrimSpace(line), " ")
	verb = strings.ToUpper(verb)
	m.termTLS = false
	if m.st.Proto == "smtp" && verb == "STARTTLS" || m.st.Proto == "pop3" && verb == "STLS" {
		for _, st := range steps {
			if st.Kind == trace.Reply && st.ByServer && (st.Code == 220 || st.Status == "+OK") {
				m.term.TLSReady()
				m.termTLS = true
				break
			}
		}
	}
}

// TermType sends a line typed in the terminal.
func (m *Model) TermType(line string) {
	if m.term == nil {
		m.connect()
	}
	if m.term == nil || m.term.Closed() {
		return
	}
	line = strings.TrimRight(line, "\r\n")
	m.st.Typed = append(slices.Clone(m.st.Typed), line)
	m.typeLine(line)
	m.termTr = m.term.Trace()
	m.dirty |= dTerminal
	m.checkExercises()
	if m.explainTerm && m.explainStep >= 0 {
		m.closeDialog("explain")
	}
}

// TermSetProto switches the terminal to SMTP or POP3 (a new connection).
func (m *Model) TermSetProto(proto string) {
	if proto != "smtp" && proto != "pop3" {
		return
	}
	m.st.Proto, m.st.Server, m.st.Typed = proto, "", nil
	if e, ok := m.exercise(); ok && e.Start == "terminal" && e.Protocol != proto {
		m.st.Exercise = ""
	}
	m.connect()
}

// TermReset opens a new connection.
func (m *Model) TermReset() {
	m.st.Typed = nil
	m.connect()
}

// TerminalClosed reports whether the terminal's server hung up.
func (m *Model) TerminalClosed() bool { return m.term != nil && m.term.Closed() }

// --- exercises ---------------------------------------------------------------

func (m *Model) exercise() (course.Exercise, bool) {
	if m.doc == nil || m.st.Exercise == "" {
		return course.Exercise{}, false
	}
	return m.doc.ExerciseByID(m.st.Exercise)
}

// ExerciseStatus says whether an exercise of the lesson is done on the
// trace it is checked against (the session for start: scenario when its
// scenario runs, the terminal for start: terminal once it was started),
// and what is not met yet. checked is false when there is nothing to
// check against.
func (m *Model) ExerciseStatus(e course.Exercise) (checked bool, unmet []lessons.Unmet) {
	tr := m.traceFor(e)
	if tr == nil {
		return false, nil
	}
	key := statusKey{tr, e.ID}
	if u, ok := m.statuses[key]; ok {
		return true, u
	}
	if len(m.statuses) > 64 {
		clear(m.statuses)
	}
	unmet = lessons.CheckGoal(e.Goal, tr)
	m.statuses[key] = unmet
	return true, unmet
}

// statusKey names an exercise checked against a trace (a new run or a line
// typed makes a new trace).
type statusKey struct {
	tr *trace.Trace
	id string
}

func (m *Model) traceFor(e course.Exercise) *trace.Trace {
	if e.Start == "terminal" {
		if m.st.Exercise == e.ID && m.termTr != nil {
			return m.termTr
		}
		return nil
	}
	if e.Scenario == m.st.Scenario && m.tr != nil && m.runErr == "" && len(m.tr.Steps) > 0 {
		return m.tr
	}
	return nil
}

// checkExercises remembers the exercises the current traces complete.
func (m *Model) checkExercises() {
	m.dirty |= dExercises
	if m.doc == nil || m.fileDoc {
		return
	}
	changed := false
	for _, e := range m.doc.Exercises {
		key := m.doc.ID + "/" + e.ID
		if m.done[key] {
			continue
		}
		if ok, unmet := m.ExerciseStatus(e); ok && len(unmet) == 0 {
			m.done[key] = true
			changed = true
		}
	}
	if changed {
		keys := make([]string, 0, len(m.done))
		for k := range m.done {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b, _ := json.Marshal(keys)
		m.cmds = append(m.cmds, Cmd{Kind: Save, Key: KeyDone, Text: string(b)})
	}
}

// Done reports whether an exercise of the lesson on screen was completed.
func (m *Model) Done(exercise string) bool {
	return m.doc != nil && m.done[m.doc.ID+"/"+exercise]
}

// --- copy, download, files -----------------------------------------------------

// CopyTranscript copies the session's transcript, as far as it is shown.
func (m *Model) CopyTranscript() {
	if m.tr == nil {
		return
	}
	var b strings.Builder
	for _, s := range m.tr.Steps[:m.st.Step] {
		b.WriteString(s.TranscriptLine())
		b.WriteByte('\n')
	}
	m.cmds = append(m.cmds, Cmd{Kind: Copy, Text: b.String()})
}

// CopyDone is told whether the copy worked.
func (m *Model) CopyDone(ok bool) {
	m.copyStatus = "copy.failed"
	if ok {
		m.copyStatus = "copy.done"
	}
	m.dirty |= dCopy
}

// DownloadEML saves a stored message (maildrop box, message msg of the
// session's trace) as an .eml file, with CRLF line ends as on the wire.
func (m *Model) DownloadEML(box, msg int) {
	if m.tr == nil || box < 0 || box >= len(m.tr.Mailboxes) || msg < 0 || msg >= len(m.tr.Mailboxes[box].Messages) {
		return
	}
	mb := m.tr.Mailboxes[box]
	msgv := mb.Messages[msg]
	raw := strings.ReplaceAll(strings.ReplaceAll(msgv.Raw, "\r\n", "\n"), "\n", "\r\n")
	name := safeName(mb.User + "-" + msgv.UID + ".eml")
	m.cmds = append(m.cmds, Cmd{Kind: Download, Name: name, Type: "message/rfc822", Text: raw})
}

// safeName keeps a file name to letters, digits, dot, dash and underscore.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// OpenFile shows a lesson file the student chose or dropped, with its
// problems, and runs its first scenario.
func (m *Model) OpenFile(name string, src []byte) {
	if !strings.HasSuffix(strings.ToLower(name), ".md") {
		m.loadErr = msg("file.notMD", "name", name)
		m.dirty |= dLesson
		return
	}
	m.st = State{Lang: m.st.Lang, File: name, FileSrc: string(src), Step: -1, Tab: TabSession, Proto: m.st.Proto}
	m.stop()
	m.spec, m.term, m.termTr = nil, nil, nil
	m.dirty = dAll
	m.openFile(name, src)
}

func (m *Model) openFile(name string, src []byte) {
	l, problems := lessons.Parse(name, src)
	if l.File == "" {
		l.File = name
	}
	d := course.FromLesson(l, problems)
	d.File = name
	m.doc, m.fileDoc, m.loadErr = d, true, nil
	if len(d.Scenarios) > 0 {
		m.loadScenario()
	} else {
		m.dirty |= dLesson | dPicker | dExercises
		if m.tr == nil {
			m.tr = &trace.Trace{}
		}
	}
}

// FileError is told that a file could not be read.
func (m *Model) FileError(name string, err error) {
	m.loadErr = msg("file.readError", "name", name, "error", err.Error())
	m.dirty |= dLesson
}

// --- the URL -----------------------------------------------------------------

// HashChanged applies a fragment the browser navigated to (back, forward,
// a link between lessons, an edited URL). The page's own rewrites of the
// URL do not come back here.
func (m *Model) HashChanged(frag string) {
	frag = strings.TrimPrefix(frag, "#")
	if frag == m.lastURL {
		return
	}
	st, file, ok := ParseFragment(frag)
	if file != "" {
		m.GoToLessonFile(file)
		return
	}
	if !ok {
		return
	}
	if st.Lang == "" {
		st.Lang = m.st.Lang
	}
	m.Apply(st)
}

// Apply shows a whole state, as a link describes it.
func (m *Model) Apply(st State) {
	if st.Lang == "" {
		st.Lang = m.st.Lang
	}
	if st.Tab == "" {
		st.Tab = TabSession
	}
	if st.Proto == "" {
		st.Proto = "smtp"
	}
	old := m.st
	m.st = st
	if st.Tab == TabLive && m.live.checked && !m.live.available {
		m.st.Tab = TabSession
	}
	m.stop()
	m.dirty = dAll
	m.spec, m.term, m.termTr = nil, nil, nil
	m.closeDialog("explain")
	m.closeDialog("fault-menu")
	switch {
	case st.File != "":
		if st.File != old.File || st.FileSrc != old.FileSrc || !m.fileDoc {
			m.openFile(st.File, []byte(st.FileSrc))
		} else {
			m.loadScenario()
		}
	case m.doc != nil && !m.fileDoc && st.Lesson == m.doc.ID && courseLang(st.Lang) == m.doc.Lang:
		m.loadScenario()
	default:
		m.doc = nil
		m.ensureDoc()
	}
}
