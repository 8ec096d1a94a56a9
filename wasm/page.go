//go:build js && wasm

package main

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/hack-pad/safejs"

	"maillab/web/app"
	"maillab/web/view"
)

// page is the DOM side of the lab: the document, the model, the queue,
// and what was last written to each element of the static page (so an
// unchanged panel is not written again).
type page struct {
	doc    js
	m      *app.Model
	q      *app.Queue
	static map[string]bool   // ids of index.html's own elements
	last   map[string]string // "id attr" → the value last written (static elements only)
	// lastLines are the panels last written line by line.
	lastLines map[string][]string
	lang      string // the labels' language
	ticking   bool   // a play timer is set
	bench     js     // globalThis.maillabBench, set by make bench to collect timings
	// prefetch is boot.js's fetch of the course index (a promise), until used.
	prefetch js
	toScroll map[string]bool // panels to scroll at the next frame

	pendingURL string    // the latest fragment
	urlAt      time.Time // when the URL was last rewritten
	urlTimer   bool      // a rewrite is due

	es      js            // the live view's EventSource, if open
	esFuncs []safejs.Func // its listeners, released when it closes
}

func newPage() (*page, error) {
	doc := global().get("document")
	if !doc.ok() {
		return nil, errors.New("no document")
	}
	p := &page{doc: doc, q: app.NewQueue(), static: map[string]bool{}, last: map[string]string{}, lastLines: map[string][]string{}}
	els := doc.call("querySelectorAll", "[id]")
	n := int(els.get("length").float())
	for i := 0; i < n; i++ {
		if id := els.call("item", i).get("id").str(); id != "" {
			p.static[id] = true
		}
	}
	p.lang = doc.get("documentElement").get("lang").str()
	p.bench = global().get("maillabBench")
	p.prefetch = global().get("maillabBoot").get("course")
	p.m = app.New(bootState(), loadItem(app.KeyDone))
	return p, nil
}

func (p *page) byID(id string) js {
	if id == app.Root {
		return p.doc.get("documentElement")
	}
	return p.doc.call("getElementById", id)
}

// flush writes the model's patches and does its commands.
func (p *page) flush() {
	start := time.Now()
	ready := p.m.Ready()
	patches := p.m.Render()
	rendered := time.Now()
	for _, pt := range patches {
		p.apply(pt)
	}
	for _, c := range p.m.TakeCmds() {
		p.do(c)
	}
	if !ready && p.m.Ready() {
		// The first step can be taken from now on (make bench measures this).
		global().get("performance").call("mark", "maillab-ready")
	}
	if p.bench.ok() && len(patches) > 0 {
		p.bench.get("flush").call("push", float64(time.Since(start).Microseconds())/1000)
		// The model and the views' share of it (the rest is DOM writes).
		p.bench.get("render").call("push", float64(rendered.Sub(start).Microseconds())/1000)
	}
	if p.m.Playing() && !p.ticking {
		p.ticking = true
		p.after(p.m.PlayInterval(), func() {
			p.ticking = false
			p.m.Tick()
		})
	}
}

// mark adds a performance mark when make bench asks for timings.
func (p *page) mark(name string) {
	if p.bench.ok() {
		global().get("performance").call("mark", name)
	}
}

// apply writes one patch.
func (p *page) apply(pt app.Patch) {
	if pt.Lines != nil {
		p.applyLines(pt)
		return
	}
	key := pt.ID + " " + pt.Attr
	if p.static[pt.ID] {
		v := pt.Value
		if pt.Del {
			v = "\x00removed"
		}
		if prev, ok := p.last[key]; ok && prev == v {
			return
		}
		p.last[key] = v
		delete(p.lastLines, pt.ID)
	}
	el := p.byID(pt.ID)
	if !el.ok() {
		return // an element of a lesson that is not on screen
	}
	switch {
	case pt.Attr == app.HTML:
		_ = el.set("innerHTML", pt.Value)
		p.scrollSoon(pt.ID)
	case pt.Attr == app.Text:
		_ = el.set("textContent", pt.Value)
	case pt.Attr == app.Value:
		_ = el.set("value", pt.Value)
	case pt.Del:
		el.call("removeAttribute", pt.Attr)
	default:
		el.call("setAttribute", pt.Attr, pt.Value)
		if pt.ID == app.Root && pt.Attr == "lang" && pt.Value != p.lang {
			p.translate(pt.Value)
		}
	}
}

