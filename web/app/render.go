package app

import (
	"html"
	"regexp"
	"strconv"
	"strings"

	"maillab/sim/explain"
	"maillab/sim/machine"
	"maillab/sim/pop3"
	"maillab/sim/scenario"
	"maillab/sim/smtp"
	"maillab/sim/trace"
	"maillab/web/course"
	"maillab/web/view"
)

// Render returns the patches that bring the page up to date with the
// model since the last Render, and queues the URL rewrite if the state
// changed.
func (m *Model) Render() []Patch {
	var p []Patch
	d := m.dirty
	m.dirty = 0
	// The first paint is the lesson, the diagram and the controls, so the
	// first step can be taken at once; the other panels follow in the next
	// turn of the loop.
	first := d&dSession != 0 && !m.ready && m.tr != nil && m.doc != nil
	if first {
		m.dirty |= dSession | dFaults | dExercises
		d &^= dFaults | dExercises
		m.cmds = append(m.cmds, Cmd{Kind: Later})
	}
	lang := m.st.Lang
	set := func(id, attr, v string) { p = append(p, Patch{ID: id, Attr: attr, Value: v}) }
	del := func(id, attr string) { p = append(p, Patch{ID: id, Attr: attr, Del: true}) }
	flag := func(id, attr string, on bool) {
		if on {
			set(id, attr, "")
		} else {
			del(id, attr)
		}
	}

	if d&dLabels != 0 {
		set(Root, "lang", lang)
		set("lang", Value, lang)
	}
	if d&dPicker != 0 {
		html, value := m.pickerHTML()
		set("lesson", HTML, html)
		set("lesson", Value, value)
		flag("lesson", "disabled", m.index == nil && m.doc == nil)
		del("open-file", "disabled")
	}
	if d&dLesson != 0 {
		set("lesson-body", HTML, m.lessonHTML())
		d |= dExercises | dSession
	}
	if d&dSession != 0 && m.doc != nil {
		for _, sc := range m.doc.Scenarios {
			set("run-"+elemID(sc.ID), "aria-pressed", strconv.FormatBool(sc.ID == m.st.Scenario))
		}
	}
	if d&dExercises != 0 && m.doc != nil {
		for _, e := range m.doc.Exercises {
			set("ex-"+elemID(e.ID), HTML, m.exerciseHTML(e))
		}
	}
	if d&dSession != 0 {
		p = append(p, m.sessionPatches(!first)...)
	}
	if d&(dSession|dExercises|dTabs) != 0 {
		p = append(p, m.titlePatches()...)
	}
	if d&(dSession|dPlay) != 0 {
		label := "ctl.play"
		if m.playing {
			label = "ctl.pause"
		}
		set("ctl-play", Text, view.T(lang, label))
		set("ctl-play", "aria-pressed", strconv.FormatBool(m.playing))
	}
	if d&dFaults != 0 {
		set("faults", HTML, m.faultsHTML())
	}
	if d&dEditor != 0 {
		set("editor", Value, m.source())
	}
	if d&dEditorMsg != 0 {
		set("editor-errors", HTML, m.editorErrorsHTML())
		if len(m.specErrs) == 0 {
			del("editor", "aria-invalid")
		} else {
			set("editor", "aria-invalid", "true")
		}
	}
	if d&dTerminal != 0 {
		p = append(p, m.terminalPatches()...)
	}
	if d&dTabs != 0 {
		for _, t := range []string{TabSession, TabTerminal, TabEditor, TabLive} {
			on := t == m.st.Tab
			set("tab-"+t, "aria-selected", strconv.FormatBool(on))
			set("tab-"+t, "tabindex", map[bool]string{true: "0", false: "-1"}[on])
			flag("panel-"+t, "hidden", !on)
		}
		flag("tab-"+TabLive, "hidden", !m.live.available)
	}
	p = append(p, m.livePatches(d)...)
	if d&dExplain != 0 && m.explainStep >= 0 {
		tr := m.tr
		switch {
		case m.explainTerm:
			tr = m.termTr
		case m.explainLive:
			tr = m.live.tr
		}
		if tr != nil && m.explainStep < len(tr.Steps) {
			set("explain-body", HTML, view.Explanation(tr.Steps[m.explainStep], lang))
		}
	}
	if mt := m.menuTrace(); d&dMenu != 0 && m.menuStep >= 0 && mt != nil && m.menuStep < len(mt.Steps) {
		line := faultLine(mt.Steps[m.menuStep], lang)
		set("fault-menu-title", Text, view.Tf(lang, "faults.menu", "line", line))
		set("fault-menu-body", HTML, m.faultMenuHTML())
	}
	if d&dCopy != 0 && m.copyStatus != "" {
		set("copy-status", Text, view.T(lang, m.copyStatus))
	}
	if m.tr != nil && m.doc != nil && !m.ready {
		m.ready = true
		set(Root, "data-ready", "1")
	}
	if u := m.st.fragment(m.pack); u != m.lastURL {
		m.lastURL = u
		m.cmds = append(m.cmds, Cmd{Kind: SetURL, URL: u})
	}
	return p
}

