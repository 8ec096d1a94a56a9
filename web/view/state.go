package view

import (
	"strings"

	"maillab/sim/machine"
)

// Layout of the state diagram.
const (
	stW0     = 96 // minimum node width
	stHGap   = 40 // between nodes of one layer
	stVGap   = 46 // between layers: room for the labels of straight edges
	stTop    = 34 // room for the start marker
	stChan   = 14 // between two routing channels
	stMargin = 10
	stFont   = 12
	stSmall  = 10
)

// stEdge is every transition between one pair of states, merged.
type stEdge struct {
	from, to string
	events   []string
	kind     int // stDown, stSkip, stBack
	channel  int // routing channel for stSkip and stBack
	lit      bool
	litEvent string
}

const (
	stDown = iota // to the next layer: a straight line
	stSkip        // further down: routed in a channel on the right
	stBack        // up or sideways (a loop back, RSET, end of data): routed on the left
)

// StateDiagram draws a machine's state table as an SVG diagram: one box per
// state, one arrow per pair of states (labelled with every event that takes
// it), and the events that keep a state where it is listed inside its box.
// The current state is lit, and so is the transition just taken (from
// lastFrom on lastEvent, into current).
//
// The layout is layered and deterministic: states are placed top to bottom
// by the longest path from the table's first state once the edges that loop
// back are set aside, so the normal course of a session reads downwards
// (INIT, READY, MAIL, RCPT, DATA) and the loops back (end of data → READY,
// RSET) are drawn on the left, skips (QUIT → CLOSED) on the right.
func StateDiagram(table []machine.Transition, current string, lastFrom, lastEvent string, lang string) string {
	if len(table) == 0 {
		return `<svg xmlns="http://www.w3.org/2000/svg" class="states" role="img" viewBox="0 0 240 40" width="240" height="40"` +
			` aria-label="` + esc(T(lang, "state.title")) + `"><text class="hint" x="120" y="24" text-anchor="middle">` +
			esc(T(lang, "state.empty")) + "</text></svg>\n"
	}

	// Rows from any state (a drop, a timeout, a 421) are written once, under
	// the diagram, instead of as an arrow from every box.
	var anyEvents []string
	anyTo := ""
	var rows []machine.Transition
	for _, tr := range table {
		if tr.From == machine.AnyState {
			anyEvents, anyTo = append(anyEvents, tr.Event), tr.To
			continue
		}
		rows = append(rows, tr)
	}
	table = rows

	// States in order of first appearance; the first is the start state.
	var states []string
	index := map[string]int{}
	addState := func(s string) {
		if _, ok := index[s]; !ok {
			index[s] = len(states)
			states = append(states, s)
		}
	}
	for _, tr := range table {
		addState(tr.From)
		addState(tr.To)
	}

	// Self loops and merged edges, both in table order.
	loops := make([][]string, len(states))
	var edges []*stEdge
	edgeOf := map[[2]string]*stEdge{}
	for _, tr := range table {
		if tr.From == tr.To {
			if !contains(loops[index[tr.From]], tr.Event) {
				loops[index[tr.From]] = append(loops[index[tr.From]], tr.Event)
			}
			continue
		}
		e := edgeOf[[2]string{tr.From, tr.To}]
		if e == nil {
			e = &stEdge{from: tr.From, to: tr.To}
			edgeOf[[2]string{tr.From, tr.To}] = e
			edges = append(edges, e)
		}
		if !contains(e.events, tr.Event) {
			e.events = append(e.events, tr.Event)
		}
	}

	// What was just taken: the exact transition if the table has it,
	// otherwise any edge from lastFrom into current.
	litLoop := ""
	if lastFrom != "" && current != "" {
		if lastFrom == current {
			for _, ev := range loops[index[current]] {
				if strings.EqualFold(ev, lastEvent) {
					litLoop = ev
				}
			}
		} else if e := edgeOf[[2]string{lastFrom, current}]; e != nil {
			e.lit = true
			for _, ev := range e.events {
				if strings.EqualFold(ev, lastEvent) {
					e.litEvent = ev
				}
			}
		}
	}

	// Set aside the edges that close a cycle (depth-first, in table order),
	// then layer the rest by longest path.
	back := map[*stEdge]bool{}
	out := make([][]*stEdge, len(states))
	for _, e := range edges {
		out[index[e.from]] = append(out[index[e.from]], e)
	}
	color := make([]int, len(states)) // 0 new, 1 on the stack, 2 done
	var dfs func(v int)
	dfs = func(v int) {
		color[v] = 1
		for _, e := range out[v] {
			w := index[e.to]
			switch color[w] {
			case 0:
				dfs(w)
			case 1:
				back[e] = true
			}
		}
		color[v] = 2
	}
	for v := range states {
		if color[v] == 0 {
			dfs(v)
		}
	}
	layer := make([]int, len(states))
	for changed := true; changed; {
		// The remaining graph is acyclic, so this settles in at most
		// len(states) rounds; tables are small.
		changed = false
		for _, e := range edges {
			if back[e] {
				continue
			}
			if l := layer[index[e.from]] + 1; l > layer[index[e.to]] {
				layer[index[e.to]] = l
				changed = true
			}
		}
	}
	nLayers := 0
	for _, l := range layer {
		nLayers = max(nLayers, l+1)
	}
	byLayer := make([][]int, nLayers)
	for v := range states {
		byLayer[layer[v]] = append(byLayer[layer[v]], v)
	}

	// Edge kinds and channels. Edges into the same state with the same
	// label share a channel, so "QUIT" from five states is one trunk.
	chanKey := map[string]int{}
	nRight, nLeft := 0, 0
	maxRightLabel, maxLeftLabel := 0, 0
	for _, e := range edges {
		lf, lt := layer[index[e.from]], layer[index[e.to]]
		label := strings.Join(e.events, ", ")
		switch {
		case back[e] || lt <= lf:
			e.kind = stBack
			key := "L" + e.to + "\x00" + label
			if c, ok := chanKey[key]; ok {
				e.channel = c
			} else {
				e.channel = nLeft
				chanKey[key] = nLeft
				nLeft++
			}
			maxLeftLabel = max(maxLeftLabel, textWidth(label, stSmall))
		case lt == lf+1:
			e.kind = stDown
		default:
			e.kind = stSkip
			key := "R" + e.to + "\x00" + label
			if c, ok := chanKey[key]; ok {
				e.channel = c
			} else {
				e.channel = nRight
				chanKey[key] = nRight
				nRight++
			}
			maxRightLabel = max(maxRightLabel, textWidth(label, stSmall))
		}
	}

	// Node size: one width and height for all, so the columns line up. The
	// events that keep a state are wrapped inside its box rather than
	// widening every box.
	nodeW := stW0
	for _, s := range states {
		nodeW = max(nodeW, textWidth(s, stFont+1)+24)
	}
	nodeW = max(nodeW, min(stLoopW, maxLoopWidth(loops)+16))
	loopLines := make([][]string, len(states))
	maxLines := 0
	for v := range states {
		if len(loops[v]) > 0 {
			loopLines[v] = wrapEvents(loops[v], nodeW-16)
			maxLines = max(maxLines, len(loopLines[v]))
		}
	}
	nodeH := 30 + 12*maxLines
	widest := 0
	for _, l := range byLayer {
		widest = max(widest, len(l))
	}
	contentW := widest*nodeW + (widest-1)*stHGap
	leftPad := stMargin + max(nLeft*stChan+12, 0)
	if nLeft > 0 {
		leftPad = stMargin + max(nLeft*stChan+12, maxLeftLabel/2+16)
	}
	rightPad := stMargin
	if nRight > 0 {
		rightPad = stMargin + max(nRight*stChan+12, maxRightLabel/2+16)
	}
	width := leftPad + contentW + rightPad
	height := stTop + nLayers*(nodeH+stVGap) - stVGap + stMargin
	anyY := height + 4
	if len(anyEvents) > 0 {
		height += 22
	}

	// Node positions (top-left corners).
	nx, ny := make([]int, len(states)), make([]int, len(states))
	for l, vs := range byLayer {
		w := len(vs)*nodeW + (len(vs)-1)*stHGap
		x := leftPad + (contentW-w)/2
		for _, v := range vs {
			nx[v], ny[v] = x, stTop+l*(nodeH+stVGap)
			x += nodeW + stHGap
		}
	}
	isLast := func(v int) bool { vs := byLayer[layer[v]]; return vs[len(vs)-1] == v }
	isFirst := func(v int) bool { return byLayer[layer[v]][0] == v }

	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" class="states" role="img"`)
	attr(&b, "viewBox", "0 0 "+itoa(width)+" "+itoa(height))
	attr(&b, "width", itoa(width))
	attr(&b, "height", itoa(height))
	label := T(lang, "state.title")
	if current != "" {
		label += ". " + Tf(lang, "state.current", "state", current)
	}
	if lastFrom != "" && lastFrom != current && current != "" {
		label += ". " + Tf(lang, "state.last", "from", lastFrom, "to", current, "event", lastEvent)
	}
	attr(&b, "aria-label", label)
	b.WriteString(">\n")

	// Start marker above the first state.
	sx := nx[0] + nodeW/2
	b.WriteString(`<g class="start"><title>` + esc(T(lang, "state.start")) + `</title><circle`)
	attr(&b, "cx", itoa(sx))
	attr(&b, "cy", "9")
	b.WriteString(` r="5"/><line`)
	attr(&b, "x1", itoa(sx))
	attr(&b, "y1", "14")
	attr(&b, "x2", itoa(sx))
	attr(&b, "y2", itoa(stTop-7))
	b.WriteString(`/><path class="head"`)
	attr(&b, "d", stHead(sx, stTop, 0, 1))
	b.WriteString("/></g>\n")

	// Edges first (lit ones last, so they are drawn on top), then nodes.
	var lit []*stEdge
	for _, e := range edges {
		if e.lit {
			lit = append(lit, e)
			continue
		}
		stDrawEdge(&b, e, index, nx, ny, nodeW, nodeH, leftPad, contentW, isFirst, isLast)
	}
	for _, e := range lit {
		stDrawEdge(&b, e, index, nx, ny, nodeW, nodeH, leftPad, contentW, isFirst, isLast)
	}

	final := make([]bool, len(states))
	for v := range states {
		final[v] = len(out[v]) == 0
	}
	for v, s := range states {
		cls := "state"
		if s == current {
			cls += " current"
		}
		if s == lastFrom && s != current {
			cls += " prev"
		}
		if final[v] {
			cls += " final"
		}
		if litLoop != "" && s == current {
			cls += " looped"
		}
		b.WriteString(`<g`)
		attr(&b, "class", cls)
		attr(&b, "data-state", s)
		if s == current {
			b.WriteString(` aria-current="true"`)
		}
		b.WriteString(`><rect class="node" rx="8"`)
		attr(&b, "x", itoa(nx[v]))
		attr(&b, "y", itoa(ny[v]))
		attr(&b, "width", itoa(nodeW))
		attr(&b, "height", itoa(nodeH))
		b.WriteString("/>")
		if final[v] {
			b.WriteString(`<rect class="node-inner" rx="6"`)
			attr(&b, "x", itoa(nx[v]+3))
			attr(&b, "y", itoa(ny[v]+3))
			attr(&b, "width", itoa(nodeW-6))
			attr(&b, "height", itoa(nodeH-6))
			b.WriteString("/>")
		}
		nameY := ny[v] + nodeH/2 + 4
		if len(loops[v]) > 0 {
			nameY = ny[v] + nodeH/2 + 4 - 6*len(loopLines[v])
		}
		b.WriteString(`<text class="state-name" text-anchor="middle"`)
		attr(&b, "x", itoa(nx[v]+nodeW/2))
		attr(&b, "y", itoa(nameY))
		b.WriteString(">" + esc(fit(s, stFont+1, nodeW-8)) + "</text>")
		if len(loops[v]) > 0 {
			b.WriteString(`<text class="loops" text-anchor="middle"`)
			attr(&b, "x", itoa(nx[v]+nodeW/2))
			attr(&b, "y", itoa(nameY+15))
			b.WriteString("><title>" + esc(T(lang, "state.loops")+": "+strings.Join(loops[v], ", ")) + "</title>")
			for i, line := range loopLines[v] {
				if i > 0 {
					b.WriteString(`<tspan x="` + itoa(nx[v]+nodeW/2) + `" dy="12">`)
				} else {
					b.WriteString("↻ ")
				}
				stEvents(&b, strings.Split(line, ", "), litLoopIf(s == current, litLoop))
				if i > 0 {
					b.WriteString("</tspan>")
				}
			}
			b.WriteString("</text>")
		}
		b.WriteString("</g>\n")
	}
	if len(anyEvents) > 0 {
		cls := "any"
		if lastFrom != "" && current == anyTo && lastFrom != anyTo && containsFold(anyEvents, lastEvent) {
			cls += " lit"
		}
		b.WriteString(`<text text-anchor="middle"`)
		attr(&b, "class", cls)
		attr(&b, "x", itoa(width/2))
		attr(&b, "y", itoa(anyY+8))
		b.WriteString(">" + esc(Tf(lang, "state.any", "events", strings.Join(anyEvents, ", "), "to", anyTo)) + "</text>\n")
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// stLoopW is the widest a box grows to fit its list of looping events.
const stLoopW = 170

func maxLoopWidth(loops [][]string) int {
	w := 0
	for _, l := range loops {
		for _, ev := range l {
			w = max(w, textWidth("↻ "+ev, stSmall))
		}
	}
	return w
}

// wrapEvents joins events with ", " into lines at most maxPx wide (the
// first line starts with "↻ ").
func wrapEvents(events []string, maxPx int) []string {
	var lines []string
	cur := ""
	for _, ev := range events {
		next := ev
		if cur != "" {
			next = cur + ", " + ev
		}
		prefix := ""
		if len(lines) == 0 {
			prefix = "↻ "
		}
		if cur != "" && textWidth(prefix+next+",", stSmall) > maxPx {
			lines = append(lines, cur)
			cur = ev
			continue
		}
		cur = next
	}
	return append(lines, cur)
}

func litLoopIf(ok bool, ev string) string {
	if ok {
		return ev
	}
	return ""
}

// stEvents writes a comma-separated event list, the lit one in its own tspan.
func stEvents(b *strings.Builder, events []string, lit string) {
	for i, ev := range events {
		if i > 0 {
			b.WriteString(", ")
		}
		if lit != "" && ev == lit {
			b.WriteString(`<tspan class="lit">` + esc(ev) + "</tspan>")
		} else {
			b.WriteString(esc(ev))
		}
	}
}

// stDrawEdge draws one merged edge with its label and arrowhead.
func stDrawEdge(b *strings.Builder, e *stEdge, index map[string]int, nx, ny []int, nodeW, nodeH, leftPad, contentW int, isFirst, isLast func(int) bool) {
	f, t := index[e.from], index[e.to]
	fcx, tcx := nx[f]+nodeW/2, nx[t]+nodeW/2
	var d strings.Builder
	var hx, hy, dx, dy int // arrow tip and direction
	var lx, ly int         // label anchor
	anchor := "start"
	switch e.kind {
	case stDown:
		y1, y2 := ny[f]+nodeH, ny[t]
		d.WriteString("M" + itoa(fcx) + " " + itoa(y1) + "L" + itoa(tcx) + " " + itoa(y2-7))
		hx, hy, dx, dy = tcx, y2, 0, 1
		lx, ly = (fcx+tcx)/2+6, (y1+y2)/2+4
	case stSkip:
		cx := leftPad + contentW + 12 + e.channel*stChan
		if isLast(f) {
			d.WriteString("M" + itoa(nx[f]+nodeW) + " " + itoa(ny[f]+nodeH/2))
			lx, ly = nx[f]+nodeW+4, ny[f]+nodeH/2-4
		} else {
			d.WriteString("M" + itoa(fcx) + " " + itoa(ny[f]+nodeH) + "V" + itoa(ny[f]+nodeH+10))
			lx, ly = fcx+4, ny[f]+nodeH+22
		}
		d.WriteString("H" + itoa(cx))
		if isLast(t) {
			ty := ny[t] + nodeH/2
			d.WriteString("V" + itoa(ty) + "H" + itoa(nx[t]+nodeW+7))
			hx, hy, dx, dy = nx[t]+nodeW, ty, -1, 0
		} else {
			d.WriteString("V" + itoa(ny[t]-10) + "H" + itoa(tcx) + "V" + itoa(ny[t]-7))
			hx, hy, dx, dy = tcx, ny[t], 0, 1
		}
	case stBack:
		cx := leftPad - 12 - e.channel*stChan
		anchor = "end"
		if isFirst(f) {
			d.WriteString("M" + itoa(nx[f]) + " " + itoa(ny[f]+nodeH/2))
			lx, ly = nx[f]-4, ny[f]+nodeH/2+12
		} else {
			// Leave under the box: going over it would cross the edges
			// that come down into this layer.
			d.WriteString("M" + itoa(fcx-10) + " " + itoa(ny[f]+nodeH) + "V" + itoa(ny[f]+nodeH+12))
			lx, ly = fcx-16, ny[f]+nodeH+9
		}
		d.WriteString("H" + itoa(cx))
		if isFirst(t) {
			ty := ny[t] + nodeH/2
			d.WriteString("V" + itoa(ty) + "H" + itoa(nx[t]-7))
			hx, hy, dx, dy = nx[t], ty, 1, 0
		} else {
			d.WriteString("V" + itoa(ny[t]+nodeH+10) + "H" + itoa(tcx) + "V" + itoa(ny[t]+nodeH+7))
			hx, hy, dx, dy = tcx, ny[t]+nodeH, 0, -1
		}
	}
	cls := "edge"
	if e.lit {
		cls += " lit"
	}
	b.WriteString(`<g`)
	attr(b, "class", cls)
	attr(b, "data-from", e.from)
	attr(b, "data-to", e.to)
	b.WriteString("><title>" + esc(e.from+" → "+e.to+": "+strings.Join(e.events, ", ")) + `</title><path class="wire"`)
	attr(b, "d", d.String())
	b.WriteString(`/><path class="head"`)
	attr(b, "d", stHead(hx, hy, dx, dy))
	b.WriteString(`/><text class="edge-label"`)
	attr(b, "x", itoa(lx))
	attr(b, "y", itoa(ly))
	if anchor != "start" {
		attr(b, "text-anchor", anchor)
	}
	b.WriteString(">")
	stEvents(b, e.events, e.litEvent)
	b.WriteString("</text></g>\n")
}

// stHead is an arrowhead with its tip at (x, y) pointing along (dx, dy),
// one of the four axis directions.
func stHead(x, y, dx, dy int) string {
	const l, w = 7, 4
	bx, by := x-dx*l, y-dy*l // middle of the base
	px, py := -dy*w, dx*w    // half the base, perpendicular
	return "M" + itoa(x) + " " + itoa(y) + "L" + itoa(bx+px) + " " + itoa(by+py) + "L" + itoa(bx-px) + " " + itoa(by-py) + "Z"
}
