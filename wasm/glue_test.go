//go:build js && wasm

package main

// These tests run under Node (GOOS=js GOARCH=wasm go test ./wasm/..., with
// $(go env GOROOT)/lib/wasm in PATH): the glue that needs no DOM, and the
// patch writer against a fake document made of plain JavaScript objects.
// The page as a whole is tested in a real browser (browser_test.go in the
// maillab command).

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hack-pad/safejs"

	"maillab/web/app"
)

// eval runs JavaScript source (Node allows the Function constructor).
func eval(t *testing.T, src string) js {
	t.Helper()
	fn := global().get("Function").new("return (" + src + ")")
	v := fn.call("call", safejs.Null())
	if v.err != nil {
		t.Fatalf("eval %s: %v", src, v.err)
	}
	return v
}

// waitQueue waits until something is posted on q, and drains it.
func waitQueue(t *testing.T, q *app.Queue) {
	t.Helper()
	select {
	case <-q.Ready():
		q.Drain()
	case <-time.After(5 * time.Second):
		t.Fatal("nothing was posted on the queue")
	}
}

func TestJSHelpers(t *testing.T) {
	o := eval(t, `{a: {b: "x", n: 3, yes: true}, f(s) { return s + "!" }}`)
	if got := o.get("a").get("b").str(); got != "x" {
		t.Errorf("a.b = %q", got)
	}
	if got := o.get("a").get("n").float(); got != 3 {
		t.Errorf("a.n = %v", got)
	}
	if !o.get("a").get("yes").bool() || o.get("a").get("no").bool() {
		t.Error("bool")
	}
	if got := o.call("f", "hi").str(); got != "hi!" {
		t.Errorf("f = %q", got)
	}
	// A chain through a missing value is an error, not a panic.
	bad := o.get("missing").get("deeper").call("nothing")
	if bad.err == nil || bad.ok() || bad.str() != "" {
		t.Errorf("missing: %+v", bad)
	}
	if err := o.get("missing").set("x", 1); err == nil {
		t.Error("set on undefined")
	}
	// A JavaScript exception comes back as an error.
	if thrown := eval(t, `{f() { throw new Error("boom") }}`).call("f"); thrown.err == nil || !strings.Contains(thrown.err.Error(), "boom") {
		t.Errorf("throw: %v", thrown.err)
	}
}

func TestThen(t *testing.T) {
	type result struct {
		v   string
		err error
	}
	ch := make(chan result, 1)
	handlers := func() (func(safejs.Value) any, func(error)) {
		return func(v safejs.Value) any {
				s, _ := v.String()
				ch <- result{v: s}
				return nil
			}, func(err error) {
				ch <- result{err: err}
			}
	}
	ok, fail := handlers()
	then(eval(t, `Promise.resolve("yes")`), ok, fail)
	if r := <-ch; r.v != "yes" || r.err != nil {
		t.Errorf("resolved: %+v", r)
	}
	ok, fail = handlers()
	then(eval(t, `Promise.reject(new Error("no way"))`), ok, fail)
	if r := <-ch; r.err == nil || r.err.Error() != "no way" {
		t.Errorf("rejected: %+v", r)
	}
	ok, fail = handlers()
	then(js{err: errors.New("before")}, ok, fail)
	if r := <-ch; r.err == nil || r.err.Error() != "before" {
		t.Errorf("an error before the promise: %+v", r)
	}
}

// fetchText posts the body on the queue (Node's fetch reads data: URLs).
func TestFetchText(t *testing.T) {
	p := &page{q: app.NewQueue()}
	var body string
	var ferr error
	p.fetchText("data:application/json,%7B%22a%22%3A1%7D", func(b []byte, err error) { body, ferr = string(b), err })
	waitQueue(t, p.q)
	if body != `{"a":1}` || ferr != nil {
		t.Errorf("fetched %q, %v", body, ferr)
	}
	p.fetchText("data:bad", func(b []byte, err error) { ferr = err })
	waitQueue(t, p.q)
	if ferr == nil {
		t.Error("a bad URL gave no error")
	}
}

