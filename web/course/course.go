// Package course is the shape in which the page receives lessons: a small
// index of every lesson (for the picker) and one document per lesson (its
// rendered HTML, its scenarios and exercises, its problems), as JSON.
//
// The server (web, `maillab serve`) builds them from a course folder with
// the lessons package, natively, where parsing and checking a course takes
// a fraction of a second; the page (wasm) only decodes them. Parsing the
// built-in course in the browser would take seconds, and the page must be
// usable at once. The page builds a Doc itself only for a lesson file the
// student opens (FromLesson).
//
// The package is plain Go without net/http, so the wasm can import it
// without growing.
package course

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"maillab/lessons"
)

// Index lists the lessons of a course, in course order per language.
type Index struct {
	// Title is the course's title by language ("en", "zh").
	Title map[string]string `json:"title,omitempty"`
	// Lessons are every lesson, English first, each language in course order.
	Lessons []Entry `json:"lessons"`
	// Problems are the course's lint problems (only sent when Watch is
	// set: an instructor previewing a course wants them, a student does not).
	Problems []Problem `json:"problems,omitempty"`
	// Watch says the course is a folder being edited: the page polls the
	// index and reloads a lesson whose Hash changed.
	Watch bool `json:"watch,omitempty"`
	// Version changes whenever any file of the course does.
	Version string `json:"version"`
	// First holds the document of the first lesson of each language, so
	// that a first visit needs one request.
	First map[string]*Doc `json:"first,omitempty"`
}

// Entry is one lesson in the index.
type Entry struct {
	ID    string `json:"id"`
	Lang  string `json:"lang"` // en | zh
	Title string `json:"title"`
	Order int    `json:"order"`
	File  string `json:"file"` // as in the course folder: "en/01-journey.md"
	// Hash identifies this version of the lesson's document; the page asks
	// for DocPath(lang, id) + "?v=" + Hash, so a cached old one is never used.
	Hash string `json:"hash"`
}

// Doc is one lesson as the page shows it.
type Doc struct {
	ID         string     `json:"id"`
	Lang       string     `json:"lang"`
	Title      string     `json:"title"`
	File       string     `json:"file"`
	Objectives []string   `json:"objectives,omitempty"`
	HTML       string     `json:"html"`
	Scenarios  []Scenario `json:"scenarios,omitempty"`
	Exercises  []Exercise `json:"exercises,omitempty"`
	Problems   []Problem  `json:"problems,omitempty"`
}

// Scenario is a ```scenario block of a lesson.
type Scenario struct {
	ID     string `json:"id"`
	Title  string `json:"title,omitempty"`
	Source string `json:"source"`
}

// Exercise is an ```exercise block of a lesson: what the page needs to
// start it and to check it.
type Exercise struct {
	ID       string       `json:"id"`
	Title    string       `json:"title,omitempty"`
	Start    string       `json:"start"`              // scenario | terminal
	Scenario string       `json:"scenario,omitempty"` // a scenario id of the lesson
	Protocol string       `json:"protocol,omitempty"` // terminal: smtp | pop3
	Server   string       `json:"server,omitempty"`   // terminal: the host
	Goal     lessons.Goal `json:"goal"`
}

// Problem is a lint problem: file:line:col: message.
type Problem struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
	Msg  string `json:"msg"`
}

// String formats the problem as file:line:col: message.
func (p Problem) String() string {
	return lessons.Problem{File: p.File, Line: p.Line, Col: p.Col, Msg: p.Msg}.String()
}

// IndexPath and DocPath are where the page finds the course, relative to
// the page.
const IndexPath = "course/index.json"

// DocPath is the URL path of a lesson's document, relative to the page.
func DocPath(lang, id string) string { return "course/" + lang + "/" + id + ".json" }

// FilePrefix is where the course's own files (pictures) are served.
const FilePrefix = "course/files/"

// FromLesson turns a parsed lesson into the document the page shows.
// Problems are kept only if they are about this lesson's file.
func FromLesson(l *lessons.Lesson, problems []lessons.Problem) *Doc {
	d := &Doc{ID: l.ID, Lang: l.Lang, Title: l.Title, File: l.File, Objectives: l.Objectives,
		HTML: rewriteLinks(l.HTML, path.Dir(l.File))}
	if d.Lang != "zh" {
		d.Lang = "en"
	}
	for _, s := range l.Scenarios {
		d.Scenarios = append(d.Scenarios, Scenario{ID: s.ID, Title: s.Title, Source: s.Source})
	}
	for _, e := range l.Exercises {
		d.Exercises = append(d.Exercises, Exercise{ID: e.ID, Title: e.Title, Start: e.Start, Scenario: e.Scenario,
			Protocol: e.Protocol, Server: e.Server, Goal: e.Goal})
	}
	for _, p := range problems {
		if p.File == l.File {
			d.Problems = append(d.Problems, Problem{File: p.File, Line: p.Line, Col: p.Col, Msg: p.Msg})
		}
	}
	return d
}

