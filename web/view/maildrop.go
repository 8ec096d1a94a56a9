package view

import (
	"strings"
	"time"

	"maillab/sim/trace"
)

// Maildrops renders every maildrop as it is at the end of the run: each
// stored message with its envelope and its raw text, the Received: header
// the accepting server added picked out, because that header is how a
// message's path is read afterwards. Each message has a download button
// (data-action="eml", data-box, data-msg) for the page to save it as .eml.
func Maildrops(t *trace.Trace, lang string) string {
	if t == nil {
		t = &trace.Trace{}
	}
	return maildrops(t, nil, T(lang, "mb.atEnd"), lang)
}

// MaildropsAt renders the maildrops as they are at the cursor: a message
// appears at the step that stored it (a store step naming its maildrop and
// UID); a message the trace has no store step for was there from the
// start. The trace keeps only the messages still there at the end, so a
// message POP3 removed later cannot be shown before its removal either.
func MaildropsAt(t *trace.Trace, cursor int, lang string) string {
	if t == nil {
		t = &trace.Trace{}
	}
	cur := clampCursor(t, cursor)
	if cur == len(t.Steps)-1 {
		return Maildrops(t, lang)
	}
	storedAt := map[string]int{}
	for i, s := range t.Steps {
		if s.Kind == trace.Store && s.Box != "" && s.UID != "" {
			if _, ok := storedAt[s.Box+"\x00"+s.UID]; !ok {
				storedAt[s.Box+"\x00"+s.UID] = i
			}
		}
	}
	visible := func(mb trace.Mailbox, m trace.Message) bool {
		i, ok := storedAt[mb.Host+"/"+mb.User+"\x00"+m.UID]
		return !ok || i <= cur
	}
	return maildrops(t, visible, T(lang, "mb.atStep"), lang)
}

// maildrops renders the maildrops, with only the messages visible says
// (nil: all of them), under a note saying when they are shown.
func maildrops(t *trace.Trace, visible func(trace.Mailbox, trace.Message) bool, note, lang string) string {
	var b strings.Builder
	b.WriteString(`<div class="maildrops">` + "\n")
	if len(t.Mailboxes) == 0 {
		b.WriteString(`<p class="empty">` + esc(T(lang, "mb.none")) + "</p>\n</div>\n")
		return b.String()
	}
	b.WriteString(`<p class="note">` + esc(note) + "</p>\n")
	for bi, mb := range t.Mailboxes {
		var msgs []int
		for mi, m := range mb.Messages {
			if visible == nil || visible(mb, m) {
				msgs = append(msgs, mi)
			}
		}
		b.WriteString("<section")
		attr(&b, "class", "maildrop")
		attr(&b, "data-box", itoa(bi))
		b.WriteString(">\n<h4><code>" + esc(mb.User+"@"+mb.Host) + "</code> <span class=\"count\">")
		switch len(msgs) {
		case 0:
			b.WriteString(esc(T(lang, "mb.empty")))
		case 1:
			b.WriteString(esc(T(lang, "mb.one")))
		default:
			b.WriteString(esc(Tf(lang, "mb.count", "n", itoa(len(msgs)))))
		}
		b.WriteString("</span></h4>\n")
		for _, mi := range msgs {
			m := mb.Messages[mi]
			b.WriteString("<article")
			attr(&b, "class", "message")
			attr(&b, "data-uid", m.UID)
			b.WriteString(">\n<dl class=\"meta\"><dt>" + esc(T(lang, "mb.envFrom")) + "</dt><dd><code>" + esc("<"+m.From+">") + "</code></dd>")
			b.WriteString("<dt>" + esc(T(lang, "mb.envTo")) + "</dt><dd>")
			for i, to := range m.To {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("<code>" + esc("<"+to+">") + "</code>")
			}
			b.WriteString("</dd><dt>UID</dt><dd><code>" + esc(m.UID) + "</code></dd></dl>\n")
			b.WriteString(`<button type="button" class="download" data-action="eml"`)
			attr(&b, "data-box", itoa(bi))
			attr(&b, "data-msg", itoa(mi))
			attr(&b, "aria-label", T(lang, "mb.download")+": "+m.UID)
			b.WriteString(">" + esc(T(lang, "mb.download")) + "</button>\n")
			rawMessage(&b, m.Raw, lang)
			b.WriteString("</article>\n")
		}
		b.WriteString("</section>\n")
	}
	b.WriteString("</div>\n")
	return b.String()
}