// TakeCmds returns what the browser must do, and forgets it.
func (m *Model) TakeCmds() []Cmd {
	c := m.cmds
	m.cmds = nil
	return c
}

// elemID makes an id usable in an element id (lesson ids are already).
func elemID(id string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, id)
}

func esc(s string) string { return html.EscapeString(s) }

func (m *Model) t(key string) string { return view.T(m.st.Lang, key) }

func (m *Model) text(x *message) string {
	if x == nil {
		return ""
	}
	kv := x.kv
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == "error" { // the server's or the engine's words, in English
			if zh := explain.Problem(m.st.Lang, kv[i+1]); zh != kv[i+1] {
				kv = append([]string(nil), kv...)
				kv[i+1] = zh
			}
		}
	}
	return view.Tf(m.st.Lang, x.key, kv...)
}

// pickerHTML is the lesson picker's options and its value.
func (m *Model) pickerHTML() (string, string) {
	var b strings.Builder
	value := ""
	if m.fileDoc && m.doc != nil {
		b.WriteString(`<option value="">` + esc(view.Tf(m.st.Lang, "file.opened", "name", m.doc.File)) + "</option>")
	}
	if m.index != nil {
		for i, e := range m.index.Lang(courseLang(m.st.Lang)) {
			b.WriteString(`<option value="` + esc(e.ID) + `">` + strconv.Itoa(i+1) + ". " + esc(e.Title) + "</option>")
			if !m.fileDoc && m.doc != nil && e.ID == m.doc.ID {
				value = e.ID
			}
		}
	}
	if !m.fileDoc && value == "" && m.doc != nil {
		value = m.doc.ID
	}
	return b.String(), value
}

// lessonHTML is the lesson pane: problems (for an instructor), the lesson
// with a button on each scenario and a status line on each exercise.
func (m *Model) lessonHTML() string {
	var b strings.Builder
	if m.loadErr != nil {
		b.WriteString(`<p class="load-error" role="alert">` + esc(m.text(m.loadErr)) + "</p>\n")
	}
	if m.doc == nil {
		if m.loadErr == nil {
			b.WriteString(`<p class="hint">` + esc(m.t("lesson.loading")) + "</p>\n")
		}
		return b.String()
	}
	if m.fileDoc {
		b.WriteString(`<p class="file-note">` + esc(view.Tf(m.st.Lang, "file.opened", "name", m.doc.File)) + "</p>\n")
	}
	if m.reloaded {
		b.WriteString(`<p class="reload-note" role="status">` + esc(m.t("lesson.reloaded")) + "</p>\n")
	}
	if m.fileDoc || (m.index != nil && m.index.Watch) {
		b.WriteString(problemsHTML(m.doc.Problems, m.st.Lang))
		if !m.fileDoc && len(m.index.Problems) > len(m.doc.Problems) {
			b.WriteString(`<p class="hint">` + esc(view.Tf(m.st.Lang, "problems.course", "n", strconv.Itoa(len(m.index.Problems)))) + "</p>\n")
		}
	}
	if m.fileDoc && len(m.doc.Scenarios) == 0 {
		b.WriteString(`<p class="hint">` + esc(m.t("file.noScenario")) + "</p>\n")
	}
	b.WriteString(m.widgets(m.doc.HTML))
	return b.String()
}