// Build reads and checks a course (lessons.Load) and returns its index and
// every lesson's document, keyed by DocPath. The index carries the course's
// problems only when watch is set.
func Build(fsys fs.FS, watch bool) (*Index, map[string]*Doc) {
	c, problems := lessons.Load(fsys)
	idx := &Index{Title: c.Title, Watch: watch, First: map[string]*Doc{}}
	docs := map[string]*Doc{}
	all := sha256.New()
	for _, l := range c.Lessons {
		if l.ID == "" {
			continue // a lesson without an id cannot be linked to; lint says so
		}
		d := FromLesson(l, problems)
		b, _ := json.Marshal(d) // a Doc always encodes
		sum := sha256.Sum256(b)
		hash := hex.EncodeToString(sum[:6])
		all.Write(sum[:])
		key := DocPath(d.Lang, d.ID)
		if _, dup := docs[key]; dup {
			continue // two lessons with one id: lint says so, the first wins
		}
		docs[key] = d
		idx.Lessons = append(idx.Lessons, Entry{ID: d.ID, Lang: d.Lang, Title: d.Title, Order: l.Order, File: l.File, Hash: hash})
		if idx.First[d.Lang] == nil {
			idx.First[d.Lang] = d
		}
	}
	if watch {
		for _, p := range problems {
			idx.Problems = append(idx.Problems, Problem{File: p.File, Line: p.Line, Col: p.Col, Msg: p.Msg})
		}
		sort.SliceStable(idx.Problems, func(i, j int) bool { return idx.Problems[i].File < idx.Problems[j].File })
	}
	for _, p := range idx.Problems {
		all.Write([]byte(p.String()))
	}
	idx.Version = hex.EncodeToString(all.Sum(nil)[:8])
	return idx, docs
}

// Lang returns the index's lessons in one language, in course order.
func (x *Index) Lang(lang string) []Entry {
	var out []Entry
	for _, e := range x.Lessons {
		if e.Lang == lang {
			out = append(out, e)
		}
	}
	return out
}

// ByFile returns the lesson read from that file of the course.
func (x *Index) ByFile(file string) (Entry, bool) {
	for _, e := range x.Lessons {
		if e.File == file {
			return e, true
		}
	}
	return Entry{}, false
}

// Entry returns the lesson with that id in that language.
func (x *Index) Entry(lang, id string) (Entry, bool) {
	for _, e := range x.Lessons {
		if e.Lang == lang && e.ID == id {
			return e, true
		}
	}
	return Entry{}, false
}

// ScenarioByID returns the lesson's scenario with that id.
func (d *Doc) ScenarioByID(id string) (Scenario, bool) {
	for _, s := range d.Scenarios {
		if s.ID == id {
			return s, true
		}
	}
	return Scenario{}, false
}

// ExerciseByID returns the lesson's exercise with that id.
func (d *Doc) ExerciseByID(id string) (Exercise, bool) {
	for _, e := range d.Exercises {
		if e.ID == id {
			return e, true
		}
	}
	return Exercise{}, false
}

var linkAttr = regexp.MustCompile(`(href|src)="([^"]*)"`)
var scheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// rewriteLinks makes a lesson's relative links work inside the page, which
// is not where the lesson file is: a link to another lesson file
// ("03-commands-replies.md") becomes a link to that lesson in the page
// ("#lesson-file=en/03-commands-replies.md", which the page resolves), and a
// picture ("img/hops.png") is served from the course's files. Lessons
// cannot contain raw HTML, so every href and src here was written by the
// markdown renderer.
func rewriteLinks(html, dir string) string {
	return linkAttr.ReplaceAllStringFunc(html, func(m string) string {
		sub := linkAttr.FindStringSubmatch(m)
		attr, dest := sub[1], sub[2]
		if dest == "" || scheme.MatchString(dest) || strings.HasPrefix(dest, "#") || strings.HasPrefix(dest, "/") {
			return m
		}
		target, frag, _ := strings.Cut(dest, "#")
		target = path.Join(dir, target)
		if strings.HasPrefix(target, "../") || target == ".." {
			return m
		}
		if attr == "href" && strings.HasSuffix(target, ".md") {
			out := "#lesson-file=" + target
			if frag != "" {
				out += "&amp;anchor=" + frag
			}
			return `href="` + out + `"`
		}
		return attr + `="` + FilePrefix + target + `"`
	})
}
