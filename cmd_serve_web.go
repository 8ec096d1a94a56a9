package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"

	"maillab/web"
)

// httpHandler builds the page's handler: the lab (web.Handler, with the
// wasm and every asset embedded) and its course, the built-in one or, with
// --lessons DIR, that folder, read again whenever a file in it changes
// (the page polls course/index.json and reloads the lesson on screen).
//
// Native mode (live != nil) adds the page's live view of real sessions
// and its fault panel under /live/: see liveHandler.
func httpHandler(o serveOptions, live *nativeRuntime) (http.Handler, error) {
	out, log := o.out, o.log
	if out == nil {
		out = os.Stdout
	}
	if log == nil {
		log = os.Stderr
	}
	opts := web.Options{Logf: func(format string, args ...any) { fmt.Fprintf(log, logFormat(o.Lang, format)+"\n", args...) },
		Wasm: pageOverride.Wasm, Static: pageOverride.Static, Live: live != nil}
	if o.Lessons != "" {
		st, err := os.Stat(o.Lessons)
		if err != nil {
			return nil, fmt.Errorf("--lessons: %w", err)
		}
		if !st.IsDir() {
			return nil, errors.New(serveMsg(o.Lang, "notCourse", o.Lessons))
		}
		opts.Course, opts.Watch = os.DirFS(o.Lessons), true
		fmt.Fprintln(out, serveMsg(o.Lang, "lessons", o.Lessons))
	}
	page := web.Handler(opts)
	if live == nil {
		return page, nil
	}
	mux := http.NewServeMux()
	mux.Handle("/live/", liveHandler(live, o.FaultToken, opts.Logf))
	mux.Handle("/", page)
	return mux, nil
}

// pageOverride replaces the embedded page program and assets; nil fields
// keep the embedded ones. The browser tests set it to a page program built
// from the current sources, so they never test a stale one.
var pageOverride struct {
	Wasm   []byte
	Static fs.FS
}