// problemsHTML lists a lesson's problems as lint prints them.
func problemsHTML(ps []course.Problem, lang string) string {
	var b strings.Builder
	b.WriteString(`<section class="problems" aria-live="polite">`)
	switch len(ps) {
	case 0:
		b.WriteString(`<p class="ok">` + esc(view.T(lang, "problems.none")) + "</p></section>\n")
		return b.String()
	case 1:
		b.WriteString("<h3>" + esc(view.T(lang, "problems.one")) + "</h3>")
	default:
		b.WriteString("<h3>" + esc(view.Tf(lang, "problems.many", "n", strconv.Itoa(len(ps)))) + "</h3>")
	}
	b.WriteString(`<ul class="errors">`)
	for _, p := range ps {
		b.WriteString(`<li data-line="` + strconv.Itoa(p.Line) + `"><code>` + esc(p.File+":"+strconv.Itoa(p.Line)+":"+strconv.Itoa(p.Col)) + "</code> " + esc(explain.Problem(lang, p.Msg)) + "</li>")
	}
	b.WriteString("</ul></section>\n")
	return b.String()
}

var widgetOpen = regexp.MustCompile(`<div class="ml-(scenario|exercise)"([^>]*)>`)
var dataID = regexp.MustCompile(`\bdata-id="([^"]*)"`)

// widgets brings the lesson's blocks to life: a "Run this scenario" button
// at the top of each scenario, a "Try it" button and a status line at the
// end of each exercise. Lessons cannot contain raw HTML (it is escaped),
// so every tag here was written by the lessons renderer and a simple scan
// finds the end of a block.
func (m *Model) widgets(src string) string {
	var b strings.Builder
	for {
		loc := widgetOpen.FindStringSubmatchIndex(src)
		if loc == nil {
			b.WriteString(src)
			return b.String()
		}
		kind, attrs := src[loc[2]:loc[3]], src[loc[4]:loc[5]]
		b.WriteString(src[:loc[1]])
		src = src[loc[1]:]
		idm := dataID.FindStringSubmatch(attrs)
		if idm == nil {
			continue
		}
		id := html.UnescapeString(idm[1])
		if kind == "scenario" {
			if t := strings.TrimLeft(src, "\n"); strings.HasPrefix(t, `<p class="ml-title">`) {
				if i := strings.Index(src, "</p>"); i >= 0 {
					b.WriteString(src[:i+4])
					src = src[i+4:]
				}
			}
			b.WriteString(`<p class="ml-run"><button type="button" data-action="load-scenario" id="run-` + elemID(id) +
				`" data-id="` + esc(id) + `" aria-pressed="false">` + esc(m.t("lesson.run")) + "</button></p>")
			continue
		}
		end := closingDiv(src)
		b.WriteString(src[:end])
		b.WriteString(`<div class="ml-ex-bar"><button type="button" data-action="try-exercise" data-id="` + esc(id) + `">` +
			esc(m.t("ex.try")) + `</button><div class="ml-ex-status" id="ex-` + elemID(id) + `" role="status" aria-live="polite"></div></div>`)
		src = src[end:]
	}
}

// closingDiv is the offset of the </div> that closes a <div> whose
// content starts s (len(s) if there is none).
func closingDiv(s string) int {
	depth, i := 1, 0
	for {
		open := strings.Index(s[i:], "<div")
		close := strings.Index(s[i:], "</div>")
		switch {
		case close < 0:
			return len(s)
		case open >= 0 && open < close:
			depth++
			i += open + 4
		default:
			depth--
			if depth == 0 {
				return i + close
			}
			i += close + 6
		}
	}
}

