package lessons

import (
	"bytes"
	"regexp"
	"strconv"

	gast "github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Front matter is a YAML block between two --- lines at the very top of
// the file (as goldmark-meta reads it). The block parser below takes it out
// of the document and leaves its lines in the parser context; the
// transformer decodes them with the rest of the lesson.

var frontMatterKey = parser.NewContextKey()

// frontMatter is the raw front matter: its YAML lines and whether the
// closing --- was found.
type frontMatter struct {
	lines  []text.Segment
	closed bool
}

type frontMatterParser struct{}

func isSeparator(line []byte) bool {
	return string(bytes.TrimRight(line, " \t\r\n")) == "---"
}

func (frontMatterParser) Trigger() []byte { return []byte{'-'} }

func (frontMatterParser) Open(parent gast.Node, reader text.Reader, pc parser.Context) (gast.Node, parser.State) {
	if n, _ := reader.Position(); n != 0 || parent.Kind() != gast.KindDocument {
		return nil, parser.NoChildren
	}
	line, _ := reader.PeekLine()
	if !isSeparator(line) {
		return nil, parser.NoChildren
	}
	fm := &frontMatter{}
	pc.Set(frontMatterKey, fm)
	return gast.NewTextBlock(), parser.NoChildren
}

func (frontMatterParser) Continue(node gast.Node, reader text.Reader, pc parser.Context) parser.State {
	line, seg := reader.PeekLine()
	fm, _ := pc.Get(frontMatterKey).(*frontMatter)
	if isSeparator(line) {
		reader.Advance(seg.Len())
		if fm != nil {
			fm.closed = true
		}
		return parser.Close
	}
	if fm != nil {
		fm.lines = append(fm.lines, seg)
	}
	return parser.Continue | parser.NoChildren
}

func (frontMatterParser) Close(node gast.Node, reader text.Reader, pc parser.Context) {
	node.Parent().RemoveChild(node.Parent(), node)
}

func (frontMatterParser) CanInterruptParagraph() bool { return false }
func (frontMatterParser) CanAcceptIndentedLine() bool { return false }

var frontMatterKeys = []string{"id", "title", "lang", "order", "duration", "objectives", "requires"}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// readFrontMatter decodes the front matter into the lesson.
func (c *collector) readFrontMatter(pc parser.Context) {
	l := c.lesson
	fm, _ := pc.Get(frontMatterKey).(*frontMatter)
	if fm == nil {
		c.problem(1, 1, "no front matter: a lesson starts with a --- line, the keys id, title, lang, order, duration and objectives, and another --- line")
		return
	}
	if !fm.closed {
		c.problem(1, 1, "the front matter is not closed: add a line --- after its last key")
		return
	}
	b := block{c: c, lines: fm.lines, fence: 1}
	fields, yerr := parseYAML(b.text())
	if yerr != nil {
		b.errorf(yerr.pos, "front matter: %s", yerr.msg)
		return
	}
	seen := map[string]bool{}
	for _, fd := range fields {
		if seen[fd.key] {
			b.errorf(fd.kpos, "front matter: %s is given twice", fd.key)
			continue
		}
		seen[fd.key] = true
		l.keys[fd.key] = b.abs(fd.vpos)
		var err *yamlErr
		switch fd.key {
		case "id":
			if err = decode(fd, &l.ID); err == nil && !idPattern.MatchString(l.ID) {
				err = &yamlErr{fd.vpos, "id " + strconv.Quote(l.ID) + ": use lower-case letters, digits and - (it goes into links)"}
			}
		case "title":
			err = decode(fd, &l.Title)
		case "lang":
			if err = decode(fd, &l.Lang); err == nil && l.Lang != "en" && l.Lang != "zh" {
				err = &yamlErr{fd.vpos, "lang " + strconv.Quote(l.Lang) + ": want en or zh"}
				l.Lang = ""
			}
		case "order":
			if l.Order, err = whole(fd); err == nil && l.Order < 1 {
				err = &yamlErr{fd.vpos, "order must be 1 or more (the lesson's place in the course)"}
			}
		case "duration":
			if l.Duration, err = whole(fd); err == nil && l.Duration < 1 {
				err = &yamlErr{fd.vpos, "duration must be 1 or more (minutes)"}
			}
		case "objectives":
			if l.Objectives, err = texts(fd); err == nil && len(l.Objectives) == 0 {
				err = &yamlErr{fd.vpos, "objectives is empty: list what the student will be able to do"}
			}
		case "requires":
			l.Requires, err = scalarList(fd)
			for _, id := range l.Requires {
				if err == nil && !idPattern.MatchString(id) {
					err = &yamlErr{fd.vpos, "requires: " + strconv.Quote(id) + " is not a lesson id"}
				}
			}
		default:
			err = &yamlErr{fd.kpos, "front matter: " + unknownKey("the front matter", fd.key, frontMatterKeys)}
		}
		if err != nil {
			b.errorf(err.pos, "%s", err.msg)
		}
	}
	missing := map[string]string{
		"id":         "a short name such as smtp-session, the same in en and zh",
		"title":      "the lesson's title",
		"lang":       "en or zh",
		"order":      "the lesson's place in the course: 1, 2, 3…",
		"duration":   "minutes the lesson takes",
		"objectives": "a list of what the student will be able to do",
	}
	for _, k := range frontMatterKeys {
		if hint, ok := missing[k]; ok && !seen[k] {
			c.problem(1, 1, "front matter: missing key "+k+" ("+hint+")")
		}
	}
	if p, ok := l.keys["title"]; ok && l.Title == "" {
		c.problem(p.line, p.col, "front matter: title is empty")
	}
}

var _ parser.BlockParser = frontMatterParser{}
