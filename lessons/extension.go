package lessons

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	gast "github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// The goldmark extension, after goldmark-mermaid: the transformer collects
// the fenced blocks whose info string is scenario, exercise or transcript,
// checks them (so a broken block fails with its line in the markdown file)
// and replaces each with a node of our own kind; the renderer writes each
// node as a widget the page brings to life, with a static fallback that
// reads well without JavaScript. Raw HTML is shown as text, not rendered.

// Node kinds of the widgets.
var (
	KindScenario   = gast.NewNodeKind("MaillabScenario")
	KindExercise   = gast.NewNodeKind("MaillabExercise")
	KindTranscript = gast.NewNodeKind("MaillabTranscript")
)

// ScenarioBlock is a ```scenario block.
type ScenarioBlock struct {
	gast.BaseBlock
	Scenario *Scenario // nil when the block is invalid
	widget
}

// ExerciseBlock is an ```exercise block.
type ExerciseBlock struct {
	gast.BaseBlock
	Exercise *Exercise // nil when the block is invalid
	widget
}

// TranscriptBlock is a ```transcript block.
type TranscriptBlock struct {
	gast.BaseBlock
	Transcript *Transcript // nil when the block is invalid
	widget
}

// widget is what every block node keeps for rendering: the block as
// written (shown when it is invalid), its problems and the lesson language.
type widget struct {
	raw      []byte
	problems []string
	lang     string
}

func (n *ScenarioBlock) Kind() gast.NodeKind   { return KindScenario }
func (n *ExerciseBlock) Kind() gast.NodeKind   { return KindExercise }
func (n *TranscriptBlock) Kind() gast.NodeKind { return KindTranscript }

func (n *ScenarioBlock) Dump(src []byte, level int)   { gast.DumpHelper(n, src, level, nil, nil) }
func (n *ExerciseBlock) Dump(src []byte, level int)   { gast.DumpHelper(n, src, level, nil, nil) }
func (n *TranscriptBlock) Dump(src []byte, level int) { gast.DumpHelper(n, src, level, nil, nil) }

// Extender adds front matter, the lesson widgets and the raw HTML policy to
// a goldmark Markdown. Parse renders lessons with it and goldmark's GFM
// extension (tables, strikethrough, autolinks, task lists).
type Extender struct{}

// Extend implements goldmark.Extender.
func (Extender) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(
		parser.WithBlockParsers(util.Prioritized(frontMatterParser{}, 0)),
		parser.WithASTTransformers(util.Prioritized(transformer{}, 100)),
	)
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(nodeRenderer{}, 100)))
}

// markdown is the converter for lessons: CommonMark, GFM (tables,
// strikethrough, autolinks, task lists), heading ids, our widgets, and for
// Chinese: a line break between two Chinese characters is no space (see
// joinChineseLines), and "\ " (backslash, space) is no character at all,
// so that bold can close right after Chinese punctuation:
// **邮件传输代理（MTA）**\ 的.
func markdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.NewCJK(extension.WithEscapedSpace()), Extender{}),
		goldmark.WithParserOptions(parser.WithAutoHeadingID(), parser.WithASTTransformers(util.Prioritized(joinChineseLines{}, 200))),
	)
}

// joinChineseLines drops the line break between two lines of a paragraph
// when both sides are Chinese (characters or full-width punctuation): an
// author wraps a Chinese paragraph over several lines, and a browser would
// show each break as a space, "责任， 再把它". A break next to a Latin word
// stays a space, as the lessons write "服务器 mail.example.com" within a
// line too. (goldmark's own East Asian line breaks either keep the space
// after "，" or drop the one before a Latin word.)
type joinChineseLines struct{}

// Transform implements parser.ASTTransformer.
func (joinChineseLines) Transform(doc *gast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	_ = gast.Walk(doc, func(n gast.Node, entering bool) (gast.WalkStatus, error) {
		t, ok := n.(*gast.Text)
		if !entering || !ok || !t.SoftLineBreak() {
			return gast.WalkContinue, nil
		}
		before, _ := utf8.DecodeLastRune(t.Value(src))
		if next := firstText(t.NextSibling()); next != nil && isChinese(before) {
			if after, _ := utf8.DecodeRune(next.Value(src)); isChinese(after) {
				t.SetSoftLineBreak(false)
			}
		}
		return gast.WalkContinue, nil
	})
}

