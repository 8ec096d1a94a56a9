//go:build js && wasm

// Command hello is the baseline of make bench's load time: the smallest
// Go wasm page program, served in the same page shell (index.html, boot.js,
// wasm_exec.js) as the lab. It writes one line and marks itself ready the
// way the lab does.
package main

import "github.com/hack-pad/safejs"

func main() {
	g := safejs.Global()
	doc, _ := g.Get("document")
	seq, _ := doc.Call("getElementById", "seq")
	seq.Set("textContent", "hello, world")
	root, _ := doc.Get("documentElement")
	root.Call("setAttribute", "data-ready", "1")
	perf, _ := g.Get("performance")
	perf.Call("mark", "maillab-ready")
	select {}
}