// applyLines writes a panel given line by line: only the lines that
// changed since the last time, or the whole panel.
func (p *page) applyLines(pt app.Patch) {
	el := p.byID(pt.ID)
	if !el.ok() {
		return
	}
	old, had := p.lastLines[pt.ID]
	if had && slices.Equal(old, pt.Lines) {
		return
	}
	if p.static[pt.ID] {
		p.lastLines[pt.ID] = pt.Lines
		delete(p.last, pt.ID+" "+app.HTML)
	}
	if !had || !p.update(el, old, pt.Lines) {
		_ = el.set("innerHTML", pt.Content())
	}
	p.scrollSoon(pt.ID)
}

// update changes a panel from its old lines to its new ones
// (app.DiffLines): a step of a long trace rewrites a few elements instead
// of the whole diagram. Each slice is an opening tag, one child element per
// line, the closing tag. It reports false when the page does not hold what
// was written, and the caller rewrites the panel whole.
func (p *page) update(el js, old, new []string) bool {
	if len(old) < 2 || len(new) < 2 || tagName(old[0]) != tagName(new[0]) {
		return false
	}
	oldOpen, oldLines := old[0], old[1:len(old)-1]
	newOpen, newLines := new[0], new[1:len(new)-1]
	root := el.get("firstElementChild")
	if !root.ok() || int(root.get("childElementCount").float()) != len(oldLines) {
		return false
	}
	if oldOpen != newOpen {
		was := app.Attrs(oldOpen)
		for k, v := range app.Attrs(newOpen) {
			if was[k] != v {
				root.call("setAttribute", k, v)
			}
		}
	}
	keep := app.DiffLines(oldLines, newLines)
	kids := global().get("Array").call("from", root.get("children").v)
	kept := make([]bool, len(oldLines))
	for _, k := range keep {
		if k >= 0 {
			kept[k] = true
		}
	}
	for i, k := range kept {
		if !k {
			kids.call("at", i).call("remove")
		}
	}
	var prev js // the element the next one goes after; none: first
	for i, k := range keep {
		if k >= 0 {
			prev = kids.call("at", k)
			continue
		}
		if prev.ok() {
			prev.call("insertAdjacentHTML", "afterend", newLines[i])
			prev = prev.get("nextElementSibling")
		} else {
			root.call("insertAdjacentHTML", "afterbegin", newLines[i])
			prev = root.get("firstElementChild")
		}
	}
	return int(root.get("childElementCount").float()) == len(newLines)
}

// tagName is the element name of an opening tag ("<svg …>" → "svg").
func tagName(open string) string {
	open = strings.TrimPrefix(open, "<")
	if i := strings.IndexAny(open, " >"); i >= 0 {
		return open[:i]
	}
	return open
}

// translate puts the static page's labels in a language: the elements
// marked data-i18n in index.html (the model writes everything else).
func (p *page) translate(lang string) {
	p.lang = lang
	for _, kind := range []struct{ sel, attr, prop string }{
		{"[data-i18n]", "data-i18n", "textContent"},
		{"[data-i18n-label]", "data-i18n-label", "aria-label"},
		{"[data-i18n-title]", "data-i18n-title", "title"},
	} {
		els := p.doc.call("querySelectorAll", kind.sel)
		n := int(els.get("length").float())
		for i := 0; i < n; i++ {
			el := els.call("item", i)
			text := view.T(lang, el.attr(kind.attr))
			if kind.prop == "aria-label" {
				el.call("setAttribute", "aria-label", text)
			} else {
				_ = el.set(kind.prop, text)
			}
		}
	}
	// Labels written above may be ones the model patches too: forget
	// what was written, so its next patches are all applied.
	for k := range p.last {
		if strings.HasSuffix(k, " "+app.Text) {
			delete(p.last, k)
		}
	}
}

// scrollSoon keeps a panel's current step in view, at the next frame:
// measuring now would make the browser lay the page out twice.
func (p *page) scrollSoon(id string) {
	switch id {
	case "seq", "transcript", "term-out", "live-seq", "live-transcript":
	default:
		return
	}
	if p.toScroll == nil {
		p.toScroll = map[string]bool{}
		cb := callback(true, func([]safejs.Value) any {
			for id := range p.toScroll {
				p.scrolled(id, p.byID(id))
			}
			p.toScroll = nil
			return nil
		})
		global().call("requestAnimationFrame", cb)
	}
	p.toScroll[id] = true
}

