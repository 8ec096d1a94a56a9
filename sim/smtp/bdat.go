package smtp

import (
	"strconv"
	"strings"

	"maillab/sim/trace"
	"maillab/sim/wire"
)

// bdat handles "BDAT size [LAST]" (RFC 3030 §2). Exactly size octets follow
// the command line, without dot-stuffing. Out of sequence, the chunk is
// still read and thrown away, then refused, so the stream stays in step.
func (s *Server) bdat(arg string) {
	f := strings.Fields(arg)
	size := firstOr(f, "")
	n, err := strconv.Atoi(size)
	last := len(f) == 2 && strings.EqualFold(f[1], "LAST")
	// chunk-size = 1*DIGIT (RFC 3030 §2): no sign, no spaces inside.
	if len(f) == 0 || len(f) > 2 || err != nil || !isDigits(size) || (len(f) == 2 && !last) {
		// The size is unknown, so the octets that follow cannot be told
		// apart from commands: refuse and close ([impl], PROTOCOL.md §1.2).
		s.failed("BDAT", R(501, "5.5.4", "Syntax: BDAT size [LAST]", "RFC 3030 §2"))
		s.close("")
		return
	}
	s.txn.inChunk, s.txn.chunkLeft, s.txn.chunkSize, s.txn.chunkLast = true, n, n, last
	s.txn.chunkDrop = s.bdatRefusal().Code != 0
	if !s.txn.chunkDrop {
		s.txn.usedBDAT = true
	}
	if n == 0 {
		s.readChunk()
	}
}

// readChunk consumes octets of the current chunk; it returns false when it
// needs more input.
func (s *Server) readChunk() bool {
	take := s.txn.chunkLeft
	if take > s.in.Buffered() {
		take = s.in.Buffered()
	}
	if take == 0 && s.txn.chunkLeft > 0 {
		return false
	}
	b := s.in.Take(take)
	s.txn.chunkLeft -= take
	if !s.txn.chunkDrop {
		for _, l := range wire.SplitLines(string(b)) {
			s.recv(trace.Data, l, "")
		}
		s.txn.size += int64(len(b))
		if s.txn.size > s.cfg.MaxMessageBytes {
			s.txn.tooBig = true
			s.txn.body = nil
		} else {
			// Kept raw: a CR LF may be split between two reads or two
			// chunks; the line ends are converted once, after LAST.
			s.txn.body = append(s.txn.body, b...)
		}
	}
	if s.txn.chunkLeft > 0 {
		return true
	}
	s.txn.inChunk = false
	verb := "BDAT"
	if s.txn.chunkDrop {
		s.failed(verb, s.bdatRefusal())
		return true
	}
	if s.txn.chunkLast {
		s.cause = "BDAT LAST"
		s.txn.body = chunkText(s.txn.body)
		s.endOfData()
		return true
	}
	s.count(verb, true)
	s.reply(R(250, "2.0.0", "Ok: "+strconv.Itoa(s.txn.chunkSize)+" octets received", "RFC 3030 §2"), verb, "")
	s.setState(StateBDAT)
	return true
}

// bdatRefusal is the reply a BDAT gets after its chunk has been read and
// thrown away, or a zero Reply when the chunk belongs to the transaction.
// The same overlays as for other commands apply (RFC 3207 §4, RFC 4954 §6).
func (s *Server) bdatRefusal() Reply {
	switch {
	case s.state == StateRejected:
		return replyBadSeq.withRFC("RFC 5321 §3.1")
	case s.cfg.TLS == "required" && !s.tls:
		return replyTLSReq
	case s.authRequired():
		return replyAuthReq
	case s.state != StateRcpt && s.state != StateBDAT:
		return s.sequenceError("BDAT")
	}
	return Reply{}
}

// chunkText turns the octets of all chunks into stored text: CR LF becomes
// LF, a stray CR becomes a space as in DATA (Postfix does the same), and the
// last line gets its line end if the client left it off.
func chunkText(b []byte) []byte {
	out := make([]byte, 0, len(b)+1)
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n':
			// the LF is copied next time round
		case b[i] == '\r':
			out = append(out, ' ')
		default:
			out = append(out, b[i])
		}
	}
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return out
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func firstOr(f []string, def string) string {
	if len(f) == 0 {
		return def
	}
	return f[0]
}