// exerciseHTML is an exercise's status line.
func (m *Model) exerciseHTML(e course.Exercise) string {
	var b strings.Builder
	checked, unmet := m.ExerciseStatus(e)
	switch {
	case checked && len(unmet) == 0:
		b.WriteString(`<p class="ex-pass">✓ ` + esc(m.t("ex.pass")) + "</p>")
	case checked:
		b.WriteString(`<p class="ex-notyet">` + esc(m.t("ex.notYet")) + `</p><ul class="ex-unmet">`)
		for _, u := range unmet {
			b.WriteString(`<li data-check="` + esc(u.Check) + `">` + esc(u.Msg(courseLang(m.st.Lang))) + "</li>")
		}
		b.WriteString("</ul>")
	default:
		b.WriteString(`<p class="hint">` + esc(m.t("ex.elsewhere")) + "</p>")
	}
	if m.Done(e.ID) && !(checked && len(unmet) == 0) {
		b.WriteString(`<p class="ex-done">✓ ` + esc(m.t("ex.doneBefore")) + "</p>")
	}
	return b.String()
}

// sessionPatches repaints everything that follows the cursor (only the
// diagram and the controls unless full).
func (m *Model) sessionPatches(full bool) []Patch {
	lang := m.st.Lang
	tr := m.tr
	if tr == nil {
		tr = &trace.Trace{}
	}
	cur := m.Cursor()
	var p []Patch
	set := func(id, attr, v string) { p = append(p, Patch{ID: id, Attr: attr, Value: v}) }

	if m.seqView == nil || m.seqView.Trace() != tr || m.seqView.Lang() != lang {
		m.seqView, m.trView = view.NewSequenceFrom(m.seqView, tr, lang), view.NewTranscriptFrom(m.trView, tr, lang)
	}
	if m.runErr != "" {
		set("seq", HTML, `<p class="load-error" role="alert">`+esc(view.Tf(lang, "sim.runError", "error", m.runErr))+"</p>")
	} else {
		p = append(p, Patch{ID: "seq", Attr: HTML, Lines: m.seqView.Lines(cur)})
	}
	set("ctl-position", Text, view.Tf(lang, "ctl.position", "n", strconv.Itoa(m.st.Step), "total", strconv.Itoa(len(tr.Steps))))
	atStart, atEnd := m.st.Step <= 0, m.st.Step >= len(tr.Steps)
	for id, off := range map[string]bool{"ctl-reset": atStart, "ctl-back": atStart, "ctl-step": atEnd} {
		set(id, "aria-disabled", strconv.FormatBool(off))
	}
	if !full {
		return p
	}
	p = append(p, Patch{ID: "transcript", Attr: HTML, Lines: m.trView.Lines(cur)})
	set("envelope", HTML, view.Envelope(tr, cur, lang))
	set("maildrops", HTML, view.MaildropsAt(tr, cur, lang))
	set("log", HTML, view.ServerLog(tr, cur, lang))
	client, server := m.stateDiagrams(tr, cur)
	set("state-client", HTML, client)
	set("state-server", HTML, server)
	return p
}

// titlePatches name the scenario running and the exercise being done.
func (m *Model) titlePatches() []Patch {
	lang := m.st.Lang
	title := m.specTitle
	if m.spec != nil && m.spec.Title != "" {
		title = m.spec.Title
	}
	head := ""
	if title != "" {
		head = view.Tf(lang, "sim.scenario", "title", title)
		if m.st.Source != "" {
			head += " " + view.T(lang, "sim.edited")
		}
	}
	ex := ""
	if e, ok := m.exercise(); ok {
		t := e.Title
		if t == "" {
			t = e.ID
		}
		ex = view.Tf(lang, "ex.active", "title", t)
	}
	return []Patch{{ID: "sim-title", Attr: Text, Value: head}, {ID: "sim-exercise", Attr: Text, Value: ex}}
}

// stateDiagrams draws the client's and the server's machines of the
// connection at the cursor, from the engine's own tables, with the
// current state and the last transition lit.
func (m *Model) stateDiagrams(tr *trace.Trace, cur int) (client, server string) {
	profile := ""
	if m.spec != nil && m.spec.Fetch != nil {
		profile = m.spec.Fetch.Client
	}
	return m.stateDiagramsFor(tr, cur, profile)
}