// scrolled keeps the current step in view inside a scrolling panel, and
// the terminal at its end.
func (p *page) scrolled(id string, el js) {
	switch id {
	case "seq", "transcript", "live-seq", "live-transcript":
		cur := el.call("querySelector", `[aria-current="step"]`)
		box := el // the scrolling panel
		if !cur.ok() {
			return
		}
		c, b := cur.call("getBoundingClientRect"), box.call("getBoundingClientRect")
		if !c.ok() || !b.ok() {
			return
		}
		top, bottom := c.get("top").float(), c.get("bottom").float()
		btop, bbottom := b.get("top").float(), b.get("bottom").float()
		st := box.get("scrollTop").float()
		switch {
		case bottom > bbottom:
			_ = box.set("scrollTop", st+bottom-bbottom+24)
		case top < btop:
			_ = box.set("scrollTop", st-(btop-top)-24)
		}
	case "term-out":
		_ = el.set("scrollTop", el.get("scrollHeight").float())
	}
}

// do carries out one command of the model.
func (p *page) do(c app.Cmd) {
	switch c.Kind {
	case app.Fetch:
		path := c.Path
		p.fetchText(path, func(b []byte, err error) {
			p.mark("maillab-fetched " + path)
			p.m.FetchDone(path, b, err)
		})
	case app.Save:
		saveItem(c.Key, c.Text)
	case app.Copy:
		p.copyText(c.Text, p.m.CopyDone)
	case app.Download:
		p.download(c.Name, c.Type, c.Text)
	case app.Dialog:
		d := p.byID(c.Key)
		switch open := d.get("open").bool(); {
		case c.Open && !open:
			d.call("showModal")
		case !c.Open && open:
			d.call("close")
		}
	case app.SelectLine:
		ed := p.byID("editor")
		start, end, _ := app.LineOffsets(ed.get("value").str(), c.Line, c.Col)
		ed.call("focus")
		ed.call("setSelectionRange", start, end)
		// Scroll the line into view: textareas do not on selection.
		lh := 1.45 * 13.6
		_ = ed.set("scrollTop", float64(c.Line-3)*lh)
	case app.SetURL:
		p.setURL(c.URL)
	case app.Poll:
		p.after(c.Wait, p.m.Poll)
	case app.Focus:
		p.byID(c.Key).call("focus")
	case app.Later:
		p.after(0, func() {})
	case app.Request:
		p.request(c)
	case app.Stream:
		p.openStream(c.Path, c.Wait)
	}
}

// urlEvery is how often, at most, the URL is rewritten: browsers refuse
// (with a console warning) more than a hundred or so history updates in a
// few seconds, and holding → down steps thirty times a second.
const urlEvery = 250 * time.Millisecond

// setURL rewrites the fragment now, or at the end of the current
// urlEvery window with the latest state.
func (p *page) setURL(frag string) {
	p.pendingURL = frag
	if p.urlTimer {
		return
	}
	if since := time.Since(p.urlAt); since >= urlEvery {
		replaceURL(frag)
		p.urlAt = time.Now()
		return
	}
	p.urlTimer = true
	p.after(urlEvery-time.Since(p.urlAt), func() {
		p.urlTimer = false
		replaceURL(p.pendingURL)
		p.urlAt = time.Now()
	})
}

// The rest of this file turns DOM events into model calls. Each listener
// reads what it needs from the event at once (and calls preventDefault
// where it must), posts a function on the queue and returns.

func (p *page) on(target js, event string, fn func(ev js)) {
	cb := callback(false, func(args []safejs.Value) any {
		if len(args) > 0 {
			fn(wrap(args[0]))
		}
		return nil
	})
	target.call("addEventListener", event, cb)
}

func (p *page) post(fn func(m *app.Model)) { p.q.Post(func() { fn(p.m) }) }

