//go:build !js

package native

import (
	"strings"

	"maillab/sim/trace"
)

// envelopes rebuilds the SMTP transactions of a session from its steps, for
// the page's envelope panel: the reverse-path of MAIL, each RCPT with its
// verdict, and the reply to the end of data. Replies come in the order of
// the commands even when they are pipelined (RFC 2920 §3.2), so a queue of
// the RCPT commands seen pairs each reply with its address.
type envelopes struct {
	cur   *trace.Envelope
	rcpts []string // RCPT addresses awaiting their reply, oldest first
}

// see takes one step and returns an envelope when a transaction ends with
// a reply to its data.
func (v *envelopes) see(st *trace.Step) (trace.Envelope, bool) {
	switch {
	case st.Kind == trace.Command && !st.ByServer:
		switch st.Verb {
		case "MAIL":
			v.cur = &trace.Envelope{From: pathOf(st.Text)}
			v.rcpts = nil
		case "RCPT":
			v.rcpts = append(v.rcpts, pathOf(st.Text))
		case "RSET", "EHLO", "HELO":
			v.cur, v.rcpts = nil, nil
		}
	case st.Kind == trace.Reply && !st.More:
		switch st.ReplyTo {
		case "MAIL":
			if st.Class() != 2 {
				v.cur = nil
			}
		case "RCPT":
			if len(v.rcpts) == 0 || v.cur == nil {
				return trace.Envelope{}, false
			}
			addr := v.rcpts[0]
			v.rcpts = v.rcpts[1:]
			if st.Class() == 2 {
				v.cur.Accepted = append(v.cur.Accepted, addr)
			} else {
				v.cur.Refused = append(v.cur.Refused, addr+" ("+st.Text+")")
			}
		case "EOD":
			if v.cur == nil {
				return trace.Envelope{}, false
			}
			e := *v.cur
			e.Result = st.Text
			if _, id, ok := strings.Cut(st.Text, "queued as "); ok && st.Class() == 2 {
				e.QueueID = id
			}
			v.cur, v.rcpts = nil, nil
			return e, true
		}
	}
	return trace.Envelope{}, false
}

// pathOf returns the address between the angle brackets of a MAIL or RCPT line.
func pathOf(line string) string {
	open := strings.IndexByte(line, '<')
	if open < 0 {
		return ""
	}
	end := strings.IndexByte(line[open:], '>')
	if end < 0 {
		return ""
	}
	return line[open+1 : open+end]
}