// stateDiagramsFor is stateDiagrams with the POP3 client's profile (""
// for poplib's).
func (m *Model) stateDiagramsFor(tr *trace.Trace, cur int, popClient string) (client, server string) {
	conn, proto := 0, ""
	for i := min(cur, len(tr.Steps)-1); i >= 0; i-- {
		if s := tr.Steps[i]; s.Conn != 0 {
			conn, proto = s.Conn, s.Proto
			break
		}
	}
	if conn == 0 { // before the first step: the first connection's machines
		for _, s := range tr.Steps {
			if s.Conn != 0 {
				conn, proto = s.Conn, s.Proto
				break
			}
		}
	}
	var cState, sState, cFrom, cEvent, sFrom, sEvent string
	for i := 0; i <= cur && i < len(tr.Steps); i++ {
		s := tr.Steps[i]
		if s.Conn != conn {
			continue
		}
		if s.ClientState != "" {
			cState = s.ClientState
		}
		if s.ServerState != "" {
			sState = s.ServerState
		}
		if s.Kind == trace.State {
			side, change, _ := strings.Cut(s.Text, ": ")
			from, _, _ := strings.Cut(change, " → ")
			switch side {
			case "client":
				cFrom, cEvent = from, s.Verb
			case "server":
				sFrom, sEvent = from, s.Verb
			}
		}
	}
	client = m.diagram(proto+" client", popClient, cState, cFrom, cEvent, func() []machine.Transition {
		if proto != "pop3" {
			return smtp.ClientTable()
		}
		if t := pop3.ClientTransitions(popClient); popClient != "" && t != nil {
			return t
		}
		return pop3.ClientTransitions("poplib")
	})
	server = m.diagram(proto+" server", "", sState, sFrom, sEvent, func() []machine.Transition {
		if proto == "pop3" {
			return pop3.ServerTransitions()
		}
		return smtp.ServerTable()
	})
	return client, server
}

// diagram is view.StateDiagram with a memory: a machine has a handful of
// states, and most steps do not change them.
func (m *Model) diagram(which, profile, current, from, event string, table func() []machine.Transition) string {
	key := which + "\x00" + profile + "\x00" + current + "\x00" + from + "\x00" + event + "\x00" + m.st.Lang
	if d, ok := m.diagrams[key]; ok {
		return d
	}
	if m.diagrams == nil || len(m.diagrams) > 64 {
		m.diagrams = map[string]string{}
	}
	d := view.StateDiagram(table(), current, from, event, m.st.Lang)
	m.diagrams[key] = d
	return d
}

// faultsHTML is the fault panel: the student's faults (removable), then
// the scenario's own.
func (m *Model) faultsHTML() string {
	lang := m.st.Lang
	var b strings.Builder
	if len(m.st.Faults) == 0 {
		b.WriteString(`<p class="hint">` + esc(view.T(lang, "faults.none")) + "</p>\n")
	} else {
		b.WriteString(`<p>` + esc(view.T(lang, "faults.yours")) + "</p>\n<ul>\n")
		for i, f := range m.st.Faults {
			rule := f.When + userNote(f.User, lang) + " → " + f.Then
			if f.Times > 0 {
				rule += " (times: " + strconv.Itoa(f.Times) + ")"
			}
			b.WriteString("<li><span><code>" + esc(rule) + "</code>")
			if f.Server != "" {
				b.WriteString(` <span class="hint">` + esc(view.Tf(lang, "faults.at", "server", f.Server)) + "</span>")
			}
			b.WriteString(`</span><button type="button" data-action="remove-fault" data-index="` + strconv.Itoa(i) + `" aria-label="` +
				esc(view.Tf(lang, "faults.remove", "rule", rule)) + `">` + esc(view.T(lang, "faults.removeBtn")) + "</button></li>\n")
		}
		b.WriteString("</ul>\n")
	}
	if m.spec != nil && len(m.spec.Faults) > 0 {
		b.WriteString(`<p class="hint">` + esc(view.T(lang, "faults.inSpec")) + "</p>\n<ul class=\"spec-faults\">\n")
		for _, f := range m.spec.Faults {
			b.WriteString("<li><code>" + esc(f.When+userNote(f.User, lang)+" → "+f.Then) + "</code>")
			if f.Server != "" {
				b.WriteString(` <span class="hint">` + esc(view.Tf(lang, "faults.at", "server", f.Server)) + "</span>")
			}
			b.WriteString("</li>\n")
		}
		b.WriteString("</ul>\n")
	}
	return b.String()
}