func (p *page) listen() {
	win := global()
	p.on(p.doc, "click", p.onClick)
	p.on(p.doc, "keydown", p.onKey)
	p.on(p.byID("lesson"), "change", func(ev js) {
		if id := ev.get("target").get("value").str(); id != "" {
			p.post(func(m *app.Model) { m.SetLesson(id) })
		}
	})
	p.on(p.byID("lang"), "change", func(ev js) {
		lang := ev.get("target").get("value").str()
		p.post(func(m *app.Model) { m.SetLang(lang) })
	})
	p.on(p.byID("ctl-speed"), "input", func(ev js) {
		f := ev.get("target").get("valueAsNumber").float()
		p.post(func(m *app.Model) { m.SetSpeed(f) })
	})
	p.on(p.byID("term-proto"), "change", func(ev js) {
		proto := ev.get("target").get("value").str()
		p.post(func(m *app.Model) { m.TermSetProto(proto) })
	})
	p.on(p.byID("file"), "change", func(ev js) {
		input := ev.get("target")
		p.readFile(input.get("files").call("item", 0))
		_ = input.set("value", "")
	})
	for _, id := range []string{"explain", "fault-menu"} {
		p.on(p.byID(id), "close", func(js) { p.post(func(m *app.Model) { m.DialogClosed(id) }) })
	}
	p.on(win, "hashchange", func(ev js) {
		// The fragment the link asked for is the event's newURL: by the
		// time this task runs, the page's own throttled replaceState
		// (setURL) may already have put the previous state back into
		// location.hash, and reading that lost the link's step.
		frag := ""
		if _, f, ok := strings.Cut(ev.get("newURL").str(), "#"); ok {
			frag = f
		}
		p.post(func(m *app.Model) { m.HashChanged(frag) })
	})
	// Drop a lesson file anywhere on the page.
	p.on(p.doc, "dragover", func(ev js) {
		if hasFiles(ev) {
			ev.call("preventDefault")
			_ = ev.get("dataTransfer").set("dropEffect", "copy")
			p.doc.get("body").get("classList").call("add", "dropping")
		}
	})
	p.on(p.doc, "dragleave", func(ev js) {
		if !ev.get("relatedTarget").ok() {
			p.doc.get("body").get("classList").call("remove", "dropping")
		}
	})
	p.on(p.doc, "drop", func(ev js) {
		p.doc.get("body").get("classList").call("remove", "dropping")
		if !hasFiles(ev) {
			return
		}
		ev.call("preventDefault")
		p.readFile(ev.get("dataTransfer").get("files").call("item", 0))
	})
}

func hasFiles(ev js) bool {
	return ev.get("dataTransfer").get("types").call("includes", "Files").bool()
}

// readFile reads a File and opens it as a lesson.
func (p *page) readFile(f js) {
	if !f.ok() {
		return
	}
	name := f.get("name").str()
	then(f.call("text"), func(v safejs.Value) any {
		s, _ := v.String()
		p.post(func(m *app.Model) { m.OpenFile(name, []byte(s)) })
		return nil
	}, func(err error) { p.post(func(m *app.Model) { m.FileError(name, err) }) })
}

// onClick handles every click on the page, by the element's id or its
// data-action (the views mark what can be clicked), or a step of a
// sequence diagram.
func (p *page) onClick(ev js) {
	t := ev.get("target")
	el := t.call("closest", `button, a[href^="#lesson-file="], g.step`)
	if !el.ok() {
		return
	}
	id := el.get("id").str()
	if el.get("disabled").bool() || el.attr("aria-disabled") == "true" {
		return
	}
	switch id {
	case "ctl-step":
		p.post((*app.Model).StepForward)
		return
	case "ctl-back":
		p.post((*app.Model).StepBack)
		return
	case "ctl-play":
		p.post((*app.Model).TogglePlay)
		return
	case "ctl-reset":
		p.post((*app.Model).Reset)
		return
	case "tab-session", "tab-terminal", "tab-editor", "tab-live":
		tab := strings.TrimPrefix(id, "tab-")
		p.post(func(m *app.Model) { m.SetTab(tab) })
		return
	case "copy-transcript":
		p.post((*app.Model).CopyTranscript)
		return
	case "editor-run":
		src := p.byID("editor").get("value").str()
		p.post(func(m *app.Model) { m.RunSource(src) })
		return
	case "editor-revert":
		p.post((*app.Model).RevertSource)
		return
	case "term-send":
		p.sendTerminal()
		return
	case "term-reset":
		p.post((*app.Model).TermReset)
		return
	case "open-file":
		// A file picker opens only from the click itself, not later.
		p.byID("file").call("click")
		return
	case "live-follow":
		on := el.attr("aria-pressed") != "true"
		p.post(func(m *app.Model) { m.SetFollow(on) })
		return
	}
	n := func(name string) int { return atoi(el.attr(name)) }
	live := el.call("closest", "#panel-live").ok()
	switch el.attr("data-action") {
	case "explain":
		term := el.attr("data-term") == "1" || el.call("closest", "#panel-terminal").ok()
		step := n("data-step")
		if live {
			p.post(func(m *app.Model) { m.ExplainLive(step) })
			break
		}
		p.post(func(m *app.Model) { m.ExplainStep(term, step) })
	case "fault":
		step := n("data-step")
		switch {
		case live:
			p.post(func(m *app.Model) { m.OpenLiveFaultMenu(step) })
		case !el.call("closest", "#panel-terminal").ok():
			p.post(func(m *app.Model) { m.OpenFaultMenu(step) })
		}
	case "live-open":
		id := n("data-id")
		p.post(func(m *app.Model) { m.OpenLive(id) })
	case "live-quick":
		name := el.attr("data-quick")
		p.post(func(m *app.Model) { m.AddQuickRule(name) })
	case "live-token":
		p.useToken()
	case "live-first":
		p.post((*app.Model).LiveFirst)
	case "live-back":
		p.post(func(m *app.Model) { m.LiveStep(-1) })
	case "live-forward":
		p.post(func(m *app.Model) { m.LiveStep(1) })
	case "live-last":
		p.post((*app.Model).LiveFollow)
	case "live-remove-fault":
		i := n("data-n")
		p.post(func(m *app.Model) { m.RemoveLiveRule(i) })
	case "add-fault":
		choice := n("data-choice")
		once := p.byID("fault-once").get("checked").bool()
		p.post(func(m *app.Model) { m.AddFault(choice, once) })
	case "remove-fault":
		i := n("data-index")
		p.post(func(m *app.Model) { m.RemoveFault(i) })
	case "close-dialog":
		dlg := el.call("closest", "dialog").get("id").str()
		p.post(func(m *app.Model) { m.CloseDialog(dlg) })
	case "eml":
		box, msg := n("data-box"), n("data-msg")
		p.post(func(m *app.Model) { m.DownloadEML(box, msg) })
	case "load-scenario":
		sc := el.attr("data-id")
		p.post(func(m *app.Model) { m.LoadScenario(sc) })
	case "try-exercise":
		ex := el.attr("data-id")
		p.post(func(m *app.Model) { m.TryExercise(ex) })
	case "goto-line":
		line, col := n("data-line"), n("data-col")
		p.post(func(m *app.Model) { m.GotoLine(line, col) })
	}
	if el.get("tagName").str() == "g" {
		// A step of a sequence diagram: a reply explains itself, a
		// command (in the session) opens the fault menu.
		class := el.attr("class")
		step := n("data-step")
		term := el.call("closest", "#panel-terminal").ok()
		switch {
		case strings.Contains(class, "k-reply") && live:
			p.post(func(m *app.Model) { m.ExplainLive(step) })
		case strings.Contains(class, "k-reply"):
			p.post(func(m *app.Model) { m.ExplainStep(term, step) })
		case strings.Contains(class, "can-fault") && live:
			p.post(func(m *app.Model) { m.OpenLiveFaultMenu(step) })
		case strings.Contains(class, "can-fault") && !term:
			p.post(func(m *app.Model) { m.OpenFaultMenu(step) })
		}
	}
}

