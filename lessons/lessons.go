// Package lessons reads maillab's course: markdown lessons with YAML front
// matter whose ```scenario, ```exercise and ```transcript blocks become
// widgets (a goldmark extension, extension.go), checks them against the
// engine (the linter), and checks a student's trace against an exercise's
// goal (CheckGoal). It does no I/O of its own: files come through io/fs, so
// the embedded course, a folder on disk and a file uploaded in the browser
// all work the same way. The format is described in README.md.
package lessons

import (
	"bytes"
	"sort"
	"strconv"

	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"maillab/sim/scenario"
)

// Problem is one mistake in a lesson, with where it is.
type Problem struct {
	File      string
	Line, Col int
	Msg       string
}

// String formats the problem as file:line:col: message.
func (p Problem) String() string {
	return p.File + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col) + ": " + p.Msg
}

// Lesson is one parsed lesson file.
type Lesson struct {
	File       string // the name it was read under ("en/01-journey.md")
	ID         string
	Title      string
	Lang       string // en | zh
	Order      int
	Duration   int // minutes
	Objectives []string
	Requires   []string // ids of lessons to do first

	HTML        string // the rendered lesson, widgets included
	Scenarios   []*Scenario
	Exercises   []*Exercise
	Transcripts []*Transcript

	links []link
	keys  map[string]pos // where each front matter key is (for the course checks)
}

// Scenario is a ```scenario block: a spec the page runs and steps through.
type Scenario struct {
	ID     string // the spec's id, or "scenario-N" (N counts from 1 in the lesson)
	Title  string
	Line   int    // the line of the opening fence
	Source string // the YAML as written
	Spec   *scenario.Spec
	// Transcript is the static fallback: the run's dialogue as text.
	Transcript string
}

// Exercise is an ```exercise block.
type Exercise struct {
	ID       string
	Title    string
	Line     int    // the line of the opening fence
	Start    string // scenario | terminal
	Scenario string // id of a scenario block of the lesson
	Protocol string // for start: terminal: smtp | pop3
	Server   string // for start: terminal: the host to connect to ("" = the scenario's)
	Task     string // markdown
	Goal     Goal
	Hints    []string // markdown
	Solution *Solution

	taskHTML  string
	hintsHTML []string
	goalLine  int
	solLine   int
}

// Solution is an exercise's reference solution, which the linter checks
// against the goal.
type Solution struct {
	Faults []scenario.FaultSpec // for start: scenario: the faults the student adds
	Lines  []string             // for start: terminal: the lines the student types
}

// Transcript is a ```transcript block: a literal dialogue.
type Transcript struct {
	Line         int  // the line of the opening fence
	Illustrative bool // not checked against the engine
	Protocol     string
	Lines        []DialogueLine
	header       transcriptHeader
}

// DialogueLine is one C: or S: line of a transcript.
type DialogueLine struct {
	Line   int  // in the file
	Client bool // C: (else S:)
	Text   string
}

// link is a link or image destination, for the course checks.
type link struct {
	dest      string
	line, col int
}

// Parse reads, checks and renders one lesson; name is the file name its
// problems carry. It checks everything one file can show: the front
// matter, every block, every exercise's solution and every transcript
// against the engine. The checks that need other files (ids unique in the
// course, en/zh pairs, links) are Load's and Lint's. The lesson is returned
// even when it has problems, rendered as well as it can be.
func Parse(name string, src []byte) (*Lesson, []Problem) {
	c := newCollector(name, src)
	pc := parser.NewContext()
	pc.Set(collectorKey, c)
	md := markdown()
	doc := md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	var buf bytes.Buffer
	if err := md.Renderer().Render(&buf, src, doc); err != nil {
		c.problem(1, 1, "cannot render: "+err.Error())
	}
	l := c.lesson
	l.HTML = buf.String()
	sortProblems(c.problems)
	return l, c.problems
}

// ScenarioByID returns the lesson's scenario with that id, or nil.
func (l *Lesson) ScenarioByID(id string) *Scenario {
	for _, s := range l.Scenarios {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// ExerciseByID returns the lesson's exercise with that id, or nil.
func (l *Lesson) ExerciseByID(id string) *Exercise {
	for _, e := range l.Exercises {
		if e.ID == id {
			return e
		}
	}
	return nil
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}
