package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"strings"

	"maillab/web"
)

// httpHandler builds the page's handler: the lab (web.Handler, with the
// wasm and every asset embedded) and its course, the built-in one or, with
// --lessons DIR, that folder, read again whenever a file in it changes
// (the page polls course/index.json and reloads the lesson on screen).
//
// Native mode (live != nil) adds read-only JSON under /live/ for the
// page's live view of real sessions: see liveHandler.
func httpHandler(o serveOptions, live *nativeRuntime) (http.Handler, error) {
	opts := web.Options{Logf: func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) },
		Wasm: pageOverride.Wasm, Static: pageOverride.Static}
	if o.Lessons != "" {
		st, err := os.Stat(o.Lessons)
		if err != nil {
			return nil, fmt.Errorf("--lessons: %w", err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("--lessons %s: not a folder (give the course folder, the one with en/ and zh/)", o.Lessons)
		}
		opts.Course, opts.Watch = os.DirFS(o.Lessons), true
		fmt.Printf("maillab: serving the lessons in %s; the page reloads a lesson when you save it\n", o.Lessons)
	}
	page := web.Handler(opts)
	if live == nil {
		return page, nil
	}
	mux := http.NewServeMux()
	mux.Handle("/live/", liveHandler(live))
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

// liveHandler is the hook for the page's live view of native mode: the
// sessions real clients have with the real servers, as JSON the page can
// draw with the same views as a scenario's trace.
//
//	GET /live/sessions.json   live.Hub.Sessions(): live and recent sessions, oldest first
//	GET /live/trace/ID.json   live.Hub.Trace(ID): one session as a trace.Trace
//
// Updates as they happen (live.Hub.Subscribe) and the fault panel for live
// sessions (live.Faults) belong to native mode's own endpoints.
func liveHandler(live *nativeRuntime) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", web.CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		var v any
		switch p := strings.TrimPrefix(r.URL.Path, "/live/"); {
		case p == "sessions.json":
			v = live.Hub.Sessions()
		case strings.HasPrefix(p, "trace/") && strings.HasSuffix(p, ".json"):
			id, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(p, "trace/"), ".json"))
			if err != nil {
				http.NotFound(w, r)
				return
			}
			tr, ok := live.Hub.Trace(id)
			if !ok {
				http.NotFound(w, r)
				return
			}
			v = tr
		default:
			http.NotFound(w, r)
			return
		}
		h.Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	})
}
