// Package wire holds the line framing that SMTP and POP3 share: splitting a
// byte stream into CRLF lines, dot-stuffing outgoing text (RFC 5321 §4.5.2,
// RFC 1939 §3) and reading dot-terminated text back without ever taking
// anything but CR LF "." CR LF as its end (RFC 5321 §4.1.1.4; the SMTP
// smuggling defence of PROTOCOL.md §1.8).
//
// Everything here is pure: bytes in, lines out, no I/O.
package wire

import "bytes"

// CRLF is the only line terminator either protocol recognises (RFC 5321 §2.3.8).
const CRLF = "\r\n"

// Line is one line taken off the wire, without its terminator.
type Line struct {
	Text string
	// BareLF is set when the line ended in a lone LF instead of CR LF.
	BareLF bool
	// TooLong is set when the line exceeded the splitter's limit; Text then
	// holds only the first Limit octets and the rest of the line was discarded.
	TooLong bool
}

// Splitter cuts a byte stream into lines. Feed it bytes as they arrive (split
// anywhere) and take lines with Next. It never loses input: bytes after the
// last terminator stay buffered until more arrive.
type Splitter struct {
	// Limit is the longest line, terminator included, that is kept whole
	// (512 for an SMTP command line, RFC 5321 §4.5.3.1.4). Zero means no limit.
	Limit int
	// AcceptBareLF makes a lone LF end a line (reported with BareLF set). When
	// false, a lone LF is kept inside the line as an ordinary byte.
	AcceptBareLF bool

	buf      []byte
	base     []byte // the whole array under buf, reused once buf is taken
	skipping bool   // discarding the rest of an over-long line
}

// maxKeptBuffer bounds the buffer a splitter keeps while it holds nothing.
const maxKeptBuffer = 64 << 10

// Feed appends bytes received from the peer.
func (s *Splitter) Feed(b []byte) {
	if len(s.buf) == 0 {
		// Everything was taken: start again at the front of the array
		// instead of growing a new one.
		if cap(s.base) > maxKeptBuffer {
			s.base = nil
		}
		s.buf = s.base[:0]
	} else if n := len(s.buf); n+len(b) <= cap(s.base) && cap(s.buf) < n+len(b) {
		// A partial line is left at the end of the array: move it to the front.
		s.buf = s.base[:copy(s.base[:n], s.buf)]
	}
	s.buf = append(s.buf, b...)
	if cap(s.buf) > cap(s.base) {
		s.base = s.buf[:0]
	}
}

// Recycle empties the splitter and returns its memory for another splitter
// (Reuse): a server that accepts thousands of connections then grows the
// same few buffers instead of a new one per connection.
func (s *Splitter) Recycle() []byte {
	b := s.base[:0]
	s.buf, s.base, s.skipping = nil, nil, false
	return b
}

// Reuse gives an empty splitter memory that Recycle returned.
func (s *Splitter) Reuse(b []byte) {
	if len(s.buf) == 0 && cap(b) <= maxKeptBuffer {
		s.base = b[:0]
	}
}

// Buffered is the number of octets received but not yet returned as lines.
func (s *Splitter) Buffered() int { return len(s.buf) }

// Take removes and returns up to n raw octets from the buffer (used for BDAT
// chunks, which are counted in octets, not lines: RFC 3030 §2).
func (s *Splitter) Take(n int) []byte {
	if n > len(s.buf) {
		n = len(s.buf)
	}
	out := append([]byte(nil), s.buf[:n]...)
	s.buf = s.buf[n:]
	return out
}

// Rest removes and returns every buffered octet.
func (s *Splitter) Rest() []byte { return s.Take(len(s.buf)) }

// Next returns the next complete line, or ok=false when more bytes are needed.
func (s *Splitter) Next() (line Line, ok bool) {
	for {
		end, termLen, bare := s.findEnd()
		if end < 0 {
			if s.Limit > 0 && len(s.buf) > s.Limit {
				// Over the limit with no end in sight: keep the first Limit
				// octets to report, drop the rest so memory stays bounded,
				// but keep a final CR: its LF may be in the next read.
				crTail := s.buf[len(s.buf)-1] == '\r'
				s.skipping = true
				s.buf = s.buf[:s.Limit:s.Limit]
				if crTail {
					s.buf = append(s.buf, '\r')
				}
			}
			return Line{}, false
		}
		text := string(s.buf[:end])
		total := end + termLen
		tooLong := s.skipping || (s.Limit > 0 && total > s.Limit)
		if tooLong && len(text) > s.Limit {
			text = text[:s.Limit]
		}
		s.buf = s.buf[total:]
		s.skipping = false
		return Line{Text: text, BareLF: bare, TooLong: tooLong}, true
	}
}

// findEnd locates the first line terminator: CR LF always, a lone LF only
// when AcceptBareLF is set.
func (s *Splitter) findEnd() (end, termLen int, bare bool) {
	from := 0
	for {
		i := bytes.IndexByte(s.buf[from:], '\n')
		if i < 0 {
			return -1, 0, false
		}
		i += from
		if i > 0 && s.buf[i-1] == '\r' {
			return i - 1, 2, false
		}
		if s.AcceptBareLF {
			return i, 1, true
		}
		from = i + 1
	}
}

// Stuff returns the lines of text ready to send as a dot-terminated block:
// a line that starts with "." gets one more "." (RFC 5321 §4.5.2, RFC 1939 §3).
// The terminating "." line is not included.
func Stuff(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		if len(l) > 0 && l[0] == '.' {
			l = "." + l
		}
		out[i] = l
	}
	return out
}

// Unstuff undoes Stuff for one received line. It reports end=true for the
// line that is exactly "." (the end of the block).
func Unstuff(line string) (text string, end bool) {
	if line == "." {
		return "", true
	}
	if len(line) > 1 && line[0] == '.' {
		return line[1:], false
	}
	return line, false
}

// SplitLines cuts a message into lines. CR LF, a lone LF and a lone CR all
// end a line, so text typed on any system comes out as lines that will be
// sent with CR LF. A final line terminator does not produce an empty line.
func SplitLines(text string) []string {
	if text == "" {
		return nil
	}
	var out []string
	start := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\r':
			out = append(out, text[start:i])
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			start = i + 1
		case '\n':
			out = append(out, text[start:i])
			start = i + 1
		}
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

// JoinCRLF joins lines with CR LF after each one.
func JoinCRLF(lines []string) []byte {
	n := 0
	for _, l := range lines {
		n += len(l) + 2
	}
	b := make([]byte, 0, n)
	for _, l := range lines {
		b = append(b, l...)
		b = append(b, '\r', '\n')
	}
	return b
}