// Node has no localStorage: the page works without it.
func TestStorageAbsent(t *testing.T) {
	saveItem("k", "v")
	if got := loadItem("k"); got != "" {
		t.Errorf("loadItem = %q", got)
	}
}

func TestAfter(t *testing.T) {
	p := &page{q: app.NewQueue()}
	ran := false
	start := time.Now()
	p.after(20*time.Millisecond, func() { ran = true })
	waitQueue(t, p.q)
	if !ran || time.Since(start) < 15*time.Millisecond {
		t.Errorf("ran=%v after %v", ran, time.Since(start))
	}
}

// fakeDoc is a document of plain objects: getElementById returns elements
// that record every write.
const fakeDoc = `(() => {
	const els = {};
	const mk = (id) => ({
		id, writes: 0, attrs: {}, innerHTML: "", textContent: "", value: "",
		setAttribute(k, v) { this.attrs[k] = v; this.writes++ },
		removeAttribute(k) { delete this.attrs[k]; this.writes++ },
		querySelector() { return null },
	});
	for (const id of ["seq", "ctl-play", "editor", "lesson", "crash", "crash-text"]) els[id] = mk(id);
	const root = mk("root");
	return {
		els, documentElement: root,
		getElementById(id) { return els[id] || null },
		querySelectorAll() { return {length: 0, item() { return null }} },
	};
})()`

func TestApplyPatches(t *testing.T) {
	doc := eval(t, fakeDoc)
	p := &page{doc: doc, static: map[string]bool{"seq": true, "ctl-play": true, "editor": true, "lesson": true}, last: map[string]string{}, lastLines: map[string][]string{}, lang: "en"}
	el := func(id string) js { return doc.get("els").get(id) }

	p.apply(app.Patch{ID: "seq", Attr: app.HTML, Value: "<svg></svg>"})
	p.apply(app.Patch{ID: "ctl-play", Attr: app.Text, Value: "Play"})
	p.apply(app.Patch{ID: "editor", Attr: app.Value, Value: "title: x"})
	p.apply(app.Patch{ID: "lesson", Attr: "disabled", Value: ""})
	p.apply(app.Patch{ID: "lesson", Attr: "disabled", Value: ""}) // unchanged: not written again
	p.apply(app.Patch{ID: "ctl-play", Attr: "aria-pressed", Value: "true"})
	p.apply(app.Patch{ID: "no-such-element", Attr: app.HTML, Value: "x"}) // ignored
	if got := el("seq").get("innerHTML").str(); got != "<svg></svg>" {
		t.Errorf("innerHTML %q", got)
	}
	if got := el("ctl-play").get("textContent").str(); got != "Play" {
		t.Errorf("textContent %q", got)
	}
	if got := el("editor").get("value").str(); got != "title: x" {
		t.Errorf("value %q", got)
	}
	if n := el("lesson").get("writes").float(); n != 1 {
		t.Errorf("lesson written %v times, want 1", n)
	}
	p.apply(app.Patch{ID: "lesson", Attr: "disabled", Del: true})
	p.apply(app.Patch{ID: "lesson", Attr: "disabled", Del: true})
	if n := el("lesson").get("writes").float(); n != 2 || el("lesson").get("attrs").get("disabled").ok() {
		t.Errorf("after removing: %v writes", n)
	}
	if got := el("ctl-play").get("attrs").get("aria-pressed").str(); got != "true" {
		t.Errorf("aria-pressed %q", got)
	}
	p.apply(app.Patch{ID: app.Root, Attr: "data-ready", Value: "1"})
	if got := doc.get("documentElement").get("attrs").get("data-ready").str(); got != "1" {
		t.Errorf("root attribute %q", got)
	}
}

// A model's first render, written through the glue into the fake document.
func TestFlushFirstRender(t *testing.T) {
	doc := eval(t, fakeDoc)
	p := &page{doc: doc, q: app.NewQueue(), static: map[string]bool{"seq": true, "ctl-play": true}, last: map[string]string{}, lastLines: map[string][]string{}, lang: "en"}
	p.m = app.New(app.State{Lang: app.LangZH, Step: -1}, "")
	p.flush()
	if got := doc.get("els").get("ctl-play").get("textContent").str(); got != "播放" {
		t.Errorf("play button %q", got)
	}
	if got := doc.get("documentElement").get("attrs").get("lang").str(); got != "zh-CN" {
		t.Errorf("lang %q", got)
	}
}