// userNote is how a rule limited to one user says so: " (user bob)".
func userNote(user, lang string) string {
	if user == "" {
		return ""
	}
	return view.Tf(lang, "faults.user", "user", user)
}

// faultLine is how the fault menu names the line it is about.
func faultLine(s trace.Step, lang string) string {
	switch {
	case s.Kind == trace.Connect:
		return view.Tf(lang, "seq.connect", "n", strconv.Itoa(s.Conn)) + " (" + s.To + ")"
	case s.Kind == trace.Data && s.Text == ".":
		return ". (" + view.T(lang, "seq.eod") + ")"
	}
	return s.Text
}

// faultMenuHTML offers the replies the line can really get, then drop,
// timeout and delay.
func (m *Model) faultMenuHTML() string {
	lang := m.st.Lang
	choices := m.FaultChoices()
	var b strings.Builder
	if len(choices) == 0 {
		return `<p class="hint">` + esc(view.T(lang, "faults.noChoice")) + "</p>"
	}
	here := m.st.Faults
	if m.menuLive {
		here = nil
		for _, r := range m.live.rules {
			here = append(here, scenario.FaultSpec{When: r.When, Then: r.Then, Server: r.Server, Protocol: r.Protocol, User: r.User})
		}
		b.WriteString(`<p class="hint">` + esc(view.T(lang, "live.menuNote")) + "</p>")
	}
	for _, f := range here {
		if len(choices) > 0 && sameTarget(f, choices[0]) {
			b.WriteString(`<p class="hint">` + esc(view.Tf(lang, "faults.here", "rule", f.Then)) + "</p>")
		}
	}
	section := func(title string, from, to int) {
		if from >= to {
			return
		}
		b.WriteString("<h3>" + esc(view.T(lang, title)) + `</h3><div class="fault-choices">`)
		for i := from; i < to; i++ {
			label := choices[i].Then
			switch {
			case label == "drop":
				label = view.T(lang, "faults.drop")
			case label == "timeout":
				label = view.T(lang, "faults.timeout")
			case strings.HasPrefix(label, "delay "):
				label = view.T(lang, "faults.delay") + " (" + strings.TrimPrefix(label, "delay ") + ")"
			default:
				label = "<code>" + esc(label) + "</code>"
				b.WriteString(`<button type="button" data-action="add-fault" data-choice="` + strconv.Itoa(i) + `">` + label + "</button>")
				continue
			}
			b.WriteString(`<button type="button" data-action="add-fault" data-choice="` + strconv.Itoa(i) + `">` + esc(label) + "</button>")
		}
		b.WriteString("</div>")
	}
	nReplies := 0
	for _, c := range choices {
		if c.Then != "drop" && c.Then != "timeout" && !strings.HasPrefix(c.Then, "delay ") {
			nReplies++
		}
	}
	b.WriteString(`<p><label class="once"><input type="checkbox" id="fault-once"> ` + esc(view.T(lang, "faults.once")) + "</label></p>")
	section("faults.replies", 0, nReplies)
	section("faults.other", nReplies, len(choices))
	return b.String()
}

// editorErrorsHTML lists the scenario's errors, each a button that puts
// the caret on its line.
func (m *Model) editorErrorsHTML() string {
	lang := m.st.Lang
	var b strings.Builder
	for _, e := range m.specErrs {
		b.WriteString(`<li><button type="button" data-action="goto-line" data-line="` + strconv.Itoa(e.Line) + `" data-col="` + strconv.Itoa(e.Col) + `">` +
			esc(view.Tf(lang, "editor.line", "line", strconv.Itoa(e.Line), "col", strconv.Itoa(e.Col), "msg", explain.Problem(lang, e.Msg))) + "</button></li>")
	}
	if len(m.specErrs) > 0 {
		b.WriteString(`<li class="hint">` + esc(view.T(lang, "editor.broken")) + "</li>")
	} else if m.st.Source != "" {
		b.WriteString(`<li class="ok">` + esc(view.T(lang, "editor.edited")) + "</li>")
	}
	return b.String()
}

