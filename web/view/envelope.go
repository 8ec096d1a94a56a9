package view

import (
	"strings"

	"maillab/sim/trace"
)

// txn is one SMTP mail transaction (MAIL … end of data, or until RSET,
// QUIT or the connection ends), as far as the dialogue has got.
type txn struct {
	conn      int
	server    string
	from      string
	fromStep  int // the MAIL command
	fromReply int // its reply, -1 while pending
	rcpts     []rcpt
	dataStep  int // the DATA command, -1 if not sent
	dataReply int // its reply (354 or a refusal), -1 while pending
	eodReply  int // the reply to the final ".", -1 while pending
	abandoned bool
}

type rcpt struct {
	addr  string
	step  int
	reply int // -1 while pending
}

// slot is a command waiting for its reply. Replies come back in the order
// the commands were sent, even when the client pipelines (RFC 2920 §3.1), so
// one queue per connection pairs them.
type slot struct {
	kind string // "mail", "rcpt", "data", "eod", "other"
	tx   *txn
	n    int // recipient index for "rcpt"
}

// transactions rebuilds the SMTP transactions from the steps up to cur. The
// trace's own Envelopes are the end result; the page needs the envelope as
// it grows while the student steps, so it is derived from the dialogue.
func transactions(t *trace.Trace, cur int) []*txn {
	var out []*txn
	queue := map[int][]slot{}
	open := map[int]*txn{}
	for i := 0; i <= cur; i++ {
		s := t.Steps[i]
		if s.Proto != "" && !strings.EqualFold(s.Proto, "smtp") {
			continue
		}
		c := s.Conn
		switch {
		case s.Kind == trace.Command && !s.ByServer:
			verb := strings.ToUpper(s.Verb)
			if verb == "" {
				verb = strings.ToUpper(firstWord(s.Text))
			}
			tx := open[c]
			sl := slot{kind: "other"}
			switch verb {
			case "MAIL":
				if tx != nil && tx.eodReply < 0 && tx.dataStep < 0 {
					// A second MAIL while one is open is a sequence error
					// (503); it does not start a new envelope.
					break
				}
				tx = &txn{conn: c, server: s.To, from: pathOf(s.Text), fromStep: i, fromReply: -1, dataStep: -1, dataReply: -1, eodReply: -1}
				open[c] = tx
				out = append(out, tx)
				sl = slot{kind: "mail", tx: tx}
			case "RCPT":
				if tx != nil {
					tx.rcpts = append(tx.rcpts, rcpt{addr: pathOf(s.Text), step: i, reply: -1})
					sl = slot{kind: "rcpt", tx: tx, n: len(tx.rcpts) - 1}
				}
			case "DATA":
				if tx != nil {
					tx.dataStep = i
					sl = slot{kind: "data", tx: tx}
				}
			case "RSET", "QUIT", "EHLO", "HELO":
				if tx != nil && tx.eodReply < 0 {
					tx.abandoned = true
				}
				delete(open, c)
			}
			queue[c] = append(queue[c], sl)
		case s.Kind == trace.Data && !s.ByServer && s.Text == ".":
			queue[c] = append(queue[c], slot{kind: "eod", tx: open[c]})
		case s.Kind == trace.Reply && !s.More:
			q := queue[c]
			if len(q) == 0 {
				continue // the greeting, or an unsolicited 421
			}
			sl := q[0]
			queue[c] = q[1:]
			if sl.tx == nil {
				continue
			}
			switch sl.kind {
			case "mail":
				sl.tx.fromReply = i
				if s.Class() != 2 {
					delete(open, c)
				}
			case "rcpt":
				sl.tx.rcpts[sl.n].reply = i
			case "data":
				sl.tx.dataReply = i
			case "eod":
				sl.tx.eodReply = i
				delete(open, c)
			}
		case s.Kind == trace.Close:
			if tx := open[c]; tx != nil && tx.eodReply < 0 {
				tx.abandoned = true
			}
			delete(open, c)
			delete(queue, c)
		}
	}
	return out
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " :"); i >= 0 {
		return s[:i]
	}
	return s
}

// pathOf takes the address out of "MAIL FROM:<a@b> SIZE=10" or
// "RCPT TO:<b@c>": what is between the angle brackets, or failing that the
// word after the colon.
func pathOf(line string) string {
	if i := strings.IndexByte(line, '<'); i >= 0 {
		if j := strings.IndexByte(line[i:], '>'); j >= 0 {
			return line[i+1 : i+j]
		}
	}
	if i := strings.IndexByte(line, ':'); i >= 0 {
		rest := strings.TrimSpace(line[i+1:])
		if j := strings.IndexByte(rest, ' '); j >= 0 {
			rest = rest[:j]
		}
		return rest
	}
	return ""
}

