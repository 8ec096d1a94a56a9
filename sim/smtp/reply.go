package smtp

import (
	"strconv"
	"strings"
)

// Reply is one SMTP reply: a code, an optional enhanced status code (RFC 3463,
// sent when ENHANCEDSTATUSCODES applies: RFC 2034 §4), one or more lines of
// text, and the RFC section a student should read about it.
type Reply struct {
	Code     int
	Enhanced string
	Text     []string
	RFC      string
}

// R builds a one-line reply.
func R(code int, enhanced, text, rfc string) Reply {
	return Reply{Code: code, Enhanced: enhanced, Text: []string{text}, RFC: rfc}
}

// Lines renders the reply as wire lines (without CRLF): "250-…" on every line
// but the last, "250 …" on the last (RFC 5321 §4.2.1). The enhanced code
// prefixes every line's text (RFC 2034 §4); 3xx replies carry none.
func (r Reply) Lines() []string {
	out := make([]string, r.NumLines())
	for i := range out {
		out[i] = r.Line(i)
	}
	return out
}

// NumLines is the number of lines of the reply: at least one.
func (r Reply) NumLines() int { return max(len(r.Text), 1) }

// Line renders line i of the reply as Lines does, in one allocation: a
// server renders every reply it sends.
func (r Reply) Line(i int) string {
	t := ""
	if i < len(r.Text) {
		t = r.Text[i]
	}
	sep := byte(' ')
	if i < len(r.Text)-1 {
		sep = '-'
	}
	var buf [128]byte
	b := strconv.AppendInt(buf[:0], int64(r.Code), 10)
	b = append(b, sep)
	if r.Enhanced != "" && r.Code/100 != 3 {
		b = append(b, r.Enhanced...)
		if t != "" {
			b = append(b, ' ')
		}
	}
	b = appendPrintable(b, t)
	return string(b)
}

// appendPrintable appends t to b with every octet a reply text may not
// hold replaced by "?", as Postfix does: reply text is HT and printable
// US-ASCII only (RFC 5321 §4.2 textstring), so an echoed address or
// parameter can neither break the line with a CR nor put UTF-8 in a reply
// (RFC 6531 §3.7.4.2 forbids it).
func appendPrintable(b []byte, t string) []byte {
	start := len(b)
	b = append(b, t...)
	for j := start; j < len(b); j++ {
		if c := b[j]; c != '\t' && (c < 32 || c > 126) {
			b[j] = '?'
		}
	}
	return b
}

// String is the reply as one line (the last line of a multi-line reply is
// enough for logs: Postfix logs it that way too).
func (r Reply) String() string {
	l := r.Lines()
	return l[len(l)-1]
}

// Temporary and Permanent tell the reply classes apart (RFC 5321 §4.2.1).
func (r Reply) Temporary() bool { return r.Code/100 == 4 }
func (r Reply) Permanent() bool { return r.Code/100 == 5 }

// ParseReplyLine parses one reply line: its code, whether more lines follow
// ("250-"), and the text after the separator. ok is false when the line is not
// a reply line (RFC 5321 §4.2: exactly three digits, then SP, "-" or the end).
func ParseReplyLine(line string) (code int, more bool, text string, ok bool) {
	if len(line) < 3 {
		return 0, false, "", false
	}
	for i := 0; i < 3; i++ {
		if line[i] < '0' || line[i] > '9' {
			return 0, false, "", false
		}
	}
	code, _ = strconv.Atoi(line[:3])
	if code < 200 || code > 599 {
		return 0, false, "", false
	}
	if len(line) == 3 {
		return code, false, "", true
	}
	switch line[3] {
	case '-':
		return code, true, line[4:], true
	case ' ':
		return code, false, line[4:], true
	}
	return 0, false, "", false
}

// SplitEnhanced takes an enhanced status code off the front of a reply's
// text when there is one whose class matches the reply code (RFC 2034 §4).
func SplitEnhanced(code int, text string) (enhanced, rest string) {
	f := strings.SplitN(text, " ", 2)
	e := f[0]
	if !isEnhanced(e) || int(e[0]-'0') != code/100 {
		return "", text
	}
	if len(f) == 2 {
		return e, strings.TrimLeft(f[1], " ")
	}
	return e, ""
}

// isEnhanced reports whether s looks like class.subject.detail (RFC 3463 §2).
func isEnhanced(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || len(s) < 5 {
		return false
	}
	if parts[0] != "2" && parts[0] != "4" && parts[0] != "5" {
		return false
	}
	for _, p := range parts[1:] {
		if p == "" || len(p) > 3 {
			return false
		}
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return false
			}
		}
	}
	return true
}

// ParseReply turns a fault rule's reply line ("550 5.1.1 User unknown") into a Reply.
func ParseReply(line string) Reply {
	code, _, text, ok := ParseReplyLine(line)
	if !ok {
		return R(451, "4.3.0", line, "RFC 5321 §4.2")
	}
	enh, rest := SplitEnhanced(code, text)
	// No RFC of its own: the explanation of the code names the right section.
	return Reply{Code: code, Enhanced: enh, Text: []string{rest}}
}