// terminalPatches repaints the terminal: the dialogue (with clickable
// reply codes), its diagram, and a hint after an error reply.
func (m *Model) terminalPatches() []Patch {
	lang := m.st.Lang
	var p []Patch
	set := func(id, attr, v string) { p = append(p, Patch{ID: id, Attr: attr, Value: v}) }
	set("term-proto", Value, m.st.Proto)
	if m.termErr != "" {
		set("term-status", Text, "")
		set("term-out", HTML, `<p class="load-error" role="alert">`+esc(view.Tf(lang, "sim.runError", "error", m.termErr))+"</p>")
		set("term-seq", HTML, "")
		set("term-hint", HTML, "")
		return p
	}
	tr := m.termTr
	if tr == nil {
		tr = &trace.Trace{}
	}
	server := ""
	for _, a := range tr.Actors {
		if a.Role != "mua" {
			server = a.Name
		}
	}
	set("term-status", Text, view.Tf(lang, "term.server", "server", server, "proto", strings.ToUpper(m.st.Proto)))
	out := view.Transcript(tr, len(tr.Steps), lang)
	if m.TerminalClosed() {
		out += `<p class="hint">` + esc(view.T(lang, "term.closed")) + "</p>"
	}
	set("term-out", HTML, out)
	set("term-seq", HTML, view.SequenceDiagram(tr, len(tr.Steps), lang))
	set("term-hint", HTML, m.termHint(tr))
	if m.TerminalClosed() {
		set("term-input", "disabled", "")
		set("term-send", "disabled", "")
	} else {
		p = append(p, Patch{ID: "term-input", Attr: "disabled", Del: true}, Patch{ID: "term-send", Attr: "disabled", Del: true})
	}
	return p
}

// termHint explains the last reply when it refused the last line typed:
// what was wrong and what to type instead.
func (m *Model) termHint(tr *trace.Trace) string {
	lang := m.st.Lang
	if m.termTLS {
		return `<p>` + esc(view.T(lang, "term.tls")) + "</p>"
	}
	for i := len(tr.Steps) - 1; i >= 0; i-- {
		s := tr.Steps[i]
		if s.Kind == trace.Command && !s.ByServer {
			return "" // the last line typed got no reply yet
		}
		if s.Kind != trace.Reply || s.More {
			continue
		}
		var e explain.Entry
		switch {
		case s.Code >= 400:
			e = explain.SMTP(courseLang(lang), s.Code, s.Enhanced, s.ReplyTo)
		case s.Status == "-ERR":
			e = explain.POP3(courseLang(lang), s.Status, s.RespCode, s.ReplyTo)
		default:
			return ""
		}
		var b strings.Builder
		b.WriteString(`<p><strong>` + esc(view.T(lang, "term.hint")) + `</strong>: <code>` + esc(s.Text) + "</code></p>")
		if e.Summary != "" {
			b.WriteString(`<p><strong>` + esc(view.T(lang, "term.wrong")) + "</strong> " + esc(e.Summary) + "</p>")
		}
		if e.Detail != "" {
			b.WriteString("<p>" + esc(e.Detail) + "</p>")
		}
		if e.Next != "" {
			b.WriteString(`<p><strong>` + esc(view.T(lang, "term.next")) + "</strong> " + esc(e.Next) + "</p>")
		}
		b.WriteString(`<p><button type="button" class="code" data-action="explain" data-term="1" data-step="` + strconv.Itoa(i) + `">` +
			esc(view.Tf(lang, "tr.explain", "code", codeOf(s))) + "</button></p>")
		return b.String()
	}
	return ""
}

// codeOf is a reply's code as the student reads it: "550" or "-ERR".
func codeOf(s trace.Step) string {
	if s.Code != 0 {
		return strconv.Itoa(s.Code)
	}
	return s.Status
}
