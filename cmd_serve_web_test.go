package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"maillab/web"
	"maillab/web/app"
)

func TestServeLessonsFlag(t *testing.T) {
	if _, err := httpHandler(serveOptions{Lessons: filepath.Join(t.TempDir(), "missing")}, nil); err == nil {
		t.Error("a missing --lessons folder is accepted")
	}
	file := filepath.Join(t.TempDir(), "lesson.md")
	os.WriteFile(file, []byte("# x\n"), 0o644)
	if _, err := httpHandler(serveOptions{Lessons: file}, nil); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("--lessons FILE: %v", err)
	}
	h, err := httpHandler(serveOptions{Lessons: "lessons"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/course/index.json", nil))
	var idx struct {
		Watch   bool
		Lessons []struct{ ID string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &idx); err != nil || !idx.Watch || len(idx.Lessons) < 24 {
		t.Errorf("--lessons lessons: %v, %+v", err, idx)
	}
}

// Native mode adds the live view's JSON beside the page.
func TestServeLiveHook(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rt, err := startNativeTo(ctx, serveOptions{SMTP: "127.0.0.1:0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.lab.Close()
	h, err := httpHandler(serveOptions{}, rt)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	// The page learns from itself that there is a live view (and a page
	// without native mode never asks for one).
	if app.LiveAttr != web.LiveAttr {
		t.Errorf("the page reads %s, the server writes %s", app.LiveAttr, web.LiveAttr)
	}
	for live, h := range map[bool]http.Handler{true: h, false: must(httpHandler(serveOptions{}, nil))} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if got := strings.Contains(rec.Body.String(), "<html "+web.LiveAttr+`="1" `); got != live {
			t.Errorf("native mode %v: index.html has %s: %v", live, web.LiveAttr, got)
		}
	}
	for path, want := range map[string]int{"/live/sessions.json": 200, "/live/trace/999.json": 404, "/live/nothing": 404, "/": 200} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %s, want %d", path, resp.Status, want)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
