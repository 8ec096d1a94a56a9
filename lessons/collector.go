package lessons

import (
	"fmt"
	"sort"
	"unicode/utf8"

	gast "github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// collectorKey holds the lesson being built while goldmark parses it: the
// transformer fills it and records every problem with its file position.
var collectorKey = parser.NewContextKey()

type collector struct {
	name       string
	src        []byte
	lineStarts []int // byte offset of each line's first byte
	lesson     *Lesson
	problems   []Problem
	done       bool // the transformer has run on the document
	// openBold holds the blocks already reported for a "**" left as text
	// (checkEmphasis): one report per paragraph, not one per asterisk pair.
	openBold map[gast.Node]bool
}

func newCollector(name string, src []byte) *collector {
	c := &collector{name: name, src: src, lesson: &Lesson{File: name, keys: map[string]pos{}}}
	c.lineStarts = append(c.lineStarts, 0)
	for i, b := range src {
		if b == '\n' {
			c.lineStarts = append(c.lineStarts, i+1)
		}
	}
	return c
}

func (c *collector) problem(line, col int, msg string) {
	c.problems = append(c.problems, Problem{File: c.name, Line: line, Col: col, Msg: msg})
}

// lineCol turns a byte offset into a 1-based line and a 1-based column
// counted in characters (so a column in a Chinese line is where an editor
// shows it).
func (c *collector) lineCol(off int) (int, int) {
	if off > len(c.src) {
		off = len(c.src)
	}
	i := sort.Search(len(c.lineStarts), func(i int) bool { return c.lineStarts[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return i + 1, utf8.RuneCount(c.src[c.lineStarts[i]:off]) + 1
}

// block is the content of a fenced block (or of the front matter), whose
// own line 1 is somewhere in the file.
type block struct {
	c     *collector
	lines []text.Segment
	fence int // the file line of the opening fence
}

func (b block) text() []byte {
	var out []byte
	for _, s := range b.lines {
		out = append(out, s.Value(b.c.src)...)
	}
	return out
}

// abs maps a position inside the block to the file.
func (b block) abs(p pos) pos {
	if p.line < 1 || len(b.lines) == 0 {
		return pos{b.fence, 1}
	}
	if p.line > len(b.lines) {
		// Past the last line: the closing fence.
		l, _ := b.c.lineCol(b.lines[len(b.lines)-1].Start)
		return pos{l + 1, 1}
	}
	l, col := b.c.lineCol(b.lines[p.line-1].Start)
	if p.col > 1 {
		col += p.col - 1
	}
	return pos{l, col}
}

func (b block) errorf(p pos, format string, args ...any) {
	a := b.abs(p)
	b.c.problem(a.line, a.col, fmt.Sprintf(format, args...))
}