// firstText is the first text node in n or under it (the next line may
// start with bold or a link).
func firstText(n gast.Node) *gast.Text {
	for ; n != nil; n = n.FirstChild() {
		if t, ok := n.(*gast.Text); ok {
			return t
		}
	}
	return nil
}

// isChinese: a Han character or the punctuation Chinese text uses (CJK
// symbols, full-width forms, curly quotes, the dash and the ellipsis).
func isChinese(r rune) bool {
	switch {
	case unicode.Is(unicode.Han, r), r >= 0x3000 && r <= 0x303f, r >= 0xff00 && r <= 0xffef:
		return true
	}
	switch r {
	case '‘', '’', '“', '”', '—', '…':
		return true
	}
	return false
}

// inline renders a piece of markdown inside a widget (an exercise's task,
// a hint): GFM and the raw HTML policy, no widgets.
func inline(src string) string {
	md := goldmark.New(goldmark.WithExtensions(extension.GFM, extension.NewCJK(extension.WithEscapedSpace())),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(joinChineseLines{}, 200))),
		goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(nodeRenderer{}, 100))))
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		return "<p>" + escape(src) + "</p>\n"
	}
	return buf.String()
}

type transformer struct{}

// Transform implements parser.ASTTransformer.
func (transformer) Transform(doc *gast.Document, reader text.Reader, pc parser.Context) {
	c, _ := pc.Get(collectorKey).(*collector)
	if c == nil {
		c = newCollector("lesson.md", reader.Source())
		pc.Set(collectorKey, c)
	}
	if c.done {
		return
	}
	c.done = true
	c.readFrontMatter(pc)
	lang := c.lesson.Lang
	if lang != "zh" {
		lang = "en"
	}

	var scenarios, exercises, transcripts []*gast.FencedCodeBlock
	_ = gast.Walk(doc, func(n gast.Node, entering bool) (gast.WalkStatus, error) {
		if !entering {
			return gast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *gast.FencedCodeBlock:
			switch string(n.Language(c.src)) {
			case "scenario":
				scenarios = append(scenarios, n)
			case "exercise":
				exercises = append(exercises, n)
			case "transcript":
				transcripts = append(transcripts, n)
			}
		case *gast.Link:
			c.addLink(n, string(n.Destination))
		case *gast.Image:
			c.addLink(n, string(n.Destination))
		case *gast.Text:
			c.checkEmphasis(n)
		}
		return gast.WalkContinue, nil
	})

	// Scenarios first: exercises refer to them by id.
	for i, fb := range scenarios {
		b, before := c.block(fb), len(c.problems)
		s := c.scenario(b, i+1)
		replace(fb, &ScenarioBlock{Scenario: s, widget: b.widget(lang, s == nil, before)})
	}
	for _, fb := range exercises {
		b, before := c.block(fb), len(c.problems)
		e := c.exercise(b)
		replace(fb, &ExerciseBlock{Exercise: e, widget: b.widget(lang, e == nil, before)})
	}
	for _, fb := range transcripts {
		b, before := c.block(fb), len(c.problems)
		t := c.transcript(b)
		replace(fb, &TranscriptBlock{Transcript: t, widget: b.widget(lang, t == nil, before)})
	}
}

// checkEmphasis reports "**" left as text: CommonMark closes bold only
// where the closing ** is right-flanking, so "**代理（MTA）**的" (the **
// after punctuation, a letter after it) shows its asterisks to students.
// Chinese text runs into this often; English rarely.
func (c *collector) checkEmphasis(t *gast.Text) {
	seg := t.Segment.Value(c.src)
	i := bytes.Index(seg, []byte("**"))
	if i < 0 {
		return
	}
	block := gast.Node(t)
	for block.Parent() != nil && block.Type() != gast.TypeBlock {
		block = block.Parent()
	}
	if c.openBold[block] {
		return
	}
	if c.openBold == nil {
		c.openBold = map[gast.Node]bool{}
	}
	c.openBold[block] = true
	line, col := c.lineCol(t.Segment.Start + i)
	c.problem(line, col, `"**" is shown as it is: bold that ends right after punctuation such as "）" must be followed by a space or punctuation (CommonMark); write a backslash and a space after the closing ** ("**…）**\ 的"), or move the punctuation out of the bold`)
}

// block is the content of a fenced block and where it is.
func (c *collector) block(fb *gast.FencedCodeBlock) block {
	line := 1
	if fb.Info != nil {
		line, _ = c.lineCol(fb.Info.Segment.Start)
	} else if fb.Lines().Len() > 0 {
		line, _ = c.lineCol(fb.Lines().At(0).Start)
		line--
	}
	b := block{c: c, fence: line}
	for i := 0; i < fb.Lines().Len(); i++ {
		b.lines = append(b.lines, fb.Lines().At(i))
	}
	return b
}

