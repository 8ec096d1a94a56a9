package app

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"maillab/sim/scenario"
	"maillab/sim/trace"
	"maillab/web/course"
	"maillab/web/view"
)

// A first visit: one request, the first lesson beside its first scenario,
// stopped at the greeting, and a URL that says so.
func TestFirstLoad(t *testing.T) {
	p := newPage(t, "", nil)
	if len(p.fetches) != 1 || p.fetches[0] != course.IndexPath {
		t.Errorf("fetches: %q, want only the index", p.fetches)
	}
	p.wants("lesson", p.el("lesson-body"), "How an email travels", `data-action="load-scenario"`, `data-action="try-exercise"`, `id="ex-second-hop-refuses"`)
	p.wants("picker", p.el("lesson"), `<option value="journey">1. How an email travels</option>`, "12. ")
	if v, _ := p.attr("lesson", Value); v != "journey" {
		t.Errorf("picker value %q", v)
	}
	p.wants("diagram", p.el("seq"), `<svg`, "220 ")
	p.wants("state machines", p.el("state-server"), `class="state current"`)
	if r, _ := p.attr(Root, "data-ready"); r != "1" {
		t.Error("not marked ready")
	}
	st := p.m.State()
	if st.Lesson != "journey" || st.Scenario != "journey" || st.Step != 2 {
		t.Errorf("state %+v", st)
	}
	if p.url != "lang=en&lesson=journey&sc=journey&step=2" {
		t.Errorf("URL %q", p.url)
	}
	p.wants("position", p.el("ctl-position"), "Step 2 of ")
	if v, _ := p.attr("ctl-back", "aria-disabled"); v != "false" {
		t.Errorf("back disabled: %q", v)
	}
	if v, _ := p.attr("panel-terminal", "hidden"); v != "" {
		t.Error("terminal panel not hidden")
	}
	if v, ok := p.attr("panel-session", "hidden"); ok {
		t.Errorf("session panel hidden: %q", v)
	}
}

func TestStepping(t *testing.T) {
	p := newPage(t, "", nil)
	n := len(p.m.Trace().Steps)
	p.do((*Model).StepForward)
	p.do((*Model).StepForward)
	if p.m.State().Step != 4 {
		t.Fatalf("step %d", p.m.State().Step)
	}
	p.wants("position", p.el("ctl-position"), "Step 4 of ")
	p.do((*Model).StepBack)
	if p.m.State().Step != 3 || !strings.Contains(p.url, "step=3") {
		t.Errorf("after back: %d, %s", p.m.State().Step, p.url)
	}
	p.do((*Model).Reset)
	if p.m.State().Step != 0 {
		t.Error("reset")
	}
	p.wants("diagram", p.el("seq"), view.T("en", "seq.empty"))
	p.do((*Model).StepBack) // nothing before the start
	if p.m.State().Step != 0 {
		t.Error("back past the start")
	}
	p.do((*Model).End)
	if p.m.State().Step != n {
		t.Error("end")
	}
	if v, _ := p.attr("ctl-step", "aria-disabled"); v != "true" {
		t.Error("step not disabled at the end")
	}
	p.do((*Model).StepForward)
	if p.m.State().Step != n {
		t.Error("step past the end")
	}

	// Play from the end starts over, ticks step, the end stops.
	p.do((*Model).TogglePlay)
	if !p.m.Playing() || p.m.State().Step != 0 {
		t.Fatal("play from the end")
	}
	p.wants("play button", p.el("ctl-play"), "Pause")
	for i := 0; i < n+5; i++ {
		p.do((*Model).Tick)
	}
	if p.m.Playing() || p.m.State().Step != n {
		t.Errorf("after playing: playing=%v step=%d", p.m.Playing(), p.m.State().Step)
	}
	p.do(func(m *Model) { m.SetSpeed(2) })
	if p.m.PlayInterval() != PlayEvery/2 {
		t.Error("speed")
	}
}

