package pop3

import (
	"strconv"
	"strings"

	"maillab/sim/machine"
	"maillab/sim/trace"
)

// How a session ends. Only QUIT from TRANSACTION reaches UPDATE and removes
// the marked messages; every other end (QUIT before login, a dropped
// connection, the autologout timer, a drop fault) removes nothing and
// releases the lock (RFC 1939 §3, §6).

// cmdQUIT ends the session; from TRANSACTION it goes through UPDATE.
func (s *Server) cmdQUIT(args string) {
	if !s.noArgs("QUIT", args) {
		return
	}
	if s.state == Authorization {
		s.reply("QUIT", "+OK Logging out.", "RFC 1939 §4")
		s.closeConn("Disconnected: Logged out")
		return
	}
	s.setState(Update)
	uids := s.sess.marked()
	if err := s.sess.md.Commit(uids); err != nil {
		// RFC 1939 §6: some or none of the marked messages may be gone;
		// the lock is released either way.
		s.sess.md.Release()
		s.reply("QUIT", "-ERR Some deleted messages not removed", "RFC 1939 §6")
		s.setState(Closed).Action = machine.CloseConn
		s.log(s.disconnectLog("Disconnected: Logged out, UPDATE failed ("+err.Error()+")", 0))
		return
	}
	if len(uids) > 0 {
		s.add(trace.Step{Kind: trace.Store, Proto: proto, ServerState: s.state, RFC: "RFC 1939 §6",
			Text: "UPDATE: removed " + plural(len(uids), "message") + " from " + s.sess.user + "'s maildrop (uids " + strings.Join(uids, ", ") + ")"})
	}
	// Dovecot's words: "messages deleted" tells the student UPDATE removed them.
	bye := "+OK Logging out."
	if len(uids) > 0 {
		bye = "+OK Logging out, messages deleted."
	}
	s.reply("QUIT", bye, "RFC 1939 §6")
	s.setState(Closed).Action = machine.CloseConn
	s.log(s.disconnectLog("Disconnected: Logged out", len(uids)))
}

// endWithoutUpdate closes the session with nothing removed. close asks the
// driver to close the connection (the server's own decision); after Lost
// there is no connection left to close.
func (s *Server) endWithoutUpdate(logText string, close bool) {
	if s.sess != nil {
		if n := len(s.sess.marked()); n > 0 {
			s.add(trace.Step{Kind: trace.Note, Proto: proto, ServerState: s.state, RFC: "RFC 1939 §6", Fault: s.fault,
				Text: plural(n, "message") + " marked for deletion " + verbS(n, "stay") + " in the maildrop: no QUIT, so no UPDATE state (RFC 1939 §6)"})
		}
		s.sess.md.Release()
	}
	e := s.setState(Closed)
	if close {
		e.Action = machine.CloseConn
	}
	s.log(s.disconnectLog(logText, 0))
}

// disconnectLog is the Dovecot-style last log line of a session. del=
// counts the messages really removed, so a session that ended without
// UPDATE shows del=0 however many were marked.
func (s *Server) disconnectLog(reason string, removed int) string {
	if s.sess == nil {
		attempts := "no auth attempts"
		switch {
		case s.authTries > 0:
			attempts = "auth failed, " + strconv.Itoa(s.authTries) + " attempts"
		case s.lockFails > 0:
			attempts = "auth succeeded, maildrop locked"
		}
		rip := ""
		if s.cfg.Peer != "" {
			rip = ": rip=" + s.cfg.Peer
		}
		return "pop3-login: " + reason + " (" + attempts + ")" + rip
	}
	ss := s.sess
	return "pop3(" + ss.user + "): " + reason +
		" top=" + itoa64(ss.top) + "/" + itoa64(ss.topBytes) +
		", retr=" + itoa64(ss.retr) + "/" + itoa64(ss.retrBytes) +
		", del=" + strconv.Itoa(removed) + "/" + strconv.Itoa(len(ss.msgs)) +
		", size=" + itoa64(ss.size)
}

// verbS agrees a verb with a count: "1 message stays", "2 messages stay".
func verbS(n int, verb string) string {
	if n == 1 {
		return verb + "s"
	}
	return verb
}
