package view

import (
	"strings"

	"maillab/sim/trace"
)

// Transcript renders the dialogue up to the cursor as an HTML list: "C:" and
// "S:" lines as on the wire, and the other steps (connections, state
// changes, waits, notes) as quieter comment lines.
//
// It is the keyboard and screen-reader counterpart of the sequence diagram:
// every reply code is a button that opens its explanation
// (data-action="explain") and every line a fault can be injected on is a
// button that opens the fault menu (data-action="fault", with data-when and
// data-server saying what the rule would be).
func Transcript(t *trace.Trace, cursor int, lang string) string {
	return NewTranscript(t, lang).Draw(cursor)
}

// TranscriptView is a trace kept for Transcript at any cursor: each line is
// rendered once (as a past line and as the current one), so a step of the
// cursor only joins them. The trace must not change while it is in use.
type TranscriptView struct {
	t     *trace.Trace
	lang  string
	lines [][2]string
}

// NewTranscript prepares a trace's transcript.
func NewTranscript(t *trace.Trace, lang string) *TranscriptView {
	if t == nil {
		t = &trace.Trace{}
	}
	t = Localize(t, lang)
	return &TranscriptView{t: t, lang: lang, lines: make([][2]string, len(t.Steps))}
}

// NewTranscriptFrom is NewTranscript reusing the lines prev has rendered
// for the steps the two traces have in common from the start.
func NewTranscriptFrom(prev *TranscriptView, t *trace.Trace, lang string) *TranscriptView {
	v := NewTranscript(t, lang)
	if prev == nil || prev.lang != lang {
		return v
	}
	n := samePrefix(prev.t.Steps, v.t.Steps)
	for i := 0; i < n-1; i++ { // a line may read the step after it (a wait's duration)
		v.lines[i] = prev.lines[i]
	}
	return v
}

