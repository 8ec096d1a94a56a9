//go:build js && wasm

// Command wasm is the browser lab's page program. boot.js downloads and
// starts it; it takes over the page web/static/index.html describes.
//
// It is thin on purpose: the page's state and everything that follows
// from it live in web/app (plain Go, tested natively), the HTML and SVG
// in web/view. This program only turns DOM events into calls on the
// app.Model, posted on the one app.Queue, and writes the model's patches
// into the page and does the browser work its commands ask for. Every
// call into JavaScript goes through github.com/hack-pad/safejs.
package main

import (
	"fmt"

	"maillab/web/app"
	"maillab/web/view"
)

func main() {
	p, err := newPage()
	if err != nil {
		consoleError("maillab: cannot start: " + err.Error())
		return
	}
	p.q.Recovered = p.recovered
	p.listen()
	p.mark("maillab-main")
	if p.doc.get("documentElement").attr(app.LiveAttr) != "" {
		p.m.EnableLive()
	}
	p.m.Start()
	p.flush()
	for range p.q.Ready() {
		p.q.Drain()
		p.q.Run(p.flush)
	}
}

// bootState is what the page starts from: the link's fragment, else
// boot.js's choice of language (the link's, the saved one, or the
// browser's).
func bootState() app.State {
	st, _, _ := app.ParseFragment(global().get("location").get("hash").str())
	if st.Lang == "" {
		st.Lang = global().get("maillabBoot").get("lang").str()
	}
	if st.Lang == "" {
		st.Lang = loadItem(app.KeyLang)
	}
	return st
}

func consoleError(msg string) {
	global().get("console").call("error", msg)
}

// recovered keeps the lab running after a bug in one event: the console
// gets the panic and its stack (for a bug report), the page a notice in
// the student's language, and the next event is handled as usual.
func (p *page) recovered(v any, stack []byte) {
	consoleError(fmt.Sprintf("maillab: internal error: %v\n%s", v, stack))
	text := view.Tf(p.m.State().Lang, "page.crashed", "error", fmt.Sprint(v))
	_ = p.byID("crash-text").set("textContent", text)
	_ = p.byID("crash").set("hidden", false)
}
