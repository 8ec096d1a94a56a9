package smtp

import (
	"crypto/subtle"
	"encoding/base64"
	"strings"

	"maillab/sim/trace"
	"maillab/sim/wire"
)

// saslExchange is the state of an AUTH exchange (RFC 4954 §4): which
// mechanism, which step, and the user name LOGIN has collected so far.
type saslExchange struct {
	mech     string // "PLAIN" or "LOGIN"
	user     string
	lastMech string // the mechanism of the last success, for the log
}

// The LOGIN prompts clients expect: base64 of "Username:" and "Password:"
// (PROTOCOL.md §1.7; the draft's own strings differ, clients do not care).
const (
	promptUsername = "VXNlcm5hbWU6"
	promptPassword = "UGFzc3dvcmQ6"
)

// authStart handles "AUTH mechanism [initial-response]".
func (s *Server) authStart(arg string) (Reply, bool) {
	switch {
	case s.cfg.Auth == "off":
		return replyNotImpl.withRFC("RFC 4954 §3"), false
	case s.cfg.AuthNeedsTLS && !s.tls:
		return replyAuthTLS, false
	case s.user != "":
		return replyAuthAgain, false
	}
	mech, ir, hasIR := strings.Cut(strings.TrimSpace(arg), " ")
	mech = strings.ToUpper(mech)
	if mech == "" {
		return R(501, "5.5.4", "Syntax: AUTH mechanism", "RFC 4954 §4"), false
	}
	if mech != "PLAIN" && mech != "LOGIN" {
		return replyAuthMech, false
	}
	s.auth.mech, s.auth.user = mech, ""
	if !hasIR {
		s.setState(StateAuth)
		if mech == "PLAIN" {
			// An empty challenge: "334 " with the trailing space (curl waits for it).
			return Reply{Code: 334, Text: []string{""}, RFC: "RFC 4954 §4"}, true
		}
		return Reply{Code: 334, Text: []string{promptUsername}, RFC: "RFC 4954 §4"}, true
	}
	// An initial response saves a round trip (RFC 4954 §4); "=" is an empty one.
	r, done := s.authStep(ir)
	if !done {
		s.setState(StateAuth)
	}
	return r, r.Code/100 != 5
}

// authLine handles a client line inside the exchange.
func (s *Server) authLine(line wire.Line) {
	s.recv(trace.Command, line.Text, "AUTH")
	if s.cfg.BareLF == "reject" && (line.BareLF || strings.IndexByte(line.Text, '\r') >= 0) {
		// The same framing policy as for commands (PROTOCOL.md §1.8).
		r := replyBareLF
		if !line.BareLF {
			r = replyBareCR
		}
		s.reply(r, "AUTH", "")
		s.count("auth", false)
		s.close("")
		return
	}
	if line.TooLong {
		s.finishAuth(replyAuthLong)
		return
	}
	if line.Text == "*" {
		s.finishAuth(replyAuthAbort) // the client cancelled (RFC 4954 §4)
		return
	}
	r, done := s.authStep(line.Text)
	if done {
		s.finishAuth(r)
		return
	}
	s.reply(r, "AUTH", "")
}

func (s *Server) finishAuth(r Reply) {
	s.reply(r, "AUTH", "")
	s.count("auth", r.Code == 235)
	s.setState(StateReady)
	s.countError(r)
}

// authStep takes one base64 response and says what comes next. done means
// the exchange is over and r is its final reply.
func (s *Server) authStep(b64 string) (r Reply, done bool) {
	var raw []byte
	if b64 != "=" {
		var err error
		raw, err = base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return replyAuthB64, true
		}
	}
	switch s.auth.mech {
	case "PLAIN":
		// [authzid] NUL authcid NUL passwd (RFC 4616 §2). A message of
		// another shape decoded fine, so it is not a 501 (that is for bad
		// base64, RFC 4954 §4): the exchange simply fails.
		parts := strings.Split(string(raw), "\x00")
		if len(parts) != 3 {
			s.log("warning: " + s.client() + ": SASL PLAIN authentication failed: malformed response")
			return replyAuthFail.withRFC("RFC 4616 §2"), true
		}
		if parts[0] != "" && parts[0] != parts[1] {
			// The credentials must permit acting as the authzid (RFC 4616
			// §2); here a user may act only as herself.
			s.log("warning: " + s.client() + ": SASL PLAIN authentication failed: " + parts[1] + " may not act as " + parts[0])
			return replyAuthFail.withRFC("RFC 4616 §2"), true
		}
		return s.checkLogin(parts[1], parts[2]), true
	default: // LOGIN
		if s.auth.user == "" {
			if len(raw) == 0 {
				// An empty user name ("=" or an empty line) cannot log in.
				s.log("warning: " + s.client() + ": SASL LOGIN authentication failed: empty user name")
				return replyAuthFail, true
			}
			s.auth.user = string(raw)
			return Reply{Code: 334, Text: []string{promptPassword}, RFC: "RFC 4954 §4"}, false
		}
		return s.checkLogin(s.auth.user, string(raw)), true
	}
}

func (s *Server) checkLogin(user, pass string) Reply {
	want, ok := s.cfg.Users[user]
	// In constant time, as the POP3 server compares: the reply's timing must
	// not tell a guesser how much of the password was right.
	if !ok || subtle.ConstantTimeCompare([]byte(want), []byte(pass)) != 1 {
		s.log("warning: " + s.client() + ": SASL " + s.auth.mech + " authentication failed: authentication failure")
		return replyAuthFail
	}
	s.user = user
	s.auth.lastMech = s.auth.mech
	return replyAuthOK
}
