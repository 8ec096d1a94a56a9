//go:build js && wasm

package main

import (
	"errors"
	"strconv"
	"time"

	"github.com/hack-pad/safejs"

	"maillab/web/app"
	"maillab/web/course"
)

// The browser services the page model asks for (app.Cmd). Each one that
// finishes later (a fetch, a timer, the clipboard) posts its outcome on
// the UI queue; none of them waits.

// then attaches handlers to a promise. Exactly one of them runs, later;
// both are released when it has.
func then(p js, ok func(v safejs.Value) any, fail func(err error)) {
	if p.err != nil {
		fail(p.err)
		return
	}
	var fOK, fErr safejs.Func
	release := func() { fOK.Release(); fErr.Release() }
	var err error
	fOK, err = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		release()
		v := safejs.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		return ok(v)
	})
	if err != nil {
		fail(err)
		return
	}
	fErr, err = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		release()
		msg := "failed"
		if len(args) > 0 {
			if s := wrap(args[0]).get("message").str(); s != "" {
				msg = s
			} else if s, err := args[0].String(); err == nil {
				msg = s
			}
		}
		fail(errors.New(msg))
		return nil
	})
	if err != nil {
		fOK.Release()
		fail(err)
		return
	}
	if r := p.call("then", fOK.Value(), fErr.Value()); r.err != nil {
		release()
		fail(r.err)
	}
}

// fetchText GETs path (revalidating with the server, which answers 304
// when nothing changed) and hands the body or the error to done, on the
// queue.
func (p *page) fetchText(path string, done func(body []byte, err error)) {
	post := func(b []byte, err error) { p.q.Post(func() { done(b, err) }) }
	var resp js
	docs := global().get("maillabBoot").get("docs")
	if path == course.IndexPath && p.prefetch.ok() {
		resp, p.prefetch = p.prefetch, js{} // boot.js asked already
	} else if d := docs.get(path); docs.ok() && d.ok() {
		resp = d                // boot.js asked for the first lesson already
		_ = docs.set(path, nil) // used once: a later fetch asks the server
	} else {
		opts := object(map[string]any{"cache": "no-cache", "credentials": "same-origin"})
		resp = global().call("fetch", path, opts.v)
	}
	then(resp, func(r safejs.Value) any {
		res := wrap(r)
		if !res.get("ok").bool() {
			post(nil, errors.New(path+": HTTP "+strconv.Itoa(int(res.get("status").float()))+" "+res.get("statusText").str()))
			return nil
		}
		then(res.call("text"), func(t safejs.Value) any {
			s, err := t.String()
			post([]byte(s), err)
			return nil
		}, func(err error) { post(nil, err) })
		return nil
	}, func(err error) { post(nil, errors.New(path+": "+err.Error())) })
}

// storage is localStorage, or nothing when it is disabled (private
// windows may throw on access; Node has none).
func storage() js {
	s := global().get("localStorage")
	if !s.ok() {
		return js{err: errors.New("no localStorage")}
	}
	return s
}

func loadItem(key string) string { return storage().call("getItem", key).str() }

func saveItem(key, value string) { _ = storage().call("setItem", key, value) }

// after runs fn on the queue after d.
func (p *page) after(d time.Duration, fn func()) {
	cb := callback(true, func([]safejs.Value) any {
		p.q.Post(fn)
		return nil
	})
	global().call("setTimeout", cb, d.Milliseconds())
}

// copyText puts text on the clipboard: the Clipboard API, or, where it is
// refused (an unfocused or insecure page), a selected textarea and the
// copy command. done is told whether it worked.
func (p *page) copyText(text string, done func(ok bool)) {
	post := func(ok bool) { p.q.Post(func() { done(ok) }) }
	clip := global().get("navigator").get("clipboard")
	if !clip.ok() {
		post(p.copyByCommand(text))
		return
	}
	then(clip.call("writeText", text), func(safejs.Value) any {
		post(true)
		return nil
	}, func(error) { post(p.copyByCommand(text)) })
}