// widget notes the block's text, and its problems (those recorded since
// the index before) when it is invalid: they are shown in its place.
func (b block) widget(lang string, invalid bool, before int) widget {
	w := widget{raw: b.text(), lang: lang}
	if invalid {
		for _, p := range b.c.problems[before:] {
			w.problems = append(w.problems, p.String())
		}
		if len(w.problems) == 0 {
			w.problems = []string{"invalid block"}
		}
	}
	return w
}

func replace(old gast.Node, n gast.Node) {
	n.SetBlankPreviousLines(old.HasBlankPreviousLines())
	old.Parent().ReplaceChild(old.Parent(), old, n)
}

// addLink records a link's destination with the position of its text.
func (c *collector) addLink(n gast.Node, dest string) {
	off := -1
	for ch := n.FirstChild(); ch != nil && off < 0; ch = ch.FirstChild() {
		if t, ok := ch.(*gast.Text); ok {
			off = t.Segment.Start
		}
	}
	if off < 0 {
		for p := n.Parent(); p != nil; p = p.Parent() {
			if p.Type() == gast.TypeBlock && p.Lines().Len() > 0 {
				off = p.Lines().At(0).Start
				break
			}
		}
	}
	if off < 0 {
		off = 0
	}
	// Point at the destination itself when it follows on the same line.
	if i := bytes.Index(c.src[off:], []byte("]("+dest)); i >= 0 && !bytes.Contains(c.src[off:off+i], []byte("\n")) {
		off += i + 2
	} else if i := bytes.Index(c.src[off:], []byte("](<"+dest)); i >= 0 && !bytes.Contains(c.src[off:off+i], []byte("\n")) {
		off += i + 3
	}
	line, col := c.lineCol(off)
	c.lesson.links = append(c.lesson.links, link{dest: dest, line: line, col: col})
}

type nodeRenderer struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (r nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindScenario, r.renderScenario)
	reg.Register(KindExercise, r.renderExercise)
	reg.Register(KindTranscript, r.renderTranscript)
	reg.Register(gast.KindRawHTML, r.renderRawHTML)
	reg.Register(gast.KindHTMLBlock, r.renderHTMLBlock)
}

var escape = func(s string) string { return string(util.EscapeHTML([]byte(s))) }

func attr(w util.BufWriter, name, value string) {
	_, _ = w.WriteString(" " + name + `="` + escape(value) + `"`)
}

// renderInvalid shows a broken block as written, with its problems.
func renderInvalid(w util.BufWriter, class string, n widget) {
	_, _ = w.WriteString(`<div class="ml-invalid" data-kind="` + class + `">` + "\n")
	for _, p := range n.problems {
		_, _ = w.WriteString(`<p class="ml-problem">` + escape(p) + "</p>\n")
	}
	_, _ = w.WriteString("<pre><code>" + escape(string(n.raw)) + "</code></pre>\n</div>\n")
}

func (r nodeRenderer) renderScenario(w util.BufWriter, src []byte, node gast.Node, entering bool) (gast.WalkStatus, error) {
	if !entering {
		return gast.WalkContinue, nil
	}
	n := node.(*ScenarioBlock)
	if n.Scenario == nil {
		renderInvalid(w, "scenario", n.widget)
		return gast.WalkSkipChildren, nil
	}
	s := n.Scenario
	_, _ = w.WriteString(`<div class="ml-scenario"`)
	attr(w, "data-id", s.ID)
	attr(w, "data-spec", s.Source)
	_, _ = w.WriteString(">\n")
	if s.Title != "" {
		_, _ = w.WriteString(`<p class="ml-title">` + escape(s.Title) + "</p>\n")
	}
	_, _ = w.WriteString(`<pre class="ml-static"><code>` + escape(s.Transcript) + "</code></pre>\n</div>\n")
	return gast.WalkSkipChildren, nil
}

var labels = map[string]map[string]string{
	"en": {"exercise": "Exercise", "goal": "Goal", "hint": "Hint", "colon": ": "},
	"zh": {"exercise": "练习", "goal": "目标", "hint": "提示", "colon": "："},
}

