package web

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"maillab/web/course"
)

func getJSON(t *testing.T, h http.Handler, path string, v any) *http.Response {
	t.Helper()
	r := get(t, h, path, "Accept-Encoding", "br, gzip")
	if r.StatusCode != 200 {
		t.Fatalf("GET %s: %s", path, r.Status)
	}
	if err := json.Unmarshal(decode(t, r), v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return r
}

// The built-in course, as the page reads it.
func TestCourseBuiltin(t *testing.T) {
	h := Handler(Options{Static: pageFS(t, nil)})
	var idx course.Index
	r := getJSON(t, h, "/course/index.json", &idx)
	if enc := r.Header.Get("Content-Encoding"); enc != "br" {
		t.Errorf("Content-Encoding %q", enc)
	}
	if r.Header.Get("Cache-Control") != "no-cache" || r.Header.Get("ETag") == "" || !strings.Contains(r.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("headers %v", r.Header)
	}
	if n := len(idx.Lang("en")); n < 12 || len(idx.Lang("zh")) != n {
		t.Errorf("%d English lessons, %d Chinese", n, len(idx.Lang("zh")))
	}
	if idx.Watch || len(idx.Problems) > 0 {
		t.Error("the built-in course sends no problems and is not watched")
	}
	first := idx.Lang("en")[0]
	if f := idx.First["en"]; f == nil || f.ID != first.ID || len(f.Scenarios) == 0 || !strings.Contains(f.HTML, "ml-scenario") {
		t.Errorf("first lesson %+v", idx.First["en"])
	}
	var d course.Doc
	getJSON(t, h, "/"+course.DocPath("zh", first.ID), &d)
	if d.Lang != "zh" || d.ID != first.ID || len(d.Exercises) == 0 {
		t.Errorf("zh doc: %s/%s, %d exercises", d.Lang, d.ID, len(d.Exercises))
	}
	for _, p := range []string{"/course/en/no-such-lesson.json", "/course/files/../handler.go", "/course/files/en/01-journey.md", "/course/index.json/x"} {
		if r := get(t, h, p); r.StatusCode != 404 {
			t.Errorf("GET %s: %s", p, r.Status)
		}
	}
}

const watchedLesson = `---
id: first
title: %s
lang: en
order: 1
duration: 5
objectives: [read a lesson]
---

# %s

![a picture](img/dot.png) and [the other lesson](02-second.md).

` + "```scenario\nservers:\n  mail.example.com: {users: {alice: secret}}\nsend:\n  - {from: alice@example.com, to: bob@example.com, subject: Hi, body: Hello}\n```\n"

// A course folder being edited: a saved lesson shows in the next index
// (a new version, the lesson's new hash and text), with its problems;
// its pictures are served, its sources are not.
func TestCourseWatch(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("en/01-first.md", strings.ReplaceAll(watchedLesson, "%s", "Version one"))
	write("en/img/dot.png", "\x89PNG\r\n\x1a\n")
	h := Handler(Options{Static: pageFS(t, nil), Course: os.DirFS(dir), Watch: true})

	var v1 course.Index
	getJSON(t, h, "/course/index.json", &v1)
	if !v1.Watch || len(v1.Lessons) != 1 || v1.Lessons[0].Title != "Version one" {
		t.Fatalf("index %+v", v1)
	}
	if len(v1.Problems) == 0 || !strings.Contains(v1.Problems[0].String(), "02-second.md") {
		t.Errorf("the broken link is not a problem: %v", v1.Problems)
	}
	d := v1.First["en"]
	if !strings.Contains(d.HTML, `src="course/files/en/img/dot.png"`) || !strings.Contains(d.HTML, `href="#lesson-file=en/02-second.md"`) {
		t.Errorf("links not rewritten:\n%s", d.HTML)
	}
	if r := get(t, h, "/course/files/en/img/dot.png"); r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" {
		t.Errorf("picture: %s %s", r.Status, r.Header.Get("Content-Type"))
	}
	if r := get(t, h, "/course/files/en/01-first.md"); r.StatusCode != 404 {
		t.Errorf("a lesson's source is served: %s", r.Status)
	}

	// Saved again: a new version after the watch interval.
	write("en/01-first.md", strings.ReplaceAll(watchedLesson, "%s", "Version two"))
	later := time.Now().Add(time.Second)
	os.Chtimes(filepath.Join(dir, "en/01-first.md"), later, later)
	time.Sleep(watchEvery + 50*time.Millisecond)
	var v2 course.Index
	getJSON(t, h, "/course/index.json", &v2)
	if v2.Version == v1.Version || v2.Lessons[0].Hash == v1.Lessons[0].Hash || v2.Lessons[0].Title != "Version two" {
		t.Errorf("after saving: %+v", v2.Lessons)
	}
	var doc course.Doc
	getJSON(t, h, "/"+course.DocPath("en", "first"), &doc)
	if !strings.Contains(doc.HTML, "Version two") {
		t.Error("the lesson's document did not change")
	}
}