// useToken hands the fault panel's token field to the model and empties it.
func (p *page) useToken() {
	in := p.byID("live-token-input")
	token := in.get("value").str()
	_ = in.set("value", "")
	p.post(func(m *app.Model) { m.SetFaultToken(token) })
}

func (p *page) sendTerminal() {
	in := p.byID("term-input")
	line := in.get("value").str()
	_ = in.set("value", "")
	p.post(func(m *app.Model) { m.TermType(line) })
}

// onKey handles the keyboard shortcuts (app.KeyFor decides).
func (p *page) onKey(ev js) {
	if ev.get("defaultPrevented").bool() {
		return
	}
	t := ev.get("target")
	mod := ev.get("ctrlKey").bool() || ev.get("altKey").bool() || ev.get("metaKey").bool()
	k := p.m.KeyFor(ev.get("key").str(), t.get("tagName").str(), t.get("id").str(), t.attr("role"),
		t.call("closest", "dialog").ok(), mod)
	if k == app.KeyNone {
		return
	}
	ev.call("preventDefault")
	switch k {
	case app.KeyStep:
		p.post((*app.Model).StepForward)
	case app.KeyBack:
		p.post((*app.Model).StepBack)
	case app.KeyPlay:
		p.post((*app.Model).TogglePlay)
	case app.KeyReset:
		p.post((*app.Model).Reset)
	case app.KeyEnd:
		p.post((*app.Model).End)
	case app.KeySend:
		p.sendTerminal()
	case app.KeyToken:
		p.useToken()
	case app.KeyTabNext, app.KeyTabPrev:
		back := k == app.KeyTabPrev
		p.post(func(m *app.Model) {
			tab := m.NextTab(back)
			m.SetTab(tab)
			p.byID("tab-" + tab).call("focus")
		})
	}
}

func atoi(s string) int {
	n, neg := 0, false
	for i, c := range s {
		switch {
		case i == 0 && c == '-':
			neg = true
		case c >= '0' && c <= '9':
			n = n*10 + int(c-'0')
		default:
			return -1
		}
	}
	if neg {
		return -n
	}
	return n
}
