package pop3

import (
	"strconv"

	"maillab/sim/mailstore"
	"maillab/sim/wire"
)

// session is the maildrop as one logged-in POP3 session sees it: numbered
// from 1 at login, sized, with deletion marks that only UPDATE acts on
// (RFC 1939 §5, §6).
type session struct {
	user   string
	method string // for the log: PLAIN (USER/PASS and AUTH PLAIN) or APOP
	md     mailstore.Maildrop
	msgs   []message
	size   int64 // octets of the whole maildrop at login, for the log

	top, topBytes, retr, retrBytes int64 // for the log's "top=" and "retr="
}

// message is one message of the session.
type message struct {
	uid     string
	size    int64 // octets on the wire (RFC 1939 §11)
	utf8    bool  // its header has non-ASCII octets (RFC 6856 §2.1)
	deleted bool
}

// openSession numbers and sizes the maildrop. Sizes are computed here,
// once, as RFC 1939 §11 suggests, so LIST and STAT agree with what RETR
// will send.
func openSession(user, method string, md mailstore.Maildrop) *session {
	ss := &session{user: user, method: method, md: md}
	for _, e := range md.List() {
		m := message{uid: e.UID, size: e.Size}
		if b, err := md.Read(e.UID); err == nil {
			m.size = wireSize(b)
			m.utf8 = headerNeedsUTF8(b)
		}
		ss.msgs = append(ss.msgs, m)
		ss.size += m.size
	}
	return ss
}

// wireSize counts a message's octets as RETR sends them: every line ends
// in CRLF, whatever ended it in the store (a stored LF counts as two octets,
// RFC 1939 §11), and the stuffing dots are not counted. It matches
// wire.SplitLines + wire.JoinCRLF without building either.
func wireSize(b []byte) int64 {
	var n int64
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\r':
			n += 2
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
		case '\n':
			n += 2
		default:
			n++
		}
	}
	if len(b) > 0 && b[len(b)-1] != '\n' && b[len(b)-1] != '\r' {
		n += 2 // the last line gets a CRLF on the wire
	}
	return n
}

// headerNeedsUTF8 reports whether the header section has octets outside
// ASCII (an RFC 6532 internationalised header). Such a message must not be
// sent as is before the client enabled UTF-8 mode (RFC 6856 §2.1).
func headerNeedsUTF8(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] == '\n' && (i+1 == len(b) || b[i+1] == '\n' || (b[i+1] == '\r' && i+2 < len(b) && b[i+2] == '\n')) {
			return false // end of the header section
		}
		if b[i] >= 0x80 {
			return true
		}
	}
	return false
}

// lines reads message n (1-based, already checked) and splits it into the
// lines RETR sends, unstuffed.
func (ss *session) lines(i int) ([]string, error) {
	b, err := ss.md.Read(ss.msgs[i].uid)
	if err != nil {
		return nil, err
	}
	return wire.SplitLines(string(b)), nil
}

// lookup turns a message-number argument into an index. The error text is
// the -ERR to send: RFC 1939 §5 forbids referring to a deleted message.
func (ss *session) lookup(arg string) (int, string) {
	n, ok := parseNumber(arg)
	if !ok {
		return 0, "-ERR Invalid message number: " + quoteArg(arg) + " (RFC 1939 §5)"
	}
	if n < 1 || n > len(ss.msgs) {
		return 0, "-ERR No such message, only " + plural(len(ss.msgs), "message") + " in maildrop"
	}
	if ss.msgs[n-1].deleted {
		return 0, "-ERR Message " + strconv.Itoa(n) + " already deleted"
	}
	return n - 1, ""
}

// live counts the messages not marked deleted and their octets, as STAT,
// LIST and RSET report them (RFC 1939 §5).
func (ss *session) live() (count int, octets int64) {
	for _, m := range ss.msgs {
		if !m.deleted {
			count++
			octets += m.size
		}
	}
	return count, octets
}

// marked lists the UIDs of the messages marked deleted.
func (ss *session) marked() []string {
	var uids []string
	for _, m := range ss.msgs {
		if m.deleted {
			uids = append(uids, m.uid)
		}
	}
	return uids
}

// parseNumber reads a message number or line count: decimal digits only
// (no sign, no spaces), small enough to be an int.
func parseNumber(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// quoteArg shows an argument in a reply without letting control characters,
// non-ASCII octets (RFC 6856 §2.1) or a long argument through (a reply line is at most 512 octets, RFC 2449 §4).
func quoteArg(s string) string {
	long := len(s) > 20
	if long {
		s = s[:20]
	}
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			b = append(b, '?')
		} else {
			b = append(b, c)
		}
	}
	if long {
		b = append(b, "..."...)
	}
	return string(append(b, '"'))
}

// plural spells "1 message", "2 messages".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