// rawMessage writes a message's text with header names marked, Received:
// fields (with their folded continuation lines) highlighted, and the
// boundary between header and body labelled.
func rawMessage(b *strings.Builder, raw, lang string) {
	raw = strings.ReplaceAll(raw, "\r\n", "\n")
	lines := strings.Split(strings.TrimSuffix(raw, "\n"), "\n")
	b.WriteString(`<pre class="raw"><code>`)
	inHeader, inReceived := true, false
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		if !inHeader {
			b.WriteString(esc(l))
			continue
		}
		if l == "" {
			inHeader, inReceived = false, false
			continue
		}
		folded := l[0] == ' ' || l[0] == '\t'
		if !folded {
			inReceived = false
			if c := strings.IndexByte(l, ':'); c > 0 {
				name := l[:c]
				if strings.EqualFold(name, "Received") {
					inReceived = true
				}
				if inReceived {
					b.WriteString(`<mark class="received"` + ` title="` + esc(T(lang, "mb.received")) + `">`)
				}
				b.WriteString(`<span class="hname">` + esc(name) + "</span>" + esc(l[c:]))
				if inReceived {
					b.WriteString("</mark>")
				}
				continue
			}
		}
		if inReceived {
			b.WriteString(`<mark class="received">` + esc(l) + "</mark>")
		} else {
			b.WriteString(esc(l))
		}
	}
	b.WriteString("</code></pre>\n")
}

// ServerLog renders the servers' mail log up to the cursor's step, one line per entry in the shape of Postfix's maillog
// ("Mar  2 09:00:01 mail postfix/smtpd[1234]: NOQUEUE: reject: RCPT from …").
// Rejections, deferrals and bounces get classes so the page can pick them
// out: reading the log is how troubleshooting is taught.
func ServerLog(t *trace.Trace, cursor int, lang string) string {
	if t == nil {
		t = &trace.Trace{}
	}
	cur := clampCursor(t, cursor)
	var b strings.Builder
	b.WriteString(`<ol class="log"`)
	attr(&b, "aria-label", T(lang, "log.title"))
	b.WriteString(">\n")
	n := 0
	if cur >= 0 {
		// Lines the engine placed in the dialogue (LogLine.Step) are cut
		// exactly at the cursor; older traces only have the time.
		byStep := false
		for _, l := range t.Log {
			byStep = byStep || l.Step > 0
		}
		limit := t.Steps[cur].At
		for _, l := range t.Log {
			if byStep && l.Step > cur+1 || !byStep && l.At > limit {
				continue
			}
			n++
			b.WriteString("<li")
			if c := logClass(l.Text); c != "" {
				attr(&b, "class", c)
			}
			b.WriteString("><time")
			attr(&b, "datetime", t.Start.Add(l.At).UTC().Format(time.RFC3339))
			b.WriteString(">" + esc(t.Start.Add(l.At).UTC().Format(time.Stamp)) + "</time> ")
			b.WriteString(`<span class="host">` + esc(shortHost(l.Host)) + "</span> ")
			b.WriteString(`<span class="msg">` + esc(l.Text) + "</span></li>\n")
		}
	}
	if n == 0 {
		b.WriteString(`<li class="empty">` + esc(T(lang, "log.empty")) + "</li>\n")
	}
	b.WriteString("</ol>\n")
	return b.String()
}

// shortHost is what syslog writes for a host: its first label.
func shortHost(h string) string {
	if i := strings.IndexByte(h, '.'); i > 0 {
		return h[:i]
	}
	return h
}

// logClass classifies a Postfix log line by what a person hunting a problem
// looks for first.
func logClass(text string) string {
	switch {
	case strings.Contains(text, "reject:"):
		return "reject"
	case strings.Contains(text, "status=bounced"):
		return "bounced"
	case strings.Contains(text, "status=deferred"):
		return "deferred"
	case strings.Contains(text, "status=sent"):
		return "sent"
	case strings.Contains(text, "warning:"), strings.Contains(text, "lost connection"), strings.Contains(text, "timeout"):
		return "warning"
	case strings.Contains(text, "fatal:"), strings.Contains(text, "error:"):
		return "error"
	}
	return ""
}
