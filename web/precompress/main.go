// Command precompress writes brotli (.br) and gzip (.gz) copies beside the
// files it is given. The Makefile runs it on web/static/maillab.wasm after
// building it:
//
//	go run ./web/precompress web/static/maillab.wasm
package main

import (
	"fmt"
	"os"

	"maillab/web"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: precompress FILE...")
		os.Exit(2)
	}
	if err := web.Precompress(os.Args[1:]...); err != nil {
		fmt.Fprintln(os.Stderr, "precompress:", err)
		os.Exit(1)
	}
}
