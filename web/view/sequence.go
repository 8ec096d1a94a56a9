package view

import (
	"slices"
	"strings"
	"time"

	"maillab/sim/trace"
)

// Layout of the sequence diagram, in SVG user units (CSS pixels at 100 %).
const (
	seqMargin  = 12  // around the whole drawing
	seqGutter  = 76  // left column: virtual time stamps and fault marks
	seqHeadY   = 8   // top of the actor boxes
	seqHeadH   = 44  // height of an actor box
	seqRowH    = 30  // a command, reply or event row
	seqLineH   = 17  // a compact row: message text, continuation lines, state changes
	seqWaitH   = 46  // a gap in virtual time
	seqMinGap  = 180 // between two lifelines
	seqMaxGap  = 560 // longer lines are shortened with "…" (the transcript has them whole)
	seqFont    = 12  // protocol lines (monospace)
	seqSmall   = 11  // compact rows and labels
	seqPillF   = 10  // state pills
	seqBoxPadX = 10
)

// seqRow is one horizontal band of the diagram. Most steps get their own;
// state changes of different actors that follow each other share one.
type seqRow struct {
	y, h    int
	compact bool
	actors  []string // for state rows: the actors that already have a pill here
}

// seqLayout places every step of the trace, visible or not, so that moving
// the cursor never moves what is already drawn and the width never jumps.
type seqLayout struct {
	x     []int // lifeline x per actor
	boxW  []int // actor box width
	width int
	top   int // y of the first row
	rows  []seqRow
	row   []int // step index → row index
	actor map[string]int
	stamp []bool // step index → draw its virtual time in the gutter
}

// SequenceDiagram draws the trace as an SVG sequence diagram, up to and
// including step cursor (-1: nothing yet; past the end: everything).
//
// Later steps are not drawn at all, rather than dimmed: a student stepping
// through a session should predict the server's answer before seeing it,
// and a dimmed "550" would give it away. A footer says how many steps are
// left. Positions do not depend on the cursor, so stepping only adds rows.
func SequenceDiagram(t *trace.Trace, cursor int, lang string) string {
	return NewSequence(t, lang).Draw(cursor)
}

// Sequence is a trace laid out once for SequenceDiagram, to be drawn at
// any cursor: the page keeps one per trace, so a step of the cursor only
// joins rows already drawn (a step of a long trace must repaint within a
// frame). The trace must not change while the Sequence is in use.
type Sequence struct {
	t    *trace.Trace // the trace as drawn (notes in the page's language)
	src  *trace.Trace // the trace as given, which Trace returns
	lang string
	L    seqLayout
	rows [][2]string // step → its <g>, drawn as a past step [0] and as the current one [1]
}

// NewSequence lays a trace out.
func NewSequence(t *trace.Trace, lang string) *Sequence {
	if t == nil {
		t = &trace.Trace{}
	}
	src := t
	t = Localize(t, lang)
	return &Sequence{t: t, src: src, lang: lang, L: layoutSequence(t, lang), rows: make([][2]string, len(t.Steps))}
}

// NewSequenceFrom lays a trace out like NewSequence, reusing what prev
// (the same scenario before a fault was added, say) has drawn: the steps
// before the first one that differs, where the layout has not moved.
func NewSequenceFrom(prev *Sequence, t *trace.Trace, lang string) *Sequence {
	q := NewSequence(t, lang)
	if prev == nil || prev.lang != lang || prev.L.width != q.L.width || !slices.Equal(prev.L.x, q.L.x) || prev.L.top != q.L.top {
		return q
	}
	n := samePrefix(prev.t.Steps, q.t.Steps)
	for i := 0; i < n-1; i++ { // a step's row may read the one after it (a wait's duration)
		a, b := prev.L.rows[prev.L.row[i]], q.L.rows[q.L.row[i]]
		if a.y != b.y || a.h != b.h || a.compact != b.compact || prev.L.stamp[i] != q.L.stamp[i] {
			break
		}
		q.rows[i] = prev.rows[i]
	}
	return q
}

// samePrefix is how many steps two traces have in common from the start.
func samePrefix(a, b []trace.Step) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// Trace returns the trace the Sequence draws.
func (q *Sequence) Trace() *trace.Trace { return q.src }