func TestAtoi(t *testing.T) {
	for s, want := range map[string]int{"0": 0, "42": 42, "-3": -3, "": 0, "x": -1, "4x": -1} {
		if got := atoi(s); got != want {
			t.Errorf("atoi(%q) = %d, want %d", s, got, want)
		}
	}
}

// The URL is rewritten at once, then at most every urlEvery with the
// latest state (browsers warn about, and refuse, a flood of updates).
func TestSetURLThrottled(t *testing.T) {
	eval(t, `globalThis.history = {calls: [], replaceState(s, title, url) { this.calls.push(url) }}`)
	defer eval(t, `delete globalThis.history`)
	p := &page{q: app.NewQueue()}
	p.setURL("a")
	p.setURL("b")
	p.setURL("c")
	calls := func() string {
		return global().get("history").get("calls").call("join", ",").str()
	}
	if got := calls(); got != "#a" {
		t.Fatalf("at once: %q", got)
	}
	waitQueue(t, p.q)
	if got := calls(); got != "#a,#c" {
		t.Errorf("after the window: %q", got)
	}
}

// request sends the model's requests with fetch (JSON bodies, the page's
// own credentials) and hands the status and body back, whatever the status.
func TestRequest(t *testing.T) {
	eval(t, `globalThis.fetchCalls = []`)
	eval(t, `globalThis.realFetch = globalThis.fetch`)
	eval(t, `globalThis.fetch = (url, opts) => {
		fetchCalls.push({url, method: opts.method, body: opts.body || "", type: (opts.headers || {})["Content-Type"] || "", auth: (opts.headers || {})["Authorization"] || "", credentials: opts.credentials});
		if (url === "down") return Promise.reject(new TypeError("Failed to fetch"));
		const status = opts.method === "GET" ? 200 : 403;
		const body = status === 200 ? '[{"n":1,"when":"RCPT TO:*","then":"550 5.1.1 no"}]' : "refused";
		return Promise.resolve({status, text: () => Promise.resolve(body)});
	}`)
	defer eval(t, `(globalThis.fetch = globalThis.realFetch, delete globalThis.fetchCalls)`)
	p := &page{q: app.NewQueue(), m: app.New(app.State{Lang: app.LangEN}, "")}
	p.m.EnableLive()

	p.request(app.Cmd{Kind: app.Request, Method: "GET", Path: app.LiveFaultsPath})
	waitQueue(t, p.q)
	if rules := p.m.LiveRules(); len(rules) != 1 || rules[0].Then != "550 5.1.1 no" {
		t.Errorf("rules after GET: %+v", rules)
	}
	p.request(app.Cmd{Kind: app.Request, Method: "POST", Path: app.LiveFaultsPost, Text: `{"when":"x"}`})
	waitQueue(t, p.q)
	call := global().get("fetchCalls").call("at", -1)
	if call.get("method").str() != "POST" || call.get("body").str() != `{"when":"x"}` || call.get("type").str() != "application/json" || call.get("credentials").str() != "same-origin" {
		t.Errorf("POST sent as %s %q %q %q", call.get("method").str(), call.get("body").str(), call.get("type").str(), call.get("credentials").str())
	}
	if rules := p.m.LiveRules(); len(rules) != 0 {
		t.Errorf("a 403 leaves rules on screen: %+v", rules)
	}
	if call.get("auth").str() != "" {
		t.Errorf("an Authorization header without a token: %q", call.get("auth").str())
	}
	// serve's --fault-token, typed in the page, goes as a bearer token.
	p.request(app.Cmd{Kind: app.Request, Method: "DELETE", Path: app.LiveFaultsPost + "/1", Token: "s3cret"})
	waitQueue(t, p.q)
	call = global().get("fetchCalls").call("at", -1)
	if call.get("method").str() != "DELETE" || call.get("auth").str() != "Bearer s3cret" || call.get("type").str() != "" {
		t.Errorf("DELETE with a token sent as %s auth %q type %q", call.get("method").str(), call.get("auth").str(), call.get("type").str())
	}
	p.request(app.Cmd{Kind: app.Request, Method: "GET", Path: "down"})
	waitQueue(t, p.q) // a network failure is an answer too
}