// The student injects 550 on bob's RCPT at the second hop: the scenario
// runs again, the cursor stays, the destination refuses, the relay
// bounces; removing the fault gives the original trace back, cursor kept.
func TestFaultAddRemoveKeepsCursor(t *testing.T) {
	p := newPage(t, "", nil)
	orig := p.m.Trace()
	rcpt := p.stepOf("RCPT TO:<bob@example.org>", "mx.example.org")
	p.do(func(m *Model) { m.SetStep(rcpt + 1) })
	p.do(func(m *Model) { m.OpenFaultMenu(rcpt) })
	if !p.dialogs["fault-menu"] {
		t.Fatal("fault menu not opened")
	}
	p.wants("fault menu", p.el("fault-menu-body"), "550 5.1.1 &lt;bob@example.org&gt;", "554 5.7.1", view.T("en", "faults.drop"), view.T("en", "faults.timeout"))
	p.wants("fault menu title", p.el("fault-menu-title"), "RCPT TO:<bob@example.org>", "Inject a fault on")
	choices := p.m.FaultChoices()
	if choices[0].Server != "mx.example.org" || !strings.HasPrefix(choices[0].Then, "550 5.1.1") {
		t.Fatalf("first choice %+v", choices[0])
	}
	p.do(func(m *Model) { m.AddFault(0, false) })
	if p.dialogs["fault-menu"] {
		t.Error("menu still open")
	}
	if p.m.State().Step != rcpt+1 {
		t.Errorf("cursor moved: %d, want %d", p.m.State().Step, rcpt+1)
	}
	tr := p.m.Trace()
	if reply := replyTo(tr, rcpt); reply.Code != 550 || reply.Fault == "" {
		t.Errorf("after the fault the reply is %+v", reply)
	}
	if !hasPrefix(tr, "mail.example.com: <bob@example.org> failed permanently: the server sends a bounce") {
		t.Error("no bounce after the 550")
	}
	p.wants("fault panel", p.el("faults"), "RCPT TO:&lt;bob@example.org&gt; → 550 5.1.1", `data-action="remove-fault"`, "mx.example.org")
	p.wants("URL", p.url, "faults=")
	// The exercise that asks for this is done, and remembered.
	p.wants("exercise", p.el("ex-second-hop-refuses"), view.T("en", "ex.pass"))
	if !strings.Contains(p.store[KeyDone], "journey/second-hop-refuses") {
		t.Errorf("not remembered: %q", p.store[KeyDone])
	}
	p.wants("other exercise", p.el("ex-greylisted"), view.T("en", "ex.notYet"))

	p.do(func(m *Model) { m.SetStep(rcpt + 2) })
	p.do(func(m *Model) { m.RemoveFault(0) })
	if p.m.State().Step != rcpt+2 || len(p.m.State().Faults) != 0 {
		t.Errorf("after removing: step %d faults %v", p.m.State().Step, p.m.State().Faults)
	}
	if got := p.m.Trace(); got.Transcript() != orig.Transcript() {
		t.Error("removing the fault did not give the original trace back")
	}
	p.lacks("URL", p.url, "faults=")
	// Done stays done.
	p.wants("exercise", p.el("ex-second-hop-refuses"), view.T("en", "ex.doneBefore"))
}

// Greylisting from the menu: "only once" makes times: 1, the relay
// retries after the 451 and delivers.
func TestFaultOnce(t *testing.T) {
	p := newPage(t, "", nil)
	rcpt := p.stepOf("RCPT TO:<bob@example.org>", "mx.example.org")
	p.do(func(m *Model) { m.OpenFaultMenu(rcpt) })
	i := -1
	for j, c := range p.m.FaultChoices() {
		if strings.HasPrefix(c.Then, "451 4.7.1") {
			i = j
		}
	}
	p.do(func(m *Model) { m.AddFault(i, true) })
	if f := p.m.State().Faults; len(f) != 1 || f[0].Times != 1 {
		t.Fatalf("faults %+v", f)
	}
	p.wants("exercise", p.el("ex-greylisted"), view.T("en", "ex.pass"))
	p.wants("fault panel", p.el("faults"), "(times: 1)")
}

func hasPrefix(tr *trace.Trace, text string) bool {
	for _, s := range tr.Steps {
		if strings.HasPrefix(s.Text, text) {
			return true
		}
	}
	return false
}

