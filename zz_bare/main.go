//go:build js && wasm

package main

import (
	"bytes"

	"github.com/hack-pad/safejs"
	"github.com/yuin/goldmark"
)

func main() {
	var b bytes.Buffer
	goldmark.Convert([]byte("# hi"), &b)
	doc, _ := safejs.Global().Get("document")
	body, _ := doc.Get("body")
	body.Set("innerHTML", b.String())
}