func (r nodeRenderer) renderExercise(w util.BufWriter, src []byte, node gast.Node, entering bool) (gast.WalkStatus, error) {
	if !entering {
		return gast.WalkContinue, nil
	}
	n := node.(*ExerciseBlock)
	if n.Exercise == nil {
		renderInvalid(w, "exercise", n.widget)
		return gast.WalkSkipChildren, nil
	}
	e := n.Exercise
	lb := labels[n.lang]
	goal, _ := json.Marshal(e.Goal)
	_, _ = w.WriteString(`<div class="ml-exercise"`)
	attr(w, "data-id", e.ID)
	attr(w, "data-start", e.Start)
	if e.Scenario != "" {
		attr(w, "data-scenario", e.Scenario)
	}
	if e.Start == "terminal" {
		attr(w, "data-protocol", e.Protocol)
		if e.Server != "" {
			attr(w, "data-server", e.Server)
		}
	}
	attr(w, "data-goal", string(goal))
	_, _ = w.WriteString(">\n")
	title := lb["exercise"]
	if e.Title != "" {
		title += lb["colon"] + e.Title
	}
	_, _ = w.WriteString(`<p class="ml-title">` + escape(title) + "</p>\n")
	_, _ = w.WriteString(`<div class="ml-task">` + "\n" + e.taskHTML + "</div>\n")
	_, _ = w.WriteString(`<p class="ml-goal-title">` + lb["goal"] + "</p>\n" + `<ul class="ml-goal">` + "\n")
	for _, item := range e.Goal.items() {
		_, _ = w.WriteString(`<li data-check="` + item.check + `">` + escape(item.describe(n.lang)) + "</li>\n")
	}
	_, _ = w.WriteString("</ul>\n")
	for i, h := range e.hintsHTML {
		_, _ = w.WriteString(`<details class="ml-hint"><summary>` + lb["hint"] + " " + strconv.Itoa(i+1) + "</summary>\n" + h + "</details>\n")
	}
	_, _ = w.WriteString("</div>\n")
	return gast.WalkSkipChildren, nil
}

func (r nodeRenderer) renderTranscript(w util.BufWriter, src []byte, node gast.Node, entering bool) (gast.WalkStatus, error) {
	if !entering {
		return gast.WalkContinue, nil
	}
	n := node.(*TranscriptBlock)
	if n.Transcript == nil {
		renderInvalid(w, "transcript", n.widget)
		return gast.WalkSkipChildren, nil
	}
	t := n.Transcript
	_, _ = w.WriteString(`<div class="ml-transcript"`)
	attr(w, "data-protocol", t.Protocol)
	if t.Illustrative {
		attr(w, "data-illustrative", "true")
	}
	_, _ = w.WriteString(">\n<pre><code>")
	var b strings.Builder
	for _, l := range t.Lines {
		if l.Client {
			b.WriteString("C: ")
		} else {
			b.WriteString("S: ")
		}
		b.WriteString(l.Text + "\n")
	}
	_, _ = w.WriteString(escape(b.String()) + "</code></pre>\n</div>\n")
	return gast.WalkSkipChildren, nil
}

// Raw HTML is shown as the text it is: lessons are read by students in the
// lab's own page, so no lesson may run script or restyle it.
func (r nodeRenderer) renderRawHTML(w util.BufWriter, src []byte, node gast.Node, entering bool) (gast.WalkStatus, error) {
	if !entering {
		return gast.WalkSkipChildren, nil
	}
	n := node.(*gast.RawHTML)
	for i := 0; i < n.Segments.Len(); i++ {
		seg := n.Segments.At(i)
		_, _ = w.Write(util.EscapeHTML(seg.Value(src)))
	}
	return gast.WalkSkipChildren, nil
}

func (r nodeRenderer) renderHTMLBlock(w util.BufWriter, src []byte, node gast.Node, entering bool) (gast.WalkStatus, error) {
	if !entering {
		return gast.WalkContinue, nil
	}
	n := node.(*gast.HTMLBlock)
	var b []byte
	for i := 0; i < n.Lines().Len(); i++ {
		seg := n.Lines().At(i)
		b = append(b, seg.Value(src)...)
	}
	if n.HasClosure() {
		closure := n.ClosureLine
		b = append(b, closure.Value(src)...)
	}
	_, _ = w.WriteString("<p>")
	_, _ = w.Write(util.EscapeHTML(bytes.TrimRight(b, "\n")))
	_, _ = w.WriteString("</p>\n")
	return gast.WalkContinue, nil
}

var _ parser.ASTTransformer = transformer{}
var _ renderer.NodeRenderer = nodeRenderer{}
