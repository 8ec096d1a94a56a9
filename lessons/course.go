package lessons

import (
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Langs are the course's languages, each a folder of lessons.
var Langs = []string{"en", "zh"}

// Course is a folder of lessons: en/*.md, zh/*.md and an optional
// course.yaml.
type Course struct {
	Title   map[string]string // by language, from course.yaml
	Order   []string          // lesson ids in course order, from course.yaml (optional)
	Lessons []*Lesson         // every lesson, by language, then in course order

	orderAt pos
}

// Lang returns the lessons of one language in course order.
func (c *Course) Lang(lang string) []*Lesson {
	var out []*Lesson
	for _, l := range c.Lessons {
		if l.Lang == lang {
			out = append(out, l)
		}
	}
	return out
}

// Lesson returns the lesson with that id in that language, or nil.
func (c *Course) Lesson(lang, id string) *Lesson {
	for _, l := range c.Lessons {
		if l.Lang == lang && l.ID == id {
			return l
		}
	}
	return nil
}

// Load reads a course from the root of fsys and checks it: every lesson
// (Parse), ids and orders unique in each language, each lesson's lang the
// same as its folder, requires naming lessons that exist, en and zh lessons
// pairing up by id with the same scenario and exercise ids, relative links
// and images pointing at files of the course, course.yaml's keys. The
// course is returned even when it has problems.
func Load(fsys fs.FS) (*Course, []Problem) {
	c := &Course{Title: map[string]string{}}
	var problems []Problem
	if src, err := fs.ReadFile(fsys, "course.yaml"); err == nil {
		problems = append(problems, c.readConfig(src)...)
	}
	var files []string
	present := map[string]bool{}
	for _, lang := range Langs {
		names, _ := fs.Glob(fsys, lang+"/*.md")
		files = append(files, names...)
		if len(names) > 0 {
			present[lang] = true
		}
	}
	lessons, ps := parseFiles(fsys, files)
	problems = append(problems, ps...)
	problems = append(problems, checkSet(fsys, lessons, true)...)
	if len(present) == len(Langs) {
		problems = append(problems, checkPairs(lessons)...)
	}
	problems = append(problems, c.checkOrder(lessons)...)
	c.Lessons = lessons
	c.sort()
	sortProblems(problems)
	return c, problems
}

// Lint checks lessons in fsys. Each path names a lesson file, a folder of
// lessons (en/), or a course folder (one with en/ or zh/ folders or a
// course.yaml), which gets all of Load's checks. It returns the lesson
// files it checked and the problems, both named by their path in fsys.
func Lint(fsys fs.FS, paths ...string) (checked []string, problems []Problem) {
	var files []string
	for _, p := range paths {
		p = path.Clean(p)
		st, err := fs.Stat(fsys, p)
		if err != nil {
			problems = append(problems, Problem{File: p, Line: 1, Col: 1, Msg: "cannot read: " + errText(err)})
			continue
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		if isCourse(fsys, p) {
			sub, err := fs.Sub(fsys, p)
			if err != nil {
				problems = append(problems, Problem{File: p, Line: 1, Col: 1, Msg: errText(err)})
				continue
			}
			c, ps := Load(sub)
			for _, l := range c.Lessons {
				checked = append(checked, path.Join(p, l.File))
			}
			for _, pr := range ps {
				pr.File = path.Join(p, pr.File)
				problems = append(problems, pr)
			}
			continue
		}
		names, _ := fs.Glob(fsys, path.Join(p, "*.md"))
		if len(names) == 0 {
			problems = append(problems, Problem{File: p, Line: 1, Col: 1, Msg: "no lessons here: a course folder has en/ and zh/ folders of .md files"})
		}
		files = append(files, names...)
	}
	if len(files) > 0 {
		lessons, ps := parseFiles(fsys, files)
		problems = append(problems, ps...)
		problems = append(problems, checkSet(fsys, lessons, false)...)
		for _, l := range lessons {
			checked = append(checked, l.File)
		}
	}
	sortProblems(problems)
	return checked, problems
}

func errText(err error) string {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// isCourse tells a course folder from a folder of lessons.
func isCourse(fsys fs.FS, dir string) bool {
	if _, err := fs.Stat(fsys, path.Join(dir, "course.yaml")); err == nil {
		return true
	}
	for _, lang := range Langs {
		if st, err := fs.Stat(fsys, path.Join(dir, lang)); err == nil && st.IsDir() {
			return true
		}
	}
	return false
}

func parseFiles(fsys fs.FS, files []string) ([]*Lesson, []Problem) {
	var lessons []*Lesson
	var problems []Problem
	for _, f := range files {
		src, err := fs.ReadFile(fsys, f)
		if err != nil {
			problems = append(problems, Problem{File: f, Line: 1, Col: 1, Msg: "cannot read: " + errText(err)})
			continue
		}
		l, ps := Parse(f, src)
		lessons = append(lessons, l)
		problems = append(problems, ps...)
	}
	return lessons, problems
}

// at is the problem at a front matter key (or the file's first line).
func (l *Lesson) at(key, format string, args ...any) Problem {
	p, ok := l.keys[key]
	if !ok {
		p = pos{1, 1}
	}
	return Problem{File: l.File, Line: p.line, Col: p.col, Msg: fmt.Sprintf(format, args...)}
}

// checkSet checks what a set of lessons must agree on; withRequires also
// checks that requires names lessons of the set.
func checkSet(fsys fs.FS, lessons []*Lesson, withRequires bool) []Problem {
	var problems []Problem
	ids := map[string]*Lesson{}
	orders := map[string]*Lesson{}
	for _, l := range lessons {
		folder := path.Base(path.Dir(l.File))
		if l.Lang != "" && (folder == "en" || folder == "zh") && l.Lang != folder {
			problems = append(problems, l.at("lang", "lang is %s but the file is in the %s/ folder", l.Lang, folder))
		}
		if l.ID != "" {
			if other := ids[l.Lang+"/"+l.ID]; other != nil {
				problems = append(problems, l.at("id", "id %q is also the id of %s", l.ID, other.File))
			} else {
				ids[l.Lang+"/"+l.ID] = l
			}
		}
		if l.Order > 0 {
			key := fmt.Sprintf("%s/%d", l.Lang, l.Order)
			if other := orders[key]; other != nil {
				problems = append(problems, l.at("order", "order %d is also the order of %s", l.Order, other.File))
			} else {
				orders[key] = l
			}
		}
		problems = append(problems, checkLinks(fsys, l)...)
	}
	if withRequires {
		for _, l := range lessons {
			for _, r := range l.Requires {
				switch {
				case r == l.ID:
					problems = append(problems, l.at("requires", "requires %q: a lesson cannot require itself", r))
				case ids[l.Lang+"/"+r] == nil:
					problems = append(problems, l.at("requires", "requires %q: no %s lesson has that id", r, l.Lang))
				}
			}
		}
	}
	return problems
}

// checkPairs checks that every lesson exists in every language with the
// same id, order, scenarios and exercises. English is the reference:
// differences are reported in the other language's file.
func checkPairs(lessons []*Lesson) []Problem {
	var problems []Problem
	byLang := map[string]map[string]*Lesson{}
	for _, l := range lessons {
		if l.ID == "" || l.Lang == "" {
			continue
		}
		if byLang[l.Lang] == nil {
			byLang[l.Lang] = map[string]*Lesson{}
		}
		if byLang[l.Lang][l.ID] == nil {
			byLang[l.Lang][l.ID] = l
		}
	}
	for _, l := range lessons {
		if l.ID == "" || byLang[l.Lang][l.ID] != l {
			continue
		}
		for _, other := range Langs {
			if other == l.Lang {
				continue
			}
			if byLang[other][l.ID] == nil {
				problems = append(problems, l.at("id", "no %s lesson has id %q: every lesson is written in %s", other, l.ID, strings.Join(langFolders(), " and ")))
			}
		}
		if l.Lang == "en" {
			continue
		}
		en := byLang["en"][l.ID]
		if en == nil {
			continue
		}
		if en.Order != l.Order && en.Order > 0 && l.Order > 0 {
			problems = append(problems, l.at("order", "order %d differs from %s (order %d)", l.Order, en.File, en.Order))
		}
		problems = append(problems, pairIDs(l, en, "scenario", scenarioIDs(l), scenarioIDs(en))...)
		problems = append(problems, pairIDs(l, en, "exercise", exerciseIDs(l), exerciseIDs(en))...)
	}
	return problems
}

func langFolders() []string {
	var out []string
	for _, l := range Langs {
		out = append(out, l+"/")
	}
	return out
}

type idLine struct {
	id   string
	line int
}

func scenarioIDs(l *Lesson) []idLine {
	var out []idLine
	for _, s := range l.Scenarios {
		out = append(out, idLine{s.ID, s.Line})
	}
	return out
}

func exerciseIDs(l *Lesson) []idLine {
	var out []idLine
	for _, e := range l.Exercises {
		out = append(out, idLine{e.ID, e.Line})
	}
	return out
}

// pairIDs compares the block ids of a lesson with its English original.
func pairIDs(l, en *Lesson, kind string, mine, theirs []idLine) []Problem {
	var problems []Problem
	has := func(list []idLine, id string) bool {
		for _, x := range list {
			if x.id == id {
				return true
			}
		}
		return false
	}
	for _, x := range mine {
		if !has(theirs, x.id) {
			problems = append(problems, Problem{File: l.File, Line: x.line, Col: 1,
				Msg: fmt.Sprintf("%s %q is not in %s: the languages must have the same %ss", kind, x.id, en.File, kind)})
		}
	}
	for _, x := range theirs {
		if !has(mine, x.id) {
			problems = append(problems, l.at("id", "%s %q of %s is missing here", kind, x.id, en.File))
		}
	}
	return problems
}

var scheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// checkLinks checks that relative links and images point at files of the
// course (the part of the course that is published).
func checkLinks(fsys fs.FS, l *Lesson) []Problem {
	var problems []Problem
	for _, lk := range l.links {
		d := strings.TrimSpace(lk.dest)
		if d == "" {
			problems = append(problems, Problem{File: l.File, Line: lk.line, Col: lk.col, Msg: "empty link"})
			continue
		}
		if scheme.MatchString(d) || strings.HasPrefix(d, "#") || strings.HasPrefix(d, "/") {
			continue
		}
		p := d
		if i := strings.IndexAny(p, "#?"); i >= 0 {
			p = p[:i]
		}
		if u, err := url.PathUnescape(p); err == nil {
			p = u
		}
		target := path.Join(path.Dir(l.File), p)
		if target == ".." || strings.HasPrefix(target, "../") {
			problems = append(problems, Problem{File: l.File, Line: lk.line, Col: lk.col, Msg: fmt.Sprintf("link %q points outside the course folder", d)})
			continue
		}
		if _, err := fs.Stat(fsys, target); err != nil {
			problems = append(problems, Problem{File: l.File, Line: lk.line, Col: lk.col, Msg: fmt.Sprintf("link %q: there is no file %s", d, target)})
		}
	}
	return problems
}

// course.yaml: the course's title in each language and, optionally, the
// order of the lessons by id.
func (c *Course) readConfig(src []byte) []Problem {
	var problems []Problem
	bad := func(p pos, format string, args ...any) {
		problems = append(problems, Problem{File: "course.yaml", Line: p.line, Col: p.col, Msg: fmt.Sprintf(format, args...)})
	}
	fields, yerr := parseYAML(src)
	if yerr != nil {
		bad(yerr.pos, "%s", yerr.msg)
		return problems
	}
	for _, fd := range fields {
		switch fd.key {
		case "title":
			var one string
			if err := decode(fd, &one); err == nil {
				for _, lang := range Langs {
					c.Title[lang] = one
				}
				continue
			}
			var m map[string]string
			if err := decode(fd, &m); err != nil {
				bad(fd.vpos, "title: want a text, or one per language such as {en: …, zh: …}")
				continue
			}
			for k, v := range m {
				if k != "en" && k != "zh" {
					bad(fd.vpos, "title: %q is not a language: use en and zh", k)
				}
				c.Title[k] = v
			}
		case "order":
			list, err := scalarList(fd)
			if err != nil {
				bad(err.pos, "%s", err.msg)
				continue
			}
			c.Order = list
			c.orderAt = fd.vpos
		default:
			bad(fd.kpos, "%s", unknownKey("course.yaml", fd.key, []string{"title", "order"}))
		}
	}
	return problems
}

// checkOrder checks course.yaml's order against the lessons.
func (c *Course) checkOrder(lessons []*Lesson) []Problem {
	if len(c.Order) == 0 {
		return nil
	}
	var problems []Problem
	listed := map[string]bool{}
	for _, id := range c.Order {
		listed[id] = true
		found := false
		for _, l := range lessons {
			found = found || l.ID == id
		}
		if !found {
			problems = append(problems, Problem{File: "course.yaml", Line: c.orderAt.line, Col: c.orderAt.col, Msg: fmt.Sprintf("order: no lesson has id %q", id)})
		}
	}
	for _, l := range lessons {
		if l.ID != "" && !listed[l.ID] {
			problems = append(problems, l.at("id", "lesson %q is not in course.yaml's order: add it there, or remove order: to use each lesson's order key", l.ID))
		}
	}
	return problems
}

// sort puts the lessons in course order: by language, then course.yaml's
// order, then each lesson's order key.
func (c *Course) sort() {
	rank := map[string]int{}
	for i, id := range c.Order {
		rank[id] = i + 1
	}
	langRank := map[string]int{}
	for i, l := range Langs {
		langRank[l] = i
	}
	sort.SliceStable(c.Lessons, func(i, j int) bool {
		a, b := c.Lessons[i], c.Lessons[j]
		if a.Lang != b.Lang {
			return langRank[a.Lang] < langRank[b.Lang]
		}
		ra, rb := rank[a.ID], rank[b.ID]
		if ra != rb {
			if ra == 0 || rb == 0 {
				return rb == 0
			}
			return ra < rb
		}
		if a.Order != b.Order {
			return a.Order < b.Order
		}
		return a.File < b.File
	})
}
