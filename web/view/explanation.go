package view

import (
	"strings"

	"maillab/sim/explain"
	"maillab/sim/trace"
)

// Explanation renders the card that opens when a student clicks a reply
// code: the reply line, its code and enhanced status code, what the class
// means, what this reply means here, what a correct client does next, and
// the RFC section (linked). The text comes from sim/explain, in the page's
// language. A step that is not a reply gets a shorter card (the line, and
// the RFC section that governs it, if the trace names one).
func Explanation(step trace.Step, lang string) string {
	var e explain.Entry
	switch {
	case step.Kind == trace.Reply && step.Code != 0:
		e = explain.SMTP(explainLang(lang), step.Code, step.Enhanced, explainVerb(step.ReplyTo))
	case step.Kind == trace.Reply && step.Status != "":
		e = explain.POP3(explainLang(lang), step.Status, step.RespCode, explainVerb(step.ReplyTo))
	default:
		e = explain.Entry{RFC: step.RFC}
	}
	if e.RFC == "" {
		e.RFC = step.RFC
	}
	var enhanced string
	if step.Enhanced != "" {
		enhanced = explain.Enhanced(explainLang(lang), step.Enhanced)
	}
	return explanationCard(step, e, enhanced, explain.RFCURL(e.RFC), lang)
}

// explainLang is the language argument sim/explain expects ("en" or "zh").
func explainLang(lang string) string { return langOf(lang) }

// explainVerb maps what a trace may say a reply answers to the names
// sim/explain uses: "EOD" for the reply after the final dot and "GREETING"
// for the greeting (the engine already writes these; the other spellings
// come from hand-made traces and fault rules).
func explainVerb(v string) string {
	switch u := strings.ToUpper(strings.TrimSpace(v)); u {
	case "END-OF-DATA", ".":
		return "EOD"
	case "CONNECT":
		return "GREETING"
	default:
		return u
	}
}

// explanationCard lays the card out. It is separate from Explanation so
// that its golden test does not change whenever sim/explain's wording does.
func explanationCard(step trace.Step, e explain.Entry, enhancedMeaning, rfcURL, lang string) string {
	var b strings.Builder
	cls := "explain"
	if rc := replyClass(step); rc != "" && step.Kind == trace.Reply {
		cls += " " + rc
	}
	b.WriteString("<article")
	attr(&b, "class", cls)
	attr(&b, "data-kind", string(step.Kind))
	if c := codeOf(step); c != "" {
		attr(&b, "data-code", c)
	}
	b.WriteString(">\n<header>")
	if c := codeOf(step); c != "" && step.Kind == trace.Reply {
		b.WriteString(`<span class="big-code">` + esc(c) + "</span>")
		if step.Enhanced != "" {
			b.WriteString(` <span class="enhanced">` + esc(step.Enhanced) + "</span>")
		}
		if step.RespCode != "" {
			b.WriteString(` <span class="enhanced">[` + esc(step.RespCode) + "]</span>")
		}
	} else if step.Verb != "" {
		b.WriteString(`<span class="big-code">` + esc(step.Verb) + "</span>")
	}
	title := e.Summary
	if title == "" {
		if step.Kind == trace.Reply {
			title = T(lang, "ex.reply")
		} else {
			title = T(lang, "ex.command")
		}
	}
	b.WriteString("<h3>" + esc(title) + "</h3></header>\n")
	b.WriteString(`<p class="line"><code>` + esc(step.TranscriptLine()) + "</code>")
	if step.ReplyTo != "" && step.Kind == trace.Reply {
		b.WriteString(` <span class="answers">` + esc(Tf(lang, "ex.answers", "verb", step.ReplyTo)) + "</span>")
	}
	b.WriteString("</p>\n<dl>\n")
	if e.Class != "" {
		b.WriteString("<dt>" + esc(T(lang, "ex.class")) + "</dt><dd>" + esc(e.Class) + "</dd>\n")
	}
	if step.Enhanced != "" && enhancedMeaning != "" {
		b.WriteString("<dt>" + esc(T(lang, "ex.enhanced")) + "</dt><dd><code>" + esc(step.Enhanced) + "</code> " + esc(enhancedMeaning) + "</dd>\n")
	}
	b.WriteString("</dl>\n")
	if e.Detail != "" {
		b.WriteString(`<p class="detail">` + esc(e.Detail) + "</p>\n")
	}
	if e.Next != "" {
		b.WriteString("<h4>" + esc(T(lang, "ex.next")) + "</h4>\n<p class=\"next\">" + esc(e.Next) + "</p>\n")
	}
	if step.Fault != "" {
		b.WriteString(`<p class="fault">` + esc(T(lang, "ex.fault")) + " <code>" + esc(step.Fault) + "</code></p>\n")
	}
	if e.RFC != "" {
		b.WriteString(`<p class="rfc">` + esc(T(lang, "ex.rfc")) + " ")
		if rfcURL != "" {
			b.WriteString("<a")
			attr(&b, "href", rfcURL)
			b.WriteString(` target="_blank" rel="noopener noreferrer">` + esc(e.RFC) + "</a>")
		} else {
			b.WriteString(esc(e.RFC))
		}
		b.WriteString("</p>\n")
	}
	b.WriteString("</article>\n")
	return b.String()
}