// Envelope renders the SMTP envelopes of the session up to the cursor: for
// each transaction the sender, every recipient with the server's verdict,
// and what became of the message. A refused recipient stays visible beside
// the accepted ones, because "some recipients were refused" is one of the
// lessons.
func Envelope(t *trace.Trace, cursor int, lang string) string {
	if t == nil {
		t = &trace.Trace{}
	}
	cur := clampCursor(t, cursor)
	txs := transactions(t, cur)
	var b strings.Builder
	b.WriteString(`<div class="envelopes">` + "\n")
	if len(txs) == 0 {
		b.WriteString(`<p class="empty">` + esc(T(lang, "env.none")) + "</p>\n</div>\n")
		return b.String()
	}
	for _, tx := range txs {
		cls := "envelope"
		if tx.abandoned {
			cls += " abandoned"
		}
		if tx.eodReply < 0 && !tx.abandoned {
			cls += " open"
		}
		b.WriteString("<article")
		attr(&b, "class", cls)
		attr(&b, "data-conn", itoa(tx.conn))
		b.WriteString(">\n<h4>" + esc(Tf(lang, "env.conn", "n", itoa(tx.conn), "server", tx.server)) + "</h4>\n<dl>\n")

		// Sender.
		b.WriteString("<dt>" + esc(T(lang, "env.from")) + "</dt>\n<dd")
		attr(&b, "class", verdictClass(t, tx.fromReply))
		b.WriteString(">")
		if tx.from == "" {
			b.WriteString("<code>&lt;&gt;</code> " + esc(T(lang, "env.nullSender")))
		} else {
			b.WriteString("<code>" + esc(tx.from) + "</code>")
		}
		envVerdict(&b, t, tx.fromReply, lang, "")
		b.WriteString("</dd>\n")

		// Recipients.
		b.WriteString("<dt>" + esc(T(lang, "env.to")) + "</dt>\n<dd>")
		if len(tx.rcpts) == 0 {
			b.WriteString(`<span class="pending">` + esc(T(lang, "env.noRcpt")) + "</span>")
		} else {
			b.WriteString(`<ul class="rcpts">`)
			for _, r := range tx.rcpts {
				b.WriteString("<li")
				attr(&b, "class", verdictClass(t, r.reply))
				attr(&b, "data-step", itoa(r.step))
				b.WriteString("><code>" + esc(r.addr) + "</code>")
				envVerdict(&b, t, r.reply, lang, "")
				b.WriteString("</li>")
			}
			b.WriteString("</ul>")
		}
		b.WriteString("</dd>\n")

		// The message.
		b.WriteString("<dt>" + esc(T(lang, "env.data")) + "</dt>\n<dd")
		switch {
		case tx.eodReply >= 0:
			attr(&b, "class", verdictClass(t, tx.eodReply))
			b.WriteString(">")
			word := ""
			if s := t.Steps[tx.eodReply]; s.Class() == 2 {
				if id := queueID(s.Text); id != "" {
					word = Tf(lang, "env.queued", "id", id)
				}
			}
			envVerdict(&b, t, tx.eodReply, lang, word)
		case tx.dataReply >= 0 && t.Steps[tx.dataReply].Class() != 3:
			attr(&b, "class", verdictClass(t, tx.dataReply))
			b.WriteString(">")
			envVerdict(&b, t, tx.dataReply, lang, "")
		case tx.abandoned:
			b.WriteString(` class="abandoned">` + esc(T(lang, "env.abandoned")))
		case tx.dataStep >= 0:
			b.WriteString(` class="pending">` + esc(T(lang, "env.sending")))
		default:
			b.WriteString(` class="pending">` + esc(T(lang, "env.notYet")))
		}
		b.WriteString("</dd>\n</dl>\n</article>\n")
	}
	b.WriteString(`<p class="note">` + esc(T(lang, "env.explainNote")) + "</p>\n</div>\n")
	return b.String()
}

// verdictClass is the CSS class of a reply's verdict: ok, temp, perm or pending.
func verdictClass(t *trace.Trace, reply int) string {
	if reply < 0 {
		return "pending"
	}
	switch t.Steps[reply].Class() {
	case 2, 3:
		return "ok"
	case 4:
		return "temp"
	}
	return "perm"
}

// envVerdict writes the verdict (word, or the class's word when it is "")
// and the reply code (a button that explains it), or "waiting for the
// reply".
func envVerdict(b *strings.Builder, t *trace.Trace, reply int, lang, word string) {
	if reply < 0 {
		b.WriteString(` <span class="verdict">` + esc(T(lang, "env.pending")) + "</span>")
		return
	}
	s := t.Steps[reply]
	switch {
	case word != "":
	case s.Class() == 2 || s.Class() == 3:
		word = T(lang, "env.accepted")
	case s.Class() == 4:
		word = T(lang, "env.temporary")
	default:
		word = T(lang, "env.refused")
	}
	b.WriteString(` <span class="verdict">` + esc(word) + "</span> ")
	label := itoa(s.Code)
	if s.Enhanced != "" {
		label += " " + s.Enhanced
	}
	codeButton(b, reply, s, label, lang)
}

// queueID finds the queue id in "250 2.0.0 Ok: queued as 1A2B3C4D5E".
func queueID(text string) string {
	const marker = "queued as "
	i := strings.Index(text, marker)
	if i < 0 {
		return ""
	}
	id := text[i+len(marker):]
	if j := strings.IndexAny(id, " ;,"); j >= 0 {
		id = id[:j]
	}
	return id
}
