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
	for (const id of ["seq", "ctl-play", "editor", "lesson"]) els[id] = mk(id);
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