// Draw renders the transcript up to and including step cursor.
func (v *TranscriptView) Draw(cursor int) string {
	lines := v.Lines(cursor)
	n := 0
	for _, l := range lines {
		n += len(l) + 1
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
// <ol> tag, one <li> per step, the closing tag. The page updates the
// transcript line by line, and the lines of past steps are the ones
// rendered before (no copy).
func (v *TranscriptView) Lines(cursor int) []string {
	t, lang := v.t, v.lang
	cur := clampCursor(t, cursor)
	lines := make([]string, 0, cur+3)
	var b strings.Builder
	b.WriteString(`<ol class="transcript"`)
	attr(&b, "aria-label", T(lang, "tr.title"))
	b.WriteString(">")
	lines = append(lines, b.String())
	if cur < 0 {
		lines = append(lines, `<li class="empty">`+esc(T(lang, "tr.empty"))+"</li>")
	}
	for i := 0; i <= cur; i++ {
		k := 0
		if i == cur {
			k = 1
		}
		if v.lines[i][k] == "" {
			var lb strings.Builder
			lb.Grow(rowBytes)
			transcriptLine(&lb, t, i, k == 1, lang)
			v.lines[i][k] = strings.TrimSuffix(lb.String(), "\n")
		}
		lines = append(lines, v.lines[i][k])
	}
	return append(lines, "</ol>")
}

func transcriptLine(b *strings.Builder, t *trace.Trace, i int, current bool, lang string) {
	s := t.Steps[i]
	cls := "k-" + string(s.Kind)
	if isLine(s.Kind) {
		if s.ByServer {
			cls += " by-server"
		} else {
			cls += " by-client"
		}
	} else {
		cls += " meta"
	}
	if s.Kind == trace.Reply {
		if rc := replyClass(s); rc != "" {
			cls += " " + rc
		}
	}
	if s.Fault != "" {
		cls += " fault"
	}
	if s.Encrypted {
		cls += " enc"
	}
	if current {
		cls += " current"
	}
	b.WriteString("<li")
	attr(b, "class", cls)
	stepAttrs(b, i, s)
	if current {
		b.WriteString(` aria-current="step"`)
	}
	if s.Fault != "" {
		attr(b, "title", T(lang, "seq.fault")+": "+s.Fault)
	}
	b.WriteString(">")

	if isLine(s.Kind) {
		who, whoLabel := "C:", T(lang, "tr.client")
		if s.ByServer {
			who, whoLabel = "S:", T(lang, "tr.server")
		}
		b.WriteString(`<span class="who"`)
		attr(b, "title", whoLabel)
		b.WriteString(">" + who + "</span> ")
	}

	switch {
	case s.Kind == trace.Reply && codeOf(s) != "" && strings.HasPrefix(s.Text, codeOf(s)):
		code := codeOf(s)
		codeButton(b, i, s, code, lang)
		b.WriteString(`<span class="text">` + esc(s.Text[len(code):]) + "</span>")
	case faultWhen(s) != "":
		text := s.Text
		if s.Kind == trace.Connect {
			text = connectText(s, lang)
		}
		b.WriteString(`<button type="button" class="line" data-action="fault"`)
		attr(b, "data-step", itoa(i))
		attr(b, "data-when", faultWhen(s))
		attr(b, "data-server", faultServer(s))
		attr(b, "aria-label", Tf(lang, "tr.fault", "line", text))
		b.WriteString(">" + esc(text) + "</button>")
		if s.Kind == trace.Data && s.Text == "." {
			b.WriteString(` <span class="gloss">← ` + esc(T(lang, "seq.eod")) + "</span>")
		}
	case isLine(s.Kind):
		if s.Text == "" {
			b.WriteString(`<span class="gloss">` + esc(T(lang, "seq.blank")) + "</span>")
		} else {
			b.WriteString(`<span class="text">` + esc(s.Text) + "</span>")
		}
	default:
		text := metaText(t, i, lang)
		if s.Kind == trace.Wait {
			text = "+" + Duration(waitDuration(t, i), lang) + " · " + text
		}
		b.WriteString(`<span class="text">` + esc(text) + "</span>")
	}
	if s.Fault != "" {
		b.WriteString(` <span class="fault-tag">` + esc(T(lang, "seq.fault")) + "</span>")
	}
	if s.Encrypted {
		b.WriteString(` <span class="vh">(` + esc(T(lang, "tr.encrypted")) + ")</span>")
	}
	b.WriteString("</li>\n")
}

// codeButton writes a reply code as a button that opens its explanation.
func codeButton(b *strings.Builder, i int, s trace.Step, label, lang string) {
	b.WriteString(`<button type="button"`)
	attr(b, "class", "code "+replyClass(s))
	b.WriteString(` data-action="explain"`)
	attr(b, "data-step", itoa(i))
	attr(b, "data-code", codeOf(s))
	attr(b, "aria-label", Tf(lang, "tr.explain", "code", strings.TrimSpace(label)))
	b.WriteString(">" + esc(label) + "</button>")
}

// connectText is how a connection reads in the transcript.
func connectText(s trace.Step, lang string) string {
	t := "[" + strings.Trim(trace.Stamp(s.At), "[]") + "] " + Tf(lang, "seq.connect", "n", itoa(s.Conn)) + ": " + s.From + " → " + s.To
	if s.Text != "" {
		t += " (" + s.Text + ")"
	}
	return t
}

// metaText is how a step that is not a line on the wire reads.
func metaText(t *trace.Trace, i int, lang string) string {
	s := t.Steps[i]
	switch s.Kind {
	case trace.Close:
		return seqLabel(s, lang)
	case trace.State:
		if actor, change := stateOwner(t, i); actor != "" {
			return Tf(lang, "tr.state", "actor", actor, "change", change)
		}
	case trace.TLS:
		t := "🔒 " + T(lang, "seq.tls")
		if s.Text != "" {
			t += " · " + s.Text
		}
		return t
	case trace.Wait:
		t := "[" + strings.Trim(trace.Stamp(s.At), "[]") + "] " + T(lang, "seq.wait")
		if s.Text != "" {
			t += " · " + s.Text
		}
		return t
	case trace.Store:
		return "✉ " + s.Text
	}
	return s.Text
}
