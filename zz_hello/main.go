//go:build js && wasm

package main

import "github.com/hack-pad/safejs"

func main() {
	doc, _ := safejs.Global().Get("document")
	body, _ := doc.Get("body")
	body.Set("textContent", "hello")
}