func (p *page) copyByCommand(text string) bool {
	doc := p.doc
	ta := doc.call("createElement", "textarea")
	if !ta.ok() {
		return false
	}
	_ = ta.set("value", text)
	_ = ta.call("setAttribute", "readonly", "")
	_ = ta.call("setAttribute", "class", "vh")
	body := doc.get("body")
	body.call("appendChild", ta.v)
	ta.call("select")
	ok := doc.call("execCommand", "copy").bool()
	ta.call("remove")
	return ok
}

// download saves text as a file.
func (p *page) download(name, mime, text string) {
	blobType := global().get("Blob")
	parts, err := safejs.ValueOf([]any{text})
	if err != nil {
		return
	}
	blob := blobType.new(parts, object(map[string]any{"type": mime}).v)
	urlType := global().get("URL")
	href := urlType.call("createObjectURL", blob.v)
	if !href.ok() {
		return
	}
	a := p.doc.call("createElement", "a")
	_ = a.set("href", href.v)
	_ = a.set("download", name)
	_ = a.call("setAttribute", "class", "vh")
	p.doc.get("body").call("appendChild", a.v)
	a.call("click")
	a.call("remove")
	url := href.str()
	p.after(time.Second, func() { urlType.call("revokeObjectURL", url) })
}

// replaceURL rewrites the fragment without a history entry or an event.
func replaceURL(frag string) {
	global().get("history").call("replaceState", safejs.Null(), "", "#"+frag)
}

// request sends an HTTP request for the model (app.Request): the body, if
// any, as JSON; the status and the body, whatever the status, go to
// RequestDone on the queue.
func (p *page) request(c app.Cmd) {
	method, path := c.Method, c.Path
	done := func(status int, body []byte, err error) {
		p.q.Post(func() { p.m.RequestDone(method, path, status, body, err) })
	}
	props := map[string]any{"method": method, "cache": "no-store", "credentials": "same-origin"}
	headers := map[string]any{}
	if c.Text != "" {
		props["body"] = c.Text
		headers["Content-Type"] = "application/json"
	}
	if c.Token != "" {
		headers["Authorization"] = "Bearer " + c.Token
	}
	if len(headers) > 0 {
		props["headers"] = headers
	}
	opts := object(props)
	if opts.err != nil {
		done(0, nil, opts.err)
		return
	}
	then(global().call("fetch", path, opts.v), func(r safejs.Value) any {
		res := wrap(r)
		status := int(res.get("status").float())
		then(res.call("text"), func(t safejs.Value) any {
			s, err := t.String()
			done(status, []byte(s), err)
			return nil
		}, func(err error) { done(status, nil, err) })
		return nil
	}, func(err error) { done(0, nil, errors.New(path+": "+err.Error())) })
}

// openStream opens the event stream (app.Stream) after wait, closing the
// one open before. EventSource reconnects by itself after a network error
// or the end of the stream; it gives up (readyState CLOSED, 2) only when
// the server answers with an error, and the model asks again later.
func (p *page) openStream(path string, wait time.Duration) {
	if wait > 0 {
		p.after(wait, func() { p.openStream(path, 0) })
		return
	}
	p.closeStream()
	es := global().get("EventSource").new(path)
	if !es.ok() {
		p.q.Post(func() { p.m.StreamError(true) })
		return
	}
	p.es = es
	listen := func(event string, fn func(ev js)) {
		var f safejs.Func
		f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
			if len(args) > 0 {
				fn(wrap(args[0]))
			}
			return nil
		})
		if err != nil {
			return
		}
		p.esFuncs = append(p.esFuncs, f)
		es.call("addEventListener", event, f.Value())
	}
	listen("open", func(js) { p.post((*app.Model).StreamOpened) })
	listen("message", func(ev js) {
		data := ev.get("data").str()
		p.post(func(m *app.Model) { m.StreamEvent("", data) })
	})
	listen("dropped", func(js) { p.post(func(m *app.Model) { m.StreamEvent("dropped", "") }) })
	listen("error", func(js) {
		closed := es.get("readyState").float() == 2
		if closed {
			p.closeStream()
		}
		p.post(func(m *app.Model) { m.StreamError(closed) })
	})
}

// closeStream closes the event stream and releases its listeners.
func (p *page) closeStream() {
	if p.es.ok() {
		p.es.call("close")
	}
	for _, f := range p.esFuncs {
		f.Release()
	}
	p.es, p.esFuncs = js{}, nil
}