// openStream follows an EventSource: its events become model calls, and a
// stream the browser gave up on is closed and asked for again later.
func TestOpenStream(t *testing.T) {
	eval(t, `globalThis.EventSource = class {
		constructor(url) { this.url = url; this.readyState = 0; this.l = {}; this.closed = false; (globalThis.sources ||= []).push(this) }
		addEventListener(ev, fn) { this.l[ev] = fn }
		close() { this.closed = true; this.readyState = 2 }
		fire(ev, data) { this.l[ev]({data}) }
	}`)
	defer eval(t, `(delete globalThis.EventSource, delete globalThis.sources)`)
	p := &page{q: app.NewQueue(), m: app.New(app.State{Lang: app.LangEN}, "")}
	p.m.EnableLive()
	p.m.RequestDone("GET", app.LiveSessionsPath, 200, []byte("[]"), nil)
	p.m.TakeCmds()

	p.openStream(app.LiveEventsPath, 0)
	es := global().get("sources").call("at", -1)
	if es.get("url").str() != app.LiveEventsPath {
		t.Fatalf("EventSource(%q)", es.get("url").str())
	}
	es.call("fire", "open", "")
	waitQueue(t, p.q)
	reload := false
	for _, c := range p.m.TakeCmds() {
		reload = reload || c.Kind == app.Request && c.Path == app.LiveSessionsPath
	}
	if !reload {
		t.Error("an opened stream does not reload the sessions")
	}
	es.call("fire", "message", `{"session":{"id":4,"proto":"smtp","client":"127.0.0.1:5","server":"mail.example.com","start":"2026-03-02T09:00:00Z","live":true,"steps":1},"step":{"at":0,"kind":"connect","text":"smtp"}}`)
	waitQueue(t, p.q)
	if s := p.m.LiveSessions(); len(s) != 1 || s[0].ID != 4 {
		t.Errorf("sessions after an event: %+v", s)
	}
	// Opening again closes the one before.
	p.openStream(app.LiveEventsPath, 0)
	if !es.get("closed").bool() {
		t.Error("the first stream is still open")
	}
	es = global().get("sources").call("at", -1)
	_ = es.set("readyState", 2)
	es.call("fire", "error", "")
	waitQueue(t, p.q)
	retry := false
	for _, c := range p.m.TakeCmds() {
		retry = retry || c.Kind == app.Stream && c.Wait == app.StreamRetry
	}
	if !es.get("closed").bool() || !retry || p.es.ok() {
		t.Errorf("a stream the browser gave up on: closed %v, retry asked %v", es.get("closed").bool(), retry)
	}
}

// A bug in one event does not stop the lab: the queue goes on, and the
// page shows the notice in the student's language.
func TestPanicShowsNoticeAndGoesOn(t *testing.T) {
	doc := eval(t, fakeDoc)
	_ = doc.get("els").get("crash").set("hidden", true)
	p := &page{doc: doc, q: app.NewQueue(), m: app.New(app.State{Lang: app.LangZH}, "")}
	p.q.Recovered = p.recovered
	after := false
	p.q.Post(func() { var m map[string]int; m["x"]++ })
	p.q.Post(func() { after = true })
	waitQueue(t, p.q)
	if !after {
		t.Error("the event after the panic did not run")
	}
	if doc.get("els").get("crash").get("hidden").bool() {
		t.Error("the notice is still hidden")
	}
	if got := doc.get("els").get("crash-text").get("textContent").str(); !strings.Contains(got, "实验页面内部出错了") || !strings.Contains(got, "nil map") {
		t.Errorf("notice %q", got)
	}
}