// Lang returns the language it draws in.
func (q *Sequence) Lang() string { return q.lang }

// Draw draws the diagram up to and including step cursor.
func (q *Sequence) Draw(cursor int) string {
	lines := q.Lines(cursor)
	n := len(lines)
	for _, l := range lines {
		n += len(l)
	}
	var b strings.Builder
	b.Grow(n)
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// Lines is Draw cut into its lines, without their line breaks: the opening
// <svg> tag, one child element per line, the closing tag. The page updates
// the diagram line by line, and the lines of past steps are the ones drawn
// before (no copy).
func (q *Sequence) Lines(cursor int) []string {
	t, lang, L := q.t, q.lang, &q.L
	cur := clampCursor(t, cursor)

	bottom := L.top + seqRowH // room for the "press step" hint
	if cur >= 0 {
		r := L.rows[L.row[cur]]
		bottom = r.y + r.h
	}
	height := bottom + seqMargin
	if cur < len(t.Steps)-1 && cur >= 0 {
		height += 18 // the "n more steps" footer
	}

	lines := make([]string, 0, cur+len(t.Actors)+16)
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" class="seq" role="img"`)
	attr(&b, "viewBox", "0 0 "+itoa(L.width)+" "+itoa(height))
	attr(&b, "width", itoa(L.width))
	attr(&b, "height", itoa(height))
	label := T(lang, "seq.title")
	if t.Title != "" {
		label += ": " + t.Title
	}
	label += " (" + Tf(lang, "seq.desc", "n", itoa(cur+1), "total", itoa(len(t.Steps))) + ")"
	attr(&b, "aria-label", label)
	b.WriteString(">\n")

	// Bands behind everything: encrypted stretches, then the cursor.
	for i := 0; i <= cur; i++ {
		if s := t.Steps[i]; s.Kind == trace.TLS {
			seqTLSBand(&b, t, L, i, cur, lang)
		}
	}
	if cur >= 0 {
		r := L.rows[L.row[cur]]
		b.WriteString(`<rect class="cursor-band"`)
		attr(&b, "x", "0")
		attr(&b, "y", itoa(r.y))
		attr(&b, "width", itoa(L.width))
		attr(&b, "height", itoa(r.h))
		b.WriteString("/>\n")
	}

	seqActors(&b, t, L, bottom, lang)
	seqActivations(&b, t, L, cur, bottom)

	if cur < 0 {
		b.WriteString(`<text class="hint"`)
		attr(&b, "x", itoa(L.width/2))
		attr(&b, "y", itoa(L.top+seqRowH/2+4))
		b.WriteString(` text-anchor="middle">`)
		b.WriteString(esc(T(lang, "seq.empty")))
		b.WriteString("</text>\n")
	}
	lines = append(lines, strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")...)
	for i := 0; i <= cur; i++ {
		k := 0
		if i == cur {
			k = 1
		}
		if q.rows[i][k] == "" {
			// One allocation per row, not a doubling series.
			var sb strings.Builder
			sb.Grow(rowBytes)
			at := i + 1 // a past step: the cursor is further on
			if k == 1 {
				at = i
			}
			seqStep(&sb, t, L, i, at, lang)
			q.rows[i][k] = strings.TrimSuffix(sb.String(), "\n")
		}
		lines = append(lines, q.rows[i][k])
	}
	if cur >= 0 && cur < len(t.Steps)-1 {
		b.Reset()
		b.WriteString(`<text class="more"`)
		attr(&b, "x", itoa(L.width/2))
		attr(&b, "y", itoa(bottom+14))
		b.WriteString(` text-anchor="middle">`)
		b.WriteString(esc(Tf(lang, "seq.more", "n", itoa(len(t.Steps)-1-cur))))
		b.WriteString("</text>")
		lines = append(lines, b.String())
	}
	return append(lines, "</svg>")
}

// compactStep reports whether step i is drawn as a thin line: the lines of
// a message (DATA, RETR) and every line of a multi-line reply, so that a
// 20-line EHLO answer or message reads as one block rather than filling
// the screen.
func compactStep(steps []trace.Step, i int) bool {
	s := steps[i]
	switch s.Kind {
	case trace.Data:
		return true
	case trace.Reply:
		if s.More {
			return true
		}
		if i > 0 {
			p := steps[i-1]
			return p.Kind == trace.Reply && p.More && p.Conn == s.Conn
		}
	}
	return false
}

func layoutSequence(t *trace.Trace, lang string) seqLayout {
	L := seqLayout{actor: make(map[string]int, len(t.Actors))}
	for i, a := range t.Actors {
		L.actor[a.Name] = i
	}
	n := len(t.Actors)

	// Actor boxes are as wide as their name or role line.
	L.boxW = make([]int, n)
	for i, a := range t.Actors {
		w := textWidth(a.Name, 13) + 2*seqBoxPadX
		if rw := textWidth(roleLabel(a.Role, lang), 10) + 2*seqBoxPadX; rw > w {
			w = rw
		}
		L.boxW[i] = min(w, seqMaxGap-20)
	}

	// State pills sit centred on a lifeline; the widest one on each actor
	// needs room on both sides.
	pillW := make([]int, n)
	for i, s := range t.Steps {
		if s.Kind != trace.State {
			continue
		}
		owner, change := stateOwner(t, i)
		if ix, ok := L.actor[owner]; ok {
			pillW[ix] = max(pillW[ix], textWidth(change, seqPillF)+12)
		}
	}
	half := func(i int) int { return max(L.boxW[i]/2, pillW[i]/2+4, 40) }

	// Each gap between neighbouring lifelines is as wide as the longest
	// line drawn between them, within bounds.
	gaps := make([]int, max(n-1, 0))
	for i := range gaps {
		gaps[i] = max(seqMinGap, half(i)+half(i+1)+16)
	}
	for _, s := range t.Steps {
		switch s.Kind {
		case trace.Command, trace.Reply, trace.Data, trace.Connect, trace.Close:
		default:
			continue
		}
		a, okA := L.actor[s.From]
		c, okC := L.actor[s.To]
		if !okA || !okC || a == c {
			continue
		}
		lo, hi := min(a, c), max(a, c)
		if hi-lo != 1 {
			continue
		}
		size := seqFont
		if s.Kind == trace.Data {
			size = seqSmall
		}
		need := textWidth(seqLabel(s, lang), size) + 28
		gaps[lo] = min(max(gaps[lo], need), seqMaxGap)
	}

	L.x = make([]int, n)
	x := seqGutter
	if n > 0 {
		x += half(0)
	}
	for i := range n {
		L.x[i] = x
		if i < len(gaps) {
			x += gaps[i]
		}
	}
	L.width = x + seqMargin
	if n > 0 {
		L.width = x + half(n-1) + seqMargin
	}
	if L.width < 320 {
		L.width = 320
	}

	// Virtual time stamps: at each connection and after each wait, unless
	// the time is the one already written just above.
	L.stamp = make([]bool, len(t.Steps))
	last := ""
	for i, s := range t.Steps {
		if s.Kind == trace.Wait {
			last = ""
			continue
		}
		if s.Kind == trace.Connect || (i > 0 && t.Steps[i-1].Kind == trace.Wait) {
			if st := trace.Stamp(s.At); st != last {
				L.stamp[i], last = true, st
			}
		}
	}

	// Rows.
	L.top = seqHeadY + seqHeadH + 10
	y := L.top
	L.row = make([]int, len(t.Steps))
	for i, s := range t.Steps {
		owner := ""
		if s.Kind == trace.State {
			owner, _ = stateOwner(t, i)
		}
		if s.Kind == trace.State && len(L.rows) > 0 && i > 0 && t.Steps[i-1].Kind == trace.State {
			r := &L.rows[len(L.rows)-1]
			if !contains(r.actors, owner) {
				r.actors = append(r.actors, owner)
				L.row[i] = len(L.rows) - 1
				continue
			}
		}
		var r seqRow
		switch {
		case s.Kind == trace.State:
			r = seqRow{h: seqLineH, compact: true, actors: []string{owner}}
		case compactStep(t.Steps, i):
			if len(L.rows) > 0 && !L.rows[len(L.rows)-1].compact {
				y += 4 // a little air above a block of lines
			}
			r = seqRow{h: seqLineH, compact: true}
		case s.Kind == trace.Wait:
			r = seqRow{h: seqWaitH}
		case s.Kind == trace.Note:
			lines := len(wrapText(s.Text, seqSmall, L.noteWidth()-16))
			r = seqRow{h: seqRowH + (lines-1)*14}
		default:
			r = seqRow{h: seqRowH}
		}
		if !r.compact && len(L.rows) > 0 && L.rows[len(L.rows)-1].compact && s.Kind != trace.State {
			y += 4 // and below it
		}
		r.y = y
		y += r.h
		L.row[i] = len(L.rows)
		L.rows = append(L.rows, r)
	}
	return L
}

// noteWidth is the width of a note box that spans all lifelines.
func (L *seqLayout) noteWidth() int {
	if len(L.x) == 0 {
		return L.width - seqGutter - seqMargin
	}
	return min(L.x[len(L.x)-1]-L.x[0]+60, L.width-seqGutter-seqMargin)
}

// wrapText breaks s into lines at most maxPx wide: at spaces, or between
// any two wide (CJK) characters, which Chinese allows.
func wrapText(s string, size, maxPx int) []string {
	var lines []string
	var line strings.Builder
	lineW := 0
	word := ""
	flush := func() {
		lines = append(lines, strings.TrimRight(line.String(), " "))
		line.Reset()
		lineW = 0
	}
	addWord := func(w string) {
		ww := textWidth(w, size)
		if lineW > 0 && lineW+ww > maxPx {
			flush()
			w = strings.TrimLeft(w, " ")
			ww = textWidth(w, size)
		}
		line.WriteString(w)
		lineW += ww
	}
	for _, r := range s {
		switch {
		case r == ' ':
			addWord(word)
			word = " "
		case wide(r):
			addWord(word + string(r))
			word = ""
		default:
			word += string(r)
		}
	}
	addWord(word)
	if line.Len() > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// roleLabel names an actor's role in the page's language; an unknown role
// is shown as given.
func roleLabel(role, lang string) string {
	key := "role." + strings.ToLower(role)
	if _, ok := messages[key]; ok {
		return T(lang, key)
	}
	return role
}

// seqLabel is the text drawn on a step's arrow or row.
func seqLabel(s trace.Step, lang string) string {
	switch s.Kind {
	case trace.Connect:
		l := Tf(lang, "seq.connect", "n", itoa(s.Conn))
		if s.Text != "" {
			l += " · " + s.Text
		}
		return l
	case trace.Close:
		l := Tf(lang, "seq.close", "n", itoa(s.Conn))
		// The engine may already say "connection 2 closed"; say it once.
		if s.Text != "" && !strings.HasPrefix(strings.ToLower(s.Text), "connection "+itoa(s.Conn)+" closed") {
			l += " · " + s.Text
		}
		return l
	case trace.Data:
		if s.Text == "" {
			return T(lang, "seq.blank")
		}
	}
	return s.Text
}

// seqActors draws the actor boxes and their lifelines.
func seqActors(b *strings.Builder, t *trace.Trace, L *seqLayout, bottom int, lang string) {
	for i, a := range t.Actors {
		x, w := L.x[i], L.boxW[i]
		b.WriteString(`<g class="actor"`)
		attr(b, "data-actor", a.Name)
		attr(b, "data-role", a.Role)
		b.WriteString(">")
		if a.Desc != "" {
			b.WriteString("<title>" + esc(a.Name+": "+a.Desc) + "</title>")
		}
		b.WriteString(`<line class="lifeline"`)
		attr(b, "x1", itoa(x))
		attr(b, "y1", itoa(seqHeadY+seqHeadH))
		attr(b, "x2", itoa(x))
		attr(b, "y2", itoa(bottom))
		b.WriteString(`/><rect class="actor-box" rx="6"`)
		attr(b, "x", itoa(x-w/2))
		attr(b, "y", itoa(seqHeadY))
		attr(b, "width", itoa(w))
		attr(b, "height", itoa(seqHeadH))
		b.WriteString(`/><text class="actor-name" text-anchor="middle"`)
		attr(b, "x", itoa(x))
		attr(b, "y", itoa(seqHeadY+19))
		b.WriteString(">" + esc(fit(a.Name, 13, w-8)) + `</text><text class="actor-role" text-anchor="middle"`)
		attr(b, "x", itoa(x))
		attr(b, "y", itoa(seqHeadY+35))
		b.WriteString(">" + esc(fit(roleLabel(a.Role, lang), 10, w-8)) + "</text></g>\n")
	}
}

// seqActivations draws, on both lifelines, a bar for each connection while
// it is open: where a session starts and ends is the first thing to see.
func seqActivations(b *strings.Builder, t *trace.Trace, L *seqLayout, cur, bottom int) {
	type span struct {
		conn           int
		client, server string
		y1, y2         int
		open           bool
	}
	var spans []span
	for i := 0; i <= cur; i++ {
		s := t.Steps[i]
		if s.Conn == 0 {
			continue
		}
		r := L.rows[L.row[i]]
		k := -1
		for j := range spans {
			if spans[j].conn == s.Conn {
				k = j
			}
		}
		if k < 0 {
			if s.Kind != trace.Connect && !isLine(s.Kind) {
				continue
			}
			client, server := s.From, s.To
			if s.ByServer {
				client, server = s.To, s.From
			}
			spans = append(spans, span{conn: s.Conn, client: client, server: server, y1: r.y + r.h/2, open: true})
			k = len(spans) - 1
		}
		if s.Kind == trace.Close {
			spans[k].open = false
			spans[k].y2 = r.y + r.h/2
		}
	}
	for _, sp := range spans {
		y2 := sp.y2
		if sp.open {
			y2 = bottom
		}
		for _, name := range []string{sp.client, sp.server} {
			ix, ok := L.actor[name]
			if !ok {
				continue
			}
			b.WriteString(`<rect class="activation"`)
			attr(b, "data-conn", itoa(sp.conn))
			attr(b, "x", itoa(L.x[ix]-4))
			attr(b, "y", itoa(sp.y1))
			attr(b, "width", "8")
			attr(b, "height", itoa(max(y2-sp.y1, 2)))
			b.WriteString("/>\n")
		}
	}
}

// seqTLSBand shades the stretch of a connection that is encrypted, from the
// TLS step to the end of the connection (or of what is drawn so far).
func seqTLSBand(b *strings.Builder, t *trace.Trace, L *seqLayout, i, cur int, lang string) {
	s := t.Steps[i]
	a, okA := L.actor[s.From]
	c, okC := L.actor[s.To]
	if !okA || !okC {
		return
	}
	r := L.rows[L.row[i]]
	y1 := r.y + r.h/2
	end := L.rows[L.row[cur]]
	y2 := end.y + end.h
	for j := i + 1; j <= cur; j++ {
		if t.Steps[j].Conn == s.Conn && t.Steps[j].Kind == trace.Close {
			rr := L.rows[L.row[j]]
			y2 = rr.y + rr.h/2
			break
		}
	}
	x1, x2 := min(L.x[a], L.x[c]), max(L.x[a], L.x[c])
	b.WriteString(`<rect class="tls-band"`)
	attr(b, "data-conn", itoa(s.Conn))
	attr(b, "x", itoa(x1))
	attr(b, "y", itoa(y1))
	attr(b, "width", itoa(x2-x1))
	attr(b, "height", itoa(max(y2-y1, 1)))
	b.WriteString("><title>" + esc(T(lang, "seq.encrypted")) + "</title></rect>\n")
}

// seqStep draws one step.
func seqStep(b *strings.Builder, t *trace.Trace, L *seqLayout, i, cur int, lang string) {
	s := t.Steps[i]
	r := L.rows[L.row[i]]
	cls := "step k-" + string(s.Kind)
	if rc := replyClass(s); rc != "" && s.Kind == trace.Reply {
		cls += " " + rc
	}
	if s.Kind == trace.Data && s.ByServer {
		cls += " by-server"
	}
	if s.Fault != "" {
		cls += " fault"
	}
	if s.Encrypted {
		cls += " enc"
	}
	if faultWhen(s) != "" {
		cls += " can-fault"
	}
	if r.compact {
		cls += " compact"
	}
	if i == cur {
		cls += " current"
	}
	b.WriteString(`<g`)
	attr(b, "class", cls)
	stepAttrs(b, i, s)
	if i == cur {
		b.WriteString(` aria-current="step"`)
	}
	b.WriteString("><title>")
	title := s.TranscriptLine()
	if s.Kind == trace.Connect {
		title = "[" + strings.Trim(trace.Stamp(s.At), "[]") + "] " + s.From + " → " + s.To + " · " + seqLabel(s, lang)
	}
	if s.Fault != "" {
		title += "\n" + T(lang, "seq.fault") + ": " + s.Fault
	}
	// One element per line (the page updates the diagram line by line):
	// a line break in a tooltip is written as a character reference.
	b.WriteString(strings.ReplaceAll(esc(title), "\n", "&#10;"))
	b.WriteString("</title>")

	switch s.Kind {
	case trace.State:
		actor, change := stateOwner(t, i)
		seqStatePill(b, L, r, actor, change)
	case trace.Wait:
		seqWait(b, t, L, r, i, lang)
	case trace.Note, trace.Store:
		seqNote(b, L, r, s)
	case trace.TLS:
		seqTLS(b, L, r, s, lang)
	default:
		seqArrow(b, L, r, s, lang)
	}
	if s.Fault != "" {
		seqFaultMark(b, r)
	}
	if L.stamp[i] {
		b.WriteString(`<text class="time"`)
		attr(b, "x", itoa(seqMargin))
		attr(b, "y", itoa(r.y+r.h/2+4))
		b.WriteString(">" + esc(strings.Trim(trace.Stamp(s.At), "[]")) + "</text>")
	}
	b.WriteString("</g>\n")
}

// seqArrow draws a line on the wire (or a connect/close) as an arrow from
// the sender's lifeline to the receiver's, with the line's text above it.
func seqArrow(b *strings.Builder, L *seqLayout, r seqRow, s trace.Step, lang string) {
	a, okA := L.actor[s.From]
	c, okC := L.actor[s.To]
	if !okA || !okC || a == c {
		seqNote(b, L, r, s)
		return
	}
	x1, x2 := L.x[a], L.x[c]
	dir := 1
	if x2 < x1 {
		dir = -1
	}
	x1 += 5 * dir // start and end outside the activation bars
	x2 -= 5 * dir
	head := 8
	size := seqFont
	labelY, lineY := r.y+15, r.y+21
	if r.compact {
		head, size = 6, seqSmall
		labelY, lineY = r.y+11, r.y+14
	}
	b.WriteString(`<line class="line"`)
	attr(b, "x1", itoa(x1))
	attr(b, "y1", itoa(lineY))
	attr(b, "x2", itoa(x2-dir*head))
	attr(b, "y2", itoa(lineY))
	b.WriteString("/>")
	if s.Kind == trace.Close {
		// a cross where the connection ends
		b.WriteString(`<path class="cross"`)
		attr(b, "d", "M"+itoa(x2-4)+" "+itoa(lineY-4)+"l8 8m0 -8l-8 8")
		b.WriteString("/>")
	} else {
		b.WriteString(`<path class="head"`)
		attr(b, "d", "M"+itoa(x2)+" "+itoa(lineY)+"l"+itoa(-dir*head)+" "+itoa(-head/2)+"v"+itoa(head)+"z")
		b.WriteString("/>")
	}

	lx := min(x1, x2) + 8
	maxW := abs(x2-x1) - 16
	label := seqLabel(s, lang)
	b.WriteString(`<text class="label"`)
	attr(b, "x", itoa(lx))
	attr(b, "y", itoa(labelY))
	b.WriteString(">")
	switch {
	case s.Kind == trace.Reply && codeOf(s) != "" && strings.HasPrefix(label, codeOf(s)):
		// The code is its own tspan so the page can make it look (and be) clickable.
		code := codeOf(s)
		b.WriteString(`<tspan class="code">` + esc(code) + "</tspan>")
		b.WriteString(esc(fit(label[len(code):], size, maxW-textWidth(code, size))))
	case s.Kind == trace.Data && s.Text == ".":
		b.WriteString(".<tspan class=\"gloss\"> ← " + esc(T(lang, "seq.eod")) + "</tspan>")
	case s.Kind == trace.Data && s.Text == "":
		b.WriteString(`<tspan class="gloss">` + esc(label) + "</tspan>")
	default:
		b.WriteString(esc(fit(label, size, maxW)))
	}
	b.WriteString("</text>")
}

// stateOwner says whose machine a state step is about and what changed. The
// engine writes "server: MAIL → RCPT" and may leave From empty; the actor is
// then the server or client of that step's connection.
func stateOwner(t *trace.Trace, i int) (actor, change string) {
	s := t.Steps[i]
	actor, change = s.From, s.Text
	side := ""
	for _, p := range []string{"server", "client"} {
		if strings.HasPrefix(change, p+": ") {
			side, change = p, change[len(p)+2:]
		}
	}
	if actor != "" || side == "" || s.Conn == 0 {
		return actor, change
	}
	for j := i - 1; j >= 0; j-- {
		c := t.Steps[j]
		if c.Conn == s.Conn && c.Kind == trace.Connect {
			if side == "server" {
				return c.To, change
			}
			return c.From, change
		}
	}
	return actor, change
}

// seqStatePill draws a state change as a small pill on the actor's lifeline.
func seqStatePill(b *strings.Builder, L *seqLayout, r seqRow, actor, text string) {
	x := seqGutter
	if ix, ok := L.actor[actor]; ok {
		x = L.x[ix]
	}
	w := textWidth(text, seqPillF) + 12
	b.WriteString(`<rect class="pill" rx="7"`)
	attr(b, "x", itoa(x-w/2))
	attr(b, "y", itoa(r.y+2))
	attr(b, "width", itoa(w))
	attr(b, "height", "14")
	b.WriteString(`/><text class="pill-text" text-anchor="middle"`)
	attr(b, "x", itoa(x))
	attr(b, "y", itoa(r.y+12))
	b.WriteString(">" + esc(text) + "</text>")
}

// seqWait draws a gap in virtual time: the lifelines are interrupted and
// the elapsed time is written across them ("+30 min").
func seqWait(b *strings.Builder, t *trace.Trace, L *seqLayout, r seqRow, i int, lang string) {
	s := t.Steps[i]
	d := waitDuration(t, i)
	b.WriteString(`<rect class="gap"`)
	attr(b, "x", itoa(seqGutter))
	attr(b, "y", itoa(r.y+6))
	attr(b, "width", itoa(L.width-seqGutter))
	attr(b, "height", itoa(r.h-12))
	b.WriteString("/>")
	for _, x := range L.x {
		for _, y := range []int{r.y + 6, r.y + r.h - 6} {
			b.WriteString(`<path class="break"`)
			attr(b, "d", "M"+itoa(x-7)+" "+itoa(y+3)+"l14 -6")
			b.WriteString("/>")
		}
	}
	mid := L.width / 2
	if len(L.x) > 1 {
		mid = (L.x[0] + L.x[len(L.x)-1]) / 2
	}
	b.WriteString(`<text class="wait-time" text-anchor="middle"`)
	attr(b, "x", itoa(mid))
	attr(b, "y", itoa(r.y+r.h/2-1))
	b.WriteString(">+" + esc(Duration(d, lang)) + "</text>")
	sub := T(lang, "seq.wait")
	if s.Text != "" {
		sub += " · " + s.Text
	}
	b.WriteString(`<text class="wait-text" text-anchor="middle"`)
	attr(b, "x", itoa(mid))
	attr(b, "y", itoa(r.y+r.h/2+12))
	b.WriteString(">" + esc(fit(sub, seqSmall, L.width-seqGutter-2*seqMargin)) + "</text>")
}

// waitDuration is the virtual time a wait step stands for: from the step
// before it to the step after it, whichever of the two the engine stamped
// the wait with.
func waitDuration(t *trace.Trace, i int) time.Duration {
	s := t.Steps[i]
	var prev time.Duration
	if i > 0 {
		prev = t.Steps[i-1].At
	}
	next := s.At
	if i+1 < len(t.Steps) {
		next = t.Steps[i+1].At
	}
	if d := next - prev; d > 0 {
		return d
	}
	return s.At - prev
}

// seqNote draws a note (a client's decision, a bounce) as a box across all
// lifelines, wrapped to as many lines as its row was given, and a store
// event as a one-line box on the lifeline of the server that stored it.
func seqNote(b *strings.Builder, L *seqLayout, r seqRow, s trace.Step) {
	left, right := seqGutter, L.width-seqMargin
	text := s.Text
	if s.Kind == trace.Store {
		text = "✉ " + text
	}
	var x1, w int
	var lines []string
	name := s.From
	if name == "" {
		name = s.To
	}
	if ix, ok := L.actor[name]; ok && s.Kind == trace.Store {
		w = textWidth(text, seqSmall) + 16
		x1 = L.x[ix] - w/2
	} else {
		w = L.noteWidth()
		x1 = left
		if len(L.x) > 0 {
			x1 = L.x[0] - 30
		}
		lines = wrapText(text, seqSmall, w-16)
	}
	x1 = max(x1, left)
	if x1+w > right {
		x1 = max(right-w, left)
		w = min(w, right-x1)
	}
	if len(lines) == 0 || (len(lines)-1)*14+seqRowH > r.h {
		lines = []string{fit(text, seqSmall, w-16)} // a row laid out for one line
	}
	b.WriteString(`<rect class="box" rx="4"`)
	attr(b, "x", itoa(x1))
	attr(b, "y", itoa(r.y+5))
	attr(b, "width", itoa(w))
	attr(b, "height", itoa(r.h-10))
	b.WriteString(`/><text class="box-text"`)
	attr(b, "x", itoa(x1+8))
	attr(b, "y", itoa(r.y+r.h/2+4-(len(lines)-1)*7))
	b.WriteString(">")
	for i, l := range lines {
		if i > 0 {
			b.WriteString(`<tspan x="` + itoa(x1+8) + `" dy="14">`)
		}
		b.WriteString(esc(l))
		if i > 0 {
			b.WriteString("</tspan>")
		}
	}
	b.WriteString("</text>")
}

// seqTLS marks the start of encryption with a padlock between the two
// lifelines; the shaded band below it (seqTLSBand) lasts until the
// connection closes.
func seqTLS(b *strings.Builder, L *seqLayout, r seqRow, s trace.Step, lang string) {
	a, okA := L.actor[s.From]
	c, okC := L.actor[s.To]
	if !okA || !okC {
		seqNote(b, L, r, s)
		return
	}
	x1, x2 := min(L.x[a], L.x[c]), max(L.x[a], L.x[c])
	text := T(lang, "seq.tls")
	if s.Text != "" {
		text += " · " + s.Text
	}
	text = fit(text, seqSmall, x2-x1-40)
	w := textWidth(text, seqSmall) + 30
	x := (x1+x2)/2 - w/2
	y := r.y + r.h/2
	b.WriteString(`<rect class="tls-tag" rx="9"`)
	attr(b, "x", itoa(x))
	attr(b, "y", itoa(y-9))
	attr(b, "width", itoa(w))
	attr(b, "height", "18")
	b.WriteString("/>")
	// padlock: shackle and body
	b.WriteString(`<path class="lock"`)
	attr(b, "d", "M"+itoa(x+9)+" "+itoa(y-1)+"v-3a4 4 0 0 1 8 0v3M"+itoa(x+7)+" "+itoa(y-1)+"h12v7h-12z")
	b.WriteString(`/><text class="tls-text"`)
	attr(b, "x", itoa(x+24))
	attr(b, "y", itoa(y+4))
	b.WriteString(">" + esc(text) + "</text>")
}

// seqFaultMark puts a lightning bolt in the gutter of a row that a fault
// rule caused, so that injected failures stand out from real ones.
func seqFaultMark(b *strings.Builder, r seqRow) {
	x, y := seqGutter-14, r.y+r.h/2
	if r.compact {
		y = r.y + 9
	}
	b.WriteString(`<path class="bolt"`)
	attr(b, "d", "M"+itoa(x+2)+" "+itoa(y-7)+"h6l-3 5h4l-8 9 2-7h-3z")
	b.WriteString("/>")
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