// replyTo is the reply to the command at step i (commands may be
// pipelined, so it is not always the next step).
func replyTo(tr *trace.Trace, i int) trace.Step {
	n := 0 // commands of the connection sent before i and not answered yet
	conn := tr.Steps[i].Conn
	for j := 0; j < i; j++ {
		s := tr.Steps[j]
		if s.Conn != conn {
			continue
		}
		if s.Kind == trace.Command {
			n++
		}
		if s.Kind == trace.Reply && !s.More && s.ReplyTo != "GREETING" {
			n--
		}
	}
	for j := i + 1; j < len(tr.Steps); j++ {
		s := tr.Steps[j]
		if s.Conn == conn && s.Kind == trace.Reply && !s.More {
			if n == 0 {
				return s
			}
			n--
		}
	}
	return trace.Step{}
}

// Everything in the URL comes back.
func TestFragmentRoundTrip(t *testing.T) {
	for _, st := range []State{
		{Lang: LangEN, Lesson: "journey", Scenario: "journey", Step: 0, Tab: TabSession, Proto: "smtp"},
		{Lang: LangZH, Lesson: "reading-errors", Scenario: "two", Step: 17, Tab: TabTerminal, Proto: "pop3", Server: "mx.example.org",
			Typed: []string{"USER bob", "PASS secret", "", "LIST"}, Exercise: "ask", Source: "title: x\nservers: {a.example: {}}\n",
			Faults: []scenario.FaultSpec{{When: "RCPT TO:<b@x>", Then: "550 5.1.1 No & such <user>", Server: "mx", Times: 1}, {When: "connect", Then: "drop"}}},
		{Lang: LangEN, File: "my lesson.md", FileSrc: "---\nid: x\n---\n# Hi & bye\n\n中文\n", Step: 3, Tab: TabEditor, Proto: "smtp"},
	} {
		frag := st.Fragment()
		got, file, ok := ParseFragment("#" + frag)
		if !ok || file != "" {
			t.Errorf("%q: ok=%v file=%q", frag, ok, file)
		}
		if !reflect.DeepEqual(got, st) {
			t.Errorf("round trip of %q:\n got %+v\nwant %+v", frag, got, st)
		}
		if strings.ContainsAny(frag, " #<>\"") {
			t.Errorf("fragment needs escaping: %q", frag)
		}
	}
	// What cannot be read is left out; a link cut short still opens.
	st, _, ok := ParseFragment("lang=zh&lesson=journey&step=x&faults=!!!&yaml=AAAA")
	if !ok || st.Lang != LangZH || st.Lesson != "journey" || st.Step != -1 || st.Faults != nil || st.Source != "" {
		t.Errorf("a damaged link: %+v", st)
	}
	if _, _, ok := ParseFragment(""); ok {
		t.Error("an empty fragment is not a state")
	}
	if _, file, _ := ParseFragment("lesson-file=en/03-commands-replies.md"); file != "en/03-commands-replies.md" {
		t.Error("lesson-file")
	}
}

