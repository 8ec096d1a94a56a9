package pop3

import (
	"strconv"
	"strings"
)

// The TRANSACTION state's commands (RFC 1939 §5, §7). Messages marked
// deleted are left out of every listing and cannot be named (RFC 1939 §5).

// noArgs answers -ERR when a command that takes no argument got one.
func (s *Server) noArgs(verb, args string) bool {
	if args == "" {
		return true
	}
	rfc := commandRFC(verb)
	s.reply(verb, "-ERR "+verb+" takes no arguments ("+rfc+")", rfc)
	return false
}

// cmdSTAT: "+OK nn mm", exactly, because clients parse it (RFC 1939 §5).
func (s *Server) cmdSTAT(args string) {
	if s.noArgs("STAT", args) {
		n, octets := s.sess.live()
		s.reply("STAT", "+OK "+strconv.Itoa(n)+" "+itoa64(octets), "RFC 1939 §5")
	}
}

func (s *Server) cmdLIST(args string) {
	s.listing("LIST", args, func(i int) string { return itoa64(s.sess.msgs[i].size) })
}

func (s *Server) cmdUIDL(args string) {
	s.listing("UIDL", args, func(i int) string { return s.sess.msgs[i].uid })
}

// listing is LIST and UIDL: one "n value" line for a message number, or a
// multi-line list of every live message.
func (s *Server) listing(verb, args string, value func(i int) string) {
	rfc := commandRFC(verb)
	if args != "" {
		if strings.Contains(args, " ") {
			s.reply(verb, "-ERR "+verb+" takes at most one argument ("+rfc+")", rfc)
			return
		}
		i, bad := s.sess.lookup(args)
		if bad != "" {
			s.reply(verb, bad, rfc)
			return
		}
		s.reply(verb, "+OK "+strconv.Itoa(i+1)+" "+value(i), rfc)
		return
	}
	var lines []string
	for i, m := range s.sess.msgs {
		if !m.deleted {
			lines = append(lines, strconv.Itoa(i+1)+" "+value(i))
		}
	}
	status := "+OK Unique-ID listing follows"
	if verb == "LIST" {
		n, octets := s.sess.live()
		status = "+OK " + plural(n, "message") + " (" + itoa64(octets) + " octets)"
	}
	s.multi(verb, status, lines, rfc)
}

// cmdRETR sends a whole message, byte-stuffed (RFC 1939 §5).
func (s *Server) cmdRETR(args string) {
	i, lines, ok := s.readArg("RETR", args)
	if !ok {
		return
	}
	size := s.sess.msgs[i].size
	s.sess.retr++
	s.sess.retrBytes += size
	s.multi("RETR", "+OK "+itoa64(size)+" octets", lines, "RFC 1939 §5")
}

// cmdTOP sends the header, the blank line and the first k body lines
// (RFC 1939 §7); k beyond the end sends the whole message.
func (s *Server) cmdTOP(args string) {
	f := strings.Fields(args)
	if len(f) != 2 {
		s.reply("TOP", "-ERR Usage: TOP msg n (RFC 1939 §7)", "RFC 1939 §7")
		return
	}
	k, okK := parseNumber(f[1])
	if !okK {
		s.reply("TOP", "-ERR Invalid line count: "+quoteArg(f[1])+" (RFC 1939 §7)", "RFC 1939 §7")
		return
	}
	_, lines, ok := s.readArg("TOP", f[0])
	if !ok {
		return
	}
	body := len(lines) // no blank line: all header, no body
	for j, l := range lines {
		if l == "" {
			body = j + 1
			break
		}
	}
	if end := body + k; end < len(lines) {
		lines = lines[:end]
	}
	s.sess.top++
	for _, l := range lines {
		s.sess.topBytes += int64(len(l)) + 2
	}
	s.multi("TOP", "+OK top of message follows", lines, "RFC 1939 §7")
}

// readArg resolves a message number and reads the message for RETR/TOP,
// answering -ERR itself when it cannot.
func (s *Server) readArg(verb, arg string) (int, []string, bool) {
	rfc := commandRFC(verb)
	if arg == "" || strings.Contains(arg, " ") {
		s.reply(verb, "-ERR Usage: "+verb+" msg ("+rfc+")", rfc)
		return 0, nil, false
	}
	i, bad := s.sess.lookup(arg)
	if bad != "" {
		s.reply(verb, bad, rfc)
		return 0, nil, false
	}
	if s.sess.msgs[i].utf8 && !s.utf8 {
		s.reply(verb, "-ERR [UTF8] Message "+strconv.Itoa(i+1)+" has UTF-8 headers: send UTF8 first", "RFC 6856 §5")
		return 0, nil, false
	}
	lines, err := s.sess.lines(i)
	if err != nil {
		s.reply(verb, "-ERR [SYS/TEMP] Cannot read message "+strconv.Itoa(i+1), "RFC 3206 §4")
		return 0, nil, false
	}
	return i, lines, true
}

// cmdDELE only marks: removal waits for UPDATE (RFC 1939 §5, §6).
func (s *Server) cmdDELE(args string) {
	if args == "" || strings.Contains(args, " ") {
		s.reply("DELE", "-ERR Usage: DELE msg (RFC 1939 §5)", "RFC 1939 §5")
		return
	}
	i, bad := s.sess.lookup(args)
	if bad != "" {
		s.reply("DELE", bad, "RFC 1939 §5")
		return
	}
	s.sess.msgs[i].deleted = true
	s.reply("DELE", "+OK Marked to be deleted.", "RFC 1939 §5")
}

func (s *Server) cmdNOOP(args string) {
	if s.noArgs("NOOP", args) {
		s.reply("NOOP", "+OK", "RFC 1939 §5")
	}
}

// cmdRSET unmarks every message (RFC 1939 §5).
func (s *Server) cmdRSET(args string) {
	if !s.noArgs("RSET", args) {
		return
	}
	for i := range s.sess.msgs {
		s.sess.msgs[i].deleted = false
	}
	n, octets := s.sess.live()
	s.reply("RSET", "+OK Maildrop has "+plural(n, "message")+" ("+itoa64(octets)+" octets)", "RFC 1939 §5")
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
