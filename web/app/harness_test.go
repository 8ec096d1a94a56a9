package app

import (
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"time"

	"maillab/lessons"
	"maillab/web/course"
)

// The built-in course as the server sends it, built once for all tests.
var builtin = sync.OnceValues(func() (map[string][]byte, error) {
	idx, docs := course.Build(lessons.Builtin, false)
	files := map[string][]byte{}
	b, err := json.Marshal(idx)
	if err != nil {
		return nil, err
	}
	files[course.IndexPath] = b
	for p, d := range docs {
		if files[p], err = json.Marshal(d); err != nil {
			return nil, err
		}
	}
	return files, nil
})

// page is a fake browser: it does what the model's commands ask (serving
// fetches from a map), applies patches to a map of element values, and
// records the rest, so tests read the page as a person would.
type page struct {
	t       *testing.T
	m       *Model
	q       *Queue
	files   map[string][]byte
	els     map[string]string // "id attr" → value
	store   map[string]string
	url     string
	dialogs map[string]bool
	copied  string
	saved   []Cmd // downloads
	polls   int
	fetches []string
	// hold keeps fetched answers back until release (to test races).
	hold    bool
	pending []Cmd
	// server answers Requests (the live view's); nil: 404 for all, as a
	// server without native mode. requests records them.
	server   func(method, path, body string) (int, string)
	requests []Cmd
	streams  []Cmd // event streams opened
}

func newPage(t *testing.T, frag string, files map[string][]byte) *page {
	t.Helper()
	if files == nil {
		var err error
		if files, err = builtin(); err != nil {
			t.Fatal(err)
		}
	}
	st, _, _ := ParseFragment(frag)
	if st.Lang == "" {
		st.Lang = LangEN
	}
	p := &page{t: t, q: NewQueue(), files: files, els: map[string]string{}, store: map[string]string{}, dialogs: map[string]bool{}}
	p.m = New(st, "")
	p.m.Start()
	p.settle()
	return p
}

// reload opens the page again at its current URL, keeping localStorage.
func (p *page) reload() *page {
	p.t.Helper()
	np := &page{t: p.t, q: NewQueue(), files: p.files, els: map[string]string{}, store: p.store, dialogs: map[string]bool{}}
	st, _, _ := ParseFragment(p.url)
	np.m = New(st, p.store[KeyDone])
	np.m.Start()
	np.settle()
	return np
}

// do posts fn on the queue, as a DOM event would, and lets the page settle.
func (p *page) do(fn func(m *Model)) {
	p.q.Post(func() { fn(p.m) })
	p.settle()
}

func (p *page) settle() {
	p.t.Helper()
	for i := 0; i < 100; i++ {
		p.q.Drain()
		for _, pt := range p.m.Render() {
			key := pt.ID + " " + pt.Attr
			if pt.Del {
				delete(p.els, key)
			} else {
				p.els[key] = pt.Content()
			}
		}
		cmds := p.m.TakeCmds()
		if len(cmds) == 0 {
			return
		}
		for _, c := range cmds {
			p.run(c)
		}
	}
	p.t.Fatal("the page never settles")
}

func (p *page) run(c Cmd) {
	switch c.Kind {
	case Fetch:
		if p.hold {
			p.pending = append(p.pending, c)
			return
		}
		p.answer(c)
	case Save:
		p.store[c.Key] = c.Text
	case Copy:
		p.copied = c.Text
		p.q.Post(func() { p.m.CopyDone(true) })
	case Download:
		p.saved = append(p.saved, c)
	case Dialog:
		p.dialogs[c.Key] = c.Open
	case SetURL:
		p.url = c.URL
	case Poll:
		p.polls++
	case Request:
		p.requests = append(p.requests, c)
		status, body := 404, "404 page not found\n"
		if p.server != nil {
			status, body = p.server(c.Method, strings.SplitN(c.Path, "?", 2)[0], c.Text)
		}
		p.q.Post(func() { p.m.RequestDone(c.Method, c.Path, status, []byte(body), nil) })
	case Stream:
		p.streams = append(p.streams, c)
	}
}

func (p *page) answer(c Cmd) {
	p.fetches = append(p.fetches, c.Path)
	path := strings.SplitN(c.Path, "?", 2)[0]
	body, ok := p.files[path]
	var err error
	if !ok {
		err = errors.New("404 Not Found")
	}
	p.q.Post(func() { p.m.FetchDone(c.Path, body, err) })
}

func (p *page) release() {
	p.hold = false
	for _, c := range p.pending {
		p.answer(c)
	}
	p.pending = nil
	p.settle()
}

// el is an element's content (HTML or text), "" if never written.
func (p *page) el(id string) string {
	if v, ok := p.els[id+" "+HTML]; ok {
		return v
	}
	return p.els[id+" "+Text]
}

func (p *page) attr(id, attr string) (string, bool) {
	v, ok := p.els[id+" "+attr]
	return v, ok
}

func (p *page) wants(what, in string, subs ...string) {
	p.t.Helper()
	for _, s := range subs {
		if !strings.Contains(in, s) {
			p.t.Errorf("%s lacks %q:\n%.600s", what, s, in)
		}
	}
}

func (p *page) lacks(what, in string, subs ...string) {
	p.t.Helper()
	for _, s := range subs {
		if strings.Contains(in, s) {
			p.t.Errorf("%s has %q", what, s)
		}
	}
}

// stepOf finds the first step of the session's trace with that text
// (and that receiving actor, if to is not "").
func (p *page) stepOf(text, to string) int {
	p.t.Helper()
	for i, s := range p.m.Trace().Steps {
		if strings.EqualFold(s.Text, text) && (to == "" || s.To == to) {
			return i
		}
	}
	p.t.Fatalf("no step %q to %q in the trace", text, to)
	return -1
}

var _ = time.Second

// solutionLines are the lines an exercise's solution types.
func solutionLines(t *testing.T, file, id string) []string {
	t.Helper()
	src, err := fs.ReadFile(lessons.Builtin, file)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := lessons.Parse(file, src)
	e := l.ExerciseByID(id)
	if e == nil || e.Solution == nil {
		t.Skipf("%s: exercise %s has no solution", file, id)
	}
	return e.Solution.Lines
}