// Reloading the URL restores the same screen: lesson, faults, edits,
// cursor, language, tab.
func TestReloadRestores(t *testing.T) {
	p := newPage(t, "", nil)
	rcpt := p.stepOf("RCPT TO:<bob@example.org>", "mx.example.org")
	p.do(func(m *Model) { m.OpenFaultMenu(rcpt) })
	p.do(func(m *Model) { m.AddFault(0, false) })
	p.do(func(m *Model) { m.SetStep(rcpt + 3) })
	p.do(func(m *Model) { m.SetLang("zh-CN") })
	p.do(func(m *Model) { m.SetTab(TabEditor) })
	want := p.m.Trace().Transcript()

	q := p.reload()
	if q.m.State().Step != rcpt+3 || q.m.State().Lang != LangZH || q.m.State().Tab != TabEditor {
		t.Errorf("restored %+v", q.m.State())
	}
	if q.m.Trace().Transcript() != want {
		t.Error("a different trace after reloading")
	}
	q.wants("position", q.el("ctl-position"), "第 "+itoa(rcpt+3)+" 步")
	if v, _ := q.attr(Root, "lang"); v != "zh-CN" {
		t.Errorf("lang %q", v)
	}
	q.wants("lesson", q.el("lesson-body"), "邮件")
	if q.url != p.url {
		t.Errorf("the URL changed on reload:\n%s\n%s", p.url, q.url)
	}
	// Going back to a state (hashchange) restores it too.
	p.do(func(m *Model) { m.SetLesson("smtp-session") })
	if p.m.State().Lesson != "smtp-session" {
		t.Fatal("lesson")
	}
	p.do(func(m *Model) { m.HashChanged(q.url) })
	if p.m.State().Lesson != "journey" || p.m.State().Step != rcpt+3 || len(p.m.State().Faults) != 1 {
		t.Errorf("after hashchange: %+v", p.m.State())
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// A link straight to a lesson asks for it with the index, in parallel.
func TestLinkToLesson(t *testing.T) {
	p := newPage(t, "lang=zh-CN&lesson=reading-errors&step=5", nil)
	if len(p.fetches) != 2 {
		t.Errorf("fetches %q", p.fetches)
	}
	if p.m.State().Step != 5 || p.m.doc.ID != "reading-errors" || p.m.doc.Lang != "zh" {
		t.Errorf("state %+v doc %s/%s", p.m.State(), p.m.doc.Lang, p.m.doc.ID)
	}
	// A lesson that does not exist falls back to the first.
	q := newPage(t, "lesson=no-such-lesson", nil)
	if q.m.doc == nil || q.m.doc.ID != "journey" {
		t.Errorf("unknown lesson: %v", q.m.doc)
	}
	// A link between lessons.
	p.do(func(m *Model) { m.HashChanged("lesson-file=zh/03-commands-replies.md") })
	if p.m.doc.ID != "commands-replies" {
		t.Errorf("lesson-file link: %s", p.m.doc.ID)
	}
}

// Switching language keeps the scenario, its faults and the cursor, and
// fetches the other language's lesson; every label follows.
func TestLanguage(t *testing.T) {
	p := newPage(t, "", nil)
	p.do((*Model).StepForward)
	step := p.m.State().Step
	p.do(func(m *Model) { m.SetLang("zh") })
	if p.store[KeyLang] != LangZH {
		t.Error("language not remembered")
	}
	if p.m.State().Step != step || p.m.doc.Lang != "zh" {
		t.Errorf("after switching: step %d (want %d), doc %s", p.m.State().Step, step, p.m.doc.Lang)
	}
	p.wants("position", p.el("ctl-position"), "第 ")
	p.wants("diagram", p.el("seq"), "时序图")
	p.wants("play", p.el("ctl-play"), "播放")
	p.wants("state diagram", p.el("state-client"), "状态机")
	p.wants("picker", p.el("lesson"), "1. ")
}

// A slow lesson that arrives after the student switched back is ignored.
func TestStaleFetchIgnored(t *testing.T) {
	p := newPage(t, "", nil)
	p.hold = true
	p.do(func(m *Model) { m.SetLesson("reading-errors") })
	p.do(func(m *Model) { m.SetLesson("journey") })
	p.release()
	if p.m.doc.ID != "journey" {
		t.Errorf("the late answer replaced the lesson: %s", p.m.doc.ID)
	}
}

func TestExplain(t *testing.T) {
	p := newPage(t, "", nil)
	p.do((*Model).End)
	var i int
	for j, s := range p.m.Trace().Steps {
		if s.Code == 235 {
			i = j
		}
	}
	p.do(func(m *Model) { m.ExplainStep(false, i) })
	if !p.dialogs["explain"] {
		t.Fatal("no dialog")
	}
	p.wants("card", p.el("explain-body"), "235", "RFC 4954")
	p.do(func(m *Model) { m.SetLang(LangZH) })
	p.wants("card in Chinese", p.el("explain-body"), "认证")
	p.do(func(m *Model) { m.CloseDialog("explain") })
	if p.dialogs["explain"] {
		t.Error("still open")
	}
}

// The editor: an error is shown at its line and the session keeps running
// the last good version; a good edit runs and goes into the URL.
func TestEditor(t *testing.T) {
	p := newPage(t, "", nil)
	src := p.m.EditorText()
	if v, _ := p.attr("editor", Value); v != src || !strings.Contains(src, "id: journey") {
		t.Fatalf("editor text %q", v)
	}
	good := p.m.Trace().Transcript()
	p.do(func(m *Model) { m.SetTab(TabEditor) })
	p.do(func(m *Model) { m.RunSource(strings.Replace(src, "client: smtplib", "client: smtplib\nbogus: 1", 1)) })
	p.wants("errors", p.el("editor-errors"), "line 4, column 1", "bogus", `data-action="goto-line"`, view.T("en", "editor.broken"))
	if v, _ := p.attr("editor", "aria-invalid"); v != "true" {
		t.Error("not marked invalid")
	}
	if p.m.Trace().Transcript() != good {
		t.Error("a broken edit replaced the session")
	}
	p.do(func(m *Model) { m.GotoLine(4, 1) })
	// In Chinese the same error reads in Chinese; the key stays as typed.
	p.do(func(m *Model) { m.SetLang(LangZH) })
	p.wants("errors in Chinese", p.el("editor-errors"), "第 4 行第 1 列", "没有键 &#34;bogus&#34;", "SPEC.md")
	p.do(func(m *Model) { m.SetLang(LangEN) })

	edited := strings.Replace(src, "subject: Lunch on Friday", "subject: Dinner on Saturday", 1)
	p.do(func(m *Model) { m.RunSource(edited) })
	if p.el("editor-errors") == "" || strings.Contains(p.el("editor-errors"), "line") {
		t.Errorf("errors after a good edit: %q", p.el("editor-errors"))
	}
	if !strings.Contains(p.m.Trace().Transcript(), "Dinner on Saturday") || !strings.Contains(p.url, "yaml=") {
		t.Error("the edit did not run or is not in the URL")
	}
	p.wants("title", p.el("sim-title"), view.T("en", "sim.edited"))
	q := p.reload()
	if !strings.Contains(q.m.Trace().Transcript(), "Dinner on Saturday") {
		t.Error("the edit did not survive a reload")
	}
	p.do((*Model).RevertSource)
	if p.m.State().Source != "" || strings.Contains(p.url, "yaml=") {
		t.Error("revert")
	}
	// A broken edit in a link: the lesson's scenario runs, the errors show.
	r := newPage(t, State{Lang: LangEN, Lesson: "journey", Source: "servers: [", Step: -1}.Fragment(), nil)
	if len(r.m.Trace().Steps) == 0 || !strings.Contains(r.el("editor-errors"), "line") {
		t.Errorf("broken link: %d steps, errors %q", len(r.m.Trace().Steps), r.el("editor-errors"))
	}
}

// The terminal: typing against the simulated server, the diagram growing,
// a hint on an error reply, and a terminal exercise checked as it goes.
func TestTerminal(t *testing.T) {
	p := newPage(t, "", nil)
	p.do(func(m *Model) { m.SetTab(TabTerminal) })
	p.wants("terminal", p.el("term-out"), ">220</button>", "mail.example.com ESMTP")
	p.wants("status", p.el("term-status"), "mail.example.com", "SMTP")
	for _, l := range []string{"EHLO pc.example.com", "MAIL FROM:<alice@example.com>"} {
		p.do(func(m *Model) { m.TermType(l) })
	}
	p.wants("terminal", p.el("term-out"), "MAIL FROM:&lt;alice@example.com&gt;")
	p.wants("hint", p.el("term-hint"), "530") // auth: required
	p.wants("hint", p.el("term-hint"), view.T("en", "term.next"))
	p.wants("diagram", p.el("term-seq"), "<svg", "530")
	if !strings.Contains(p.url, "tab=terminal") || !strings.Contains(p.url, "typed=") {
		t.Errorf("URL %q", p.url)
	}
	q := p.reload()
	if q.m.TerminalTrace() == nil || q.m.TerminalTrace().Transcript() != p.m.TerminalTrace().Transcript() {
		t.Error("the terminal did not come back after a reload")
	}
	p.do(func(m *Model) { m.TermType("QUIT") })
	if !p.m.TerminalClosed() {
		t.Fatal("not closed after QUIT")
	}
	if _, ok := p.attr("term-input", "disabled"); !ok {
		t.Error("input not disabled after the server closed")
	}
	p.wants("terminal", p.el("term-out"), view.T("en", "term.closed"))
	p.do((*Model).TermReset)
	if p.m.TerminalClosed() || len(p.m.State().Typed) != 0 {
		t.Error("new connection")
	}
	p.do(func(m *Model) { m.TermSetProto("pop3") })
	p.wants("terminal", p.el("term-out"), "+OK")
	p.do(func(m *Model) { m.TermType("USER nobody") })
	p.do(func(m *Model) { m.TermType("PASS wrong") })
	p.wants("hint", p.el("term-hint"), "-ERR")
}

// A terminal exercise: Try it opens the terminal on the exercise's server;
// typing the solution completes it.
func TestTerminalExercise(t *testing.T) {
	p := newPage(t, "lesson=reading-errors", nil)
	var ex course.Exercise
	for _, e := range p.m.doc.Exercises {
		if e.Start == "terminal" {
			ex = e
			break
		}
	}
	if ex.ID == "" {
		t.Skip("the lesson has no terminal exercise")
	}
	p.do(func(m *Model) { m.TryExercise(ex.ID) })
	if p.m.State().Tab != TabTerminal || p.m.State().Exercise != ex.ID {
		t.Fatalf("state %+v", p.m.State())
	}
	p.wants("exercise", p.el("ex-"+ex.ID), view.T("en", "ex.notYet"))
	p.wants("title", p.el("sim-exercise"), "Exercise: ")
	lines := solutionLines(t, "en/06-reading-errors.md", ex.ID)
	for _, l := range lines {
		p.do(func(m *Model) { m.TermType(l) })
	}
	p.wants("exercise", p.el("ex-"+ex.ID), view.T("en", "ex.pass"))
}

func TestCopyAndDownload(t *testing.T) {
	p := newPage(t, "lesson=smtp-session", nil)
	p.do((*Model).CopyTranscript)
	if !strings.HasPrefix(p.copied, "# [00:00:00] connection 1: ") || !strings.HasSuffix(p.copied, ".example.org ESMTP maillab\n") {
		t.Errorf("copied %q", p.copied)
	}
	p.wants("status", p.el("copy-status"), "Copied")
	p.do((*Model).End)
	p.wants("maildrops", p.el("maildrops"), `data-action="eml"`)
	p.do(func(m *Model) { m.DownloadEML(0, 0) })
	if len(p.saved) != 1 || !strings.HasSuffix(p.saved[0].Name, ".eml") || !strings.Contains(p.saved[0].Text, "\r\nSubject: ") || !strings.Contains(p.saved[0].Text, "\r\nReceived: from ") {
		t.Errorf("download %+v", p.saved)
	}
	// Before the message is stored, the maildrop is empty.
	p.do((*Model).Reset)
	p.lacks("maildrops at the start", p.el("maildrops"), `data-action="eml"`)
}

// Opening a lesson file: it is shown with its problems, its scenario runs.
func TestOpenFile(t *testing.T) {
	p := newPage(t, "", nil)
	src := "---\nid: mine\ntitle: My lesson\nlang: en\norder: 1\nduration: 5\nobjectives: [one]\n---\n\n# Mine\n\n```scenario\nservers:\n  mail.example.com: {users: {alice: secret}}\nsend:\n  - {from: alice@example.com, to: bob@example.com, subject: Hi, body: Hello}\n```\n\n```scenario\nservers: {mail.example.com: {mydestinations: [x]}}\n```\n"
	p.do(func(m *Model) { m.OpenFile("mine.md", []byte(src)) })
	body := p.el("lesson-body")
	p.wants("lesson", body, "<h1 id=\"mine\">Mine</h1>", "Opened file: mine.md", `class="problems"`, "mine.md:", "mydestinations")
	p.wants("picker", p.el("lesson"), "Opened file: mine.md")
	if len(p.m.Trace().Steps) == 0 {
		t.Error("the file's scenario did not run")
	}
	q := p.reload()
	q.wants("reloaded file", q.el("lesson-body"), "Mine</h1>", "mydestinations")
	// An instructor working in Chinese reads the problems in Chinese.
	q.do(func(m *Model) { m.SetLang(LangZH) })
	q.wants("problems in Chinese", q.el("lesson-body"), "mine.md:", "场景：没有键 &#34;mydestinations&#34;")
	p.do(func(m *Model) { m.OpenFile("notes.txt", []byte("x")) })
	p.wants("lesson", p.el("lesson-body"), "notes.txt is not a lesson file")
	p.do(func(m *Model) { m.SetLesson("journey") })
	p.lacks("lesson", p.el("lesson-body"), "Mine</h1>")
}

// A watched course: the page polls; a changed lesson is reloaded, keeping
// the student's place.
func TestWatchReload(t *testing.T) {
	files := map[string][]byte{}
	base, _ := builtin()
	for k, v := range base {
		files[k] = v
	}
	var idx course.Index
	json.Unmarshal(files[course.IndexPath], &idx)
	idx.Watch, idx.Version = true, "v1"
	b, _ := json.Marshal(idx)
	files[course.IndexPath] = b
	p := newPage(t, "lesson=smtp-session&step=4", files)
	if p.polls != 1 {
		t.Fatalf("polls %d", p.polls)
	}
	p.do((*Model).Poll) // nothing changed
	if p.polls != 2 || strings.Contains(p.el("lesson-body"), view.T("en", "lesson.reloaded")) {
		t.Error("a poll without a change")
	}
	var d course.Doc
	json.Unmarshal(files[course.DocPath("en", "smtp-session")], &d)
	d.HTML = strings.Replace(d.HTML, "</h1>", " (edited)</h1>", 1)
	files[course.DocPath("en", "smtp-session")], _ = json.Marshal(d)
	for i := range idx.Lessons {
		if idx.Lessons[i].ID == "smtp-session" {
			idx.Lessons[i].Hash = "changed"
		}
	}
	idx.Version = "v2"
	files[course.IndexPath], _ = json.Marshal(idx)
	p.do((*Model).Poll)
	p.wants("lesson", p.el("lesson-body"), "(edited)", view.T("en", "lesson.reloaded"), view.T("en", "problems.none"))
	if p.m.State().Step != 4 {
		t.Errorf("step %d after the reload", p.m.State().Step)
	}
}

func TestQueueDrainsInOrder(t *testing.T) {
	q := NewQueue()
	var got []int
	q.Post(func() { got = append(got, 1); q.Post(func() { got = append(got, 3) }) })
	q.Post(func() { got = append(got, 2) })
	select {
	case <-q.Ready():
	default:
		t.Error("not ready")
	}
	if n := q.Drain(); n != 3 || !reflect.DeepEqual(got, []int{1, 2, 3}) {
		t.Errorf("drained %d: %v", n, got)
	}
}

// With Recovered set (the browser), a panic in one function is reported
// and the queue goes on; without it (the tests), the panic goes up.
func TestQueueRecoversFromAPanic(t *testing.T) {
	q := NewQueue()
	var got []int
	var report string
	q.Recovered = func(v any, stack []byte) { report = fmt.Sprint(v) + "\n" + string(stack) }
	q.Post(func() { got = append(got, 1) })
	q.Post(func() { var m map[string]int; m["x"]++ })
	q.Post(func() { got = append(got, 3) })
	if n := q.Drain(); n != 3 || !reflect.DeepEqual(got, []int{1, 3}) {
		t.Errorf("drained %d: %v", n, got)
	}
	if !strings.Contains(report, "assignment to entry in nil map") || !strings.Contains(report, "TestQueueRecoversFromAPanic") {
		t.Errorf("report: %.300q", report)
	}
	q.Recovered = nil
	defer func() {
		if recover() == nil {
			t.Error("without Recovered the panic was swallowed")
		}
	}()
	q.Post(func() { panic("up") })
	q.Drain()
}

// A link to a lesson of a watched course: the lesson may arrive before the
// index; that is not a change of the file.
func TestWatchLessonFirst(t *testing.T) {
	files := map[string][]byte{}
	base, _ := builtin()
	for k, v := range base {
		files[k] = v
	}
	var idx course.Index
	json.Unmarshal(files[course.IndexPath], &idx)
	idx.Watch = true
	files[course.IndexPath], _ = json.Marshal(idx)
	p := &page{t: t, q: NewQueue(), files: files, els: map[string]string{}, store: map[string]string{}, dialogs: map[string]bool{}, hold: true}
	st, _, _ := ParseFragment("lesson=smtp-session")
	p.m = New(st, "")
	p.m.Start()
	p.settle()
	// Answer the lesson first, then the index.
	for _, c := range []int{1, 0} {
		p.answer(p.pending[c])
		p.settle()
	}
	p.hold = false
	p.settle()
	if strings.Contains(p.el("lesson-body"), view.T("en", "lesson.reloaded")) || len(p.fetches) != 2 {
		t.Errorf("fetches %q; lesson reloaded for nothing", p.fetches)
	}
}