// Canned replies, worded like Postfix's so that what students see here is
// what they will see from a real server.
var (
	replyOK            = R(250, "2.0.0", "Ok", "RFC 5321 §4.1.1.9")
	replyBye           = R(221, "2.0.0", "Bye", "RFC 5321 §4.1.1.10")
	replyMailOK        = R(250, "2.1.0", "Ok", "RFC 5321 §4.1.1.2")
	replyRcptOK        = R(250, "2.1.5", "Ok", "RFC 5321 §4.1.1.3")
	replyStartData     = Reply{Code: 354, Text: []string{"End data with <CR><LF>.<CR><LF>"}, RFC: "RFC 5321 §4.1.1.4"}
	replyUnknown       = R(500, "5.5.2", "Error: command not recognized", "RFC 5321 §4.2.4")
	replyTooLong       = R(500, "5.5.2", "Error: line too long", "RFC 5321 §4.5.3.1.4")
	replyNotImpl       = R(502, "5.5.1", "Error: command not implemented", "RFC 5321 §4.2.4")
	replyNeedHelo      = R(503, "5.5.1", "Error: send HELO/EHLO first", "RFC 5321 §4.1.4")
	replyNeedMail      = R(503, "5.5.1", "Error: need MAIL command", "RFC 5321 §4.1.4")
	replyNested        = R(503, "5.5.1", "Error: nested MAIL command", "RFC 5321 §4.1.4")
	replyNeedRcpt      = R(503, "5.5.1", "Error: need RCPT command", "RFC 5321 §4.1.4")
	replyPathTooLong   = R(501, "5.5.4", "Error: path too long", "RFC 5321 §4.5.3.1.3")
	replyDataAfterBDAT = R(503, "5.5.1", "Error: DATA after BDAT", "RFC 3030 §2")
	// After HELO no extension was advertised (RFC 5321 §3.2), so no
	// MAIL/RCPT parameter is implemented in this session (§4.1.1.11).
	replyParamAfterHelo = R(555, "5.5.4", "Error: parameters need EHLO", "RFC 5321 §4.1.1.11")
	replyInTxn          = R(503, "5.5.1", "Error: MAIL transaction in progress", "RFC 4954 §4")
	replyNoValid        = R(554, "5.5.1", "Error: no valid recipients", "RFC 5321 §3.3")
	replyBadSeq         = R(503, "5.5.1", "Error: bad sequence of commands", "RFC 5321 §4.1.4")
	replyAuthReq        = R(530, "5.7.0", "Authentication required", "RFC 4954 §6")
	replyTLSReq         = R(530, "5.7.0", "Must issue a STARTTLS command first", "RFC 3207 §4")
	replyTooMany        = R(452, "4.5.3", "Error: too many recipients", "RFC 5321 §4.5.3.1.10")
	replyTooBig         = R(552, "5.3.4", "Message size exceeds fixed limit", "RFC 1870 §6")
	replyStore          = R(451, "4.3.0", "Error: queue file write error", "RFC 5321 §4.2.5")
	replyFull           = R(452, "4.3.1", "Error: insufficient system storage", "RFC 5321 §4.5.3.1.10")
	replyVrfyOff        = R(252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery", "RFC 5321 §3.5.3")
	replyTLSGo          = R(220, "2.0.0", "Ready to start TLS", "RFC 3207 §4")
	replyTLSAgain       = R(503, "5.5.1", "Error: TLS already active", "RFC 3207 §4")
	replyAuthOK         = R(235, "2.7.0", "Authentication successful", "RFC 4954 §6")
	replyAuthFail       = R(535, "5.7.8", "Error: authentication failed", "RFC 4954 §6")
	replyAuthAgain      = R(503, "5.5.1", "Error: already authenticated", "RFC 4954 §4")
	replyAuthAbort      = R(501, "5.7.0", "Authentication aborted", "RFC 4954 §4")
	replyAuthB64        = R(501, "5.5.2", "Cannot decode response", "RFC 4954 §4")
	replyAuthMech       = R(504, "5.5.4", "Unsupported authentication mechanism", "RFC 4954 §4")
	replyAuthTLS        = R(538, "5.7.11", "Encryption required for requested authentication mechanism", "RFC 4954 §6")
	replyAuthLong       = R(500, "5.5.6", "Authentication exchange line is too long", "RFC 4954 §4")
	replyTooManyErrors  = R(421, "4.7.0", "Error: too many errors", "RFC 5321 §4.2.4")
	replyBareLF         = R(550, "5.5.2", "Error: bare <LF> received", "RFC 5321 §2.3.8")
	replyBareCR         = R(550, "5.5.2", "Error: bare <CR> received", "RFC 5321 §2.3.8")
	replyLongLine       = R(552, "5.3.4", "Error: message line longer than 1000 octets", "RFC 5321 §4.5.3.1.6")
)
