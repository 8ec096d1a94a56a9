// Package view turns a trace into the HTML and SVG the page shows: the
// sequence diagram, the state diagrams, the transcript, the envelope, the
// maildrops, the server log and the explanation cards.
//
// It is plain Go (no syscall/js) so the same code renders live in the
// browser (wasm), static in exports, and is tested natively against golden
// files. Every function returns a string and is deterministic: the same
// trace, cursor and language always give the same bytes.
//
// Colours never appear in the output: every element carries CSS classes
// (rc-2xx … rc-5xx, rc-ok, rc-err, current, fault, future …) so that the
// page's light and dark themes, and a projector, can restyle everything.
// Clickable elements carry data attributes (data-step, data-kind, data-code,
// data-action, data-when, data-server) so the page can attach one delegated
// click handler instead of one per element.
package view

import (
	"html"
	"strconv"
	"strings"
	"time"

	"maillab/sim/trace"
)

// esc escapes text for HTML and XML, in element content and in quoted
// attribute values alike (it escapes <, >, &, ' and ").
func esc(s string) string { return html.EscapeString(s) }

// itoa is strconv.Itoa, short because the renderers call it on every coordinate.
func itoa(n int) string { return strconv.Itoa(n) }

// langOf reduces a language tag to the two the page speaks: "zh" for any
// Chinese tag (zh, zh-CN, zh-Hans…), "en" for everything else.
func langOf(lang string) string {
	l := strings.ToLower(strings.TrimSpace(lang))
	if l == "zh" || strings.HasPrefix(l, "zh-") || strings.HasPrefix(l, "zh_") {
		return "zh"
	}
	return "en"
}

// replyClass returns the CSS class of a reply step: rc-2xx … rc-5xx for SMTP,
// rc-ok / rc-err / rc-cont for POP3, "" when the step is not a reply.
func replyClass(s trace.Step) string {
	if s.Code >= 100 && s.Code < 600 {
		return "rc-" + itoa(s.Code/100) + "xx"
	}
	switch s.Status {
	case "+OK":
		return "rc-ok"
	case "-ERR":
		return "rc-err"
	case "+":
		return "rc-cont"
	}
	return ""
}

// codeOf is the value of data-code: "550", "+OK", "-ERR", or "".
func codeOf(s trace.Step) string {
	if s.Code != 0 {
		return itoa(s.Code)
	}
	return s.Status
}

// isLine reports whether a step is a line on the wire (drawn as an arrow).
func isLine(k trace.Kind) bool {
	return k == trace.Command || k == trace.Reply || k == trace.Data
}

// faultWhen returns what a fault rule's "when" would be for this step, or ""
// when no fault can be injected there: the command line itself, "connect"
// for a connection (the greeting), "end-of-data" for the final "." the
// client sends after DATA. These are the keys of sim/fault.Rule.When.
func faultWhen(s trace.Step) string {
	switch {
	case s.Kind == trace.Command && !s.ByServer:
		return s.Text
	case s.Kind == trace.Connect:
		return "connect"
	case s.Kind == trace.Data && !s.ByServer && s.Text == ".":
		return "end-of-data"
	}
	return ""
}

// faultServer is the server a fault on this step would apply to: the
// receiving side of a command or connection.
func faultServer(s trace.Step) string {
	if s.ByServer {
		return s.From
	}
	return s.To
}

// textWidth estimates the width in pixels of s at a font size, for layout.
// There is no font metrics API in Go (nor in a headless test), so it counts
// Latin characters as 0.6 em, which is exact for the monospace font of the
// protocol lines and close for the sans-serif labels, and East Asian wide
// characters as 1 em.
func textWidth(s string, size int) int {
	w := 0
	for _, r := range s {
		if wide(r) {
			w += 10 * size
		} else {
			w += 6 * size
		}
	}
	return (w + 9) / 10
}

// wide reports whether a rune is drawn full width (CJK, fullwidth forms).
func wide(r rune) bool {
	return r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) ||
		(r >= 0xac00 && r <= 0xd7a3) || (r >= 0xf900 && r <= 0xfaff) ||
		(r >= 0xfe30 && r <= 0xfe4f) || (r >= 0xff00 && r <= 0xff60) ||
		(r >= 0xffe0 && r <= 0xffe6))
}

// fit shortens s with an ellipsis so that it is at most maxPx wide. The full
// text always stays available in a <title> or the transcript.
func fit(s string, size, maxPx int) string {
	if textWidth(s, size) <= maxPx {
		return s
	}
	ell := textWidth("…", size)
	w := 0
	for i, r := range s {
		cw := textWidth(string(r), size)
		if w+cw+ell > maxPx {
			return s[:i] + "…"
		}
		w += cw
	}
	return s
}

// Duration formats a span of virtual time for a label: "30 s", "5 min",
// "1 h 30 min" (English) or "30 秒", "5 分钟", "1 小时 30 分钟" (Chinese).
func Duration(d time.Duration, lang string) string {
	d = d.Round(time.Second)
	if d < 0 {
		d = -d
	}
	h := int(d / time.Hour)
	m := int(d % time.Hour / time.Minute)
	s := int(d % time.Minute / time.Second)
	var parts []string
	if h > 0 {
		parts = append(parts, itoa(h)+" "+T(lang, "unit.h"))
	}
	if m > 0 {
		parts = append(parts, itoa(m)+" "+T(lang, "unit.min"))
	}
	if s > 0 || len(parts) == 0 {
		parts = append(parts, itoa(s)+" "+T(lang, "unit.s"))
	}
	return strings.Join(parts, " ")
}

// clampCursor maps any cursor to the index of the last visible step:
// -1 shows nothing yet, anything past the end shows everything.
func clampCursor(t *trace.Trace, cursor int) int {
	if cursor >= len(t.Steps) {
		return len(t.Steps) - 1
	}
	if cursor < -1 {
		return -1
	}
	return cursor
}

// rowBytes is room for one row of the diagram or line of the transcript:
// about 300 bytes on average, 560 at most in a 313-step trace.
const rowBytes = 512

// attr writes ` name="value"` with the value escaped.
func attr(b *strings.Builder, name, value string) {
	b.WriteByte(' ')
	b.WriteString(name)
	b.WriteString(`="`)
	b.WriteString(esc(value))
	b.WriteByte('"')
}

// stepAttrs writes the data attributes every step element carries, so that
// the SVG and the transcript can share one click handler.
func stepAttrs(b *strings.Builder, i int, s trace.Step) {
	attr(b, "data-step", itoa(i))
	attr(b, "data-kind", string(s.Kind))
	if c := codeOf(s); c != "" {
		attr(b, "data-code", c)
	}
	if s.Enhanced != "" {
		attr(b, "data-enhanced", s.Enhanced)
	}
	if s.Verb != "" {
		attr(b, "data-verb", s.Verb)
	}
	if s.Conn != 0 {
		attr(b, "data-conn", itoa(s.Conn))
	}
	if w := faultWhen(s); w != "" {
		attr(b, "data-when", w)
		attr(b, "data-server", faultServer(s))
	}
}
