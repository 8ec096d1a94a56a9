package pop3

import (
	"bytes"
	"crypto/md5"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"

	"maillab/sim/mailstore"
)

// Login replies. [AUTH] and [SYS/TEMP] are RFC 3206 codes, [IN-USE] is
// RFC 2449 §8.1.2; RESP-CODES and AUTH-RESP-CODE in CAPA promise them.
const (
	errAuthFailed = "-ERR [AUTH] Authentication failed."
	// Sent to USER, PASS and AUTH PLAIN before STLS when TLS is required.
	// RFC 2595 §2.3 asks servers to be able to refuse clear-text logins
	// without TLS; no POP3 response code is made for it (PRIVACY-REQUIRED is
	// IMAP's, RFC 5530), so this uses [AUTH], as Dovecot does: the fix is
	// in the user's hands (turn on STLS in the client), which is what
	// RFC 3206 §5 says [AUTH] means. APOP is still allowed: it sends no
	// clear-text password.
	errPlaintext = "-ERR [AUTH] Plaintext authentication disallowed on non-secure connections: send STLS first"
	errInUse     = "-ERR [IN-USE] Mailbox is locked by another POP3 session."
	errSysTemp   = "-ERR [SYS/TEMP] Unable to open maildrop, try again later"
)

// plaintextRefused reports whether TLS is required and not yet active.
func (s *Server) plaintextRefused() bool { return s.cfg.TLS == TLSRequired && !s.tls }

// cmdUSER takes a name. Any name gets +OK: answering -ERR for unknown users
// would tell an attacker which names exist (RFC 1939 §13), so the password
// alone decides.
func (s *Server) cmdUSER(args string) {
	switch {
	case s.plaintextRefused():
		s.reply("USER", errPlaintext, "RFC 2595 §2.3")
	case args == "":
		s.reply("USER", "-ERR USER needs a mailbox name (RFC 1939 §7)", "RFC 1939 §7")
	default:
		s.user, s.userLine = args, s.lines
		s.reply("USER", "+OK", "RFC 1939 §7")
	}
}

// cmdPASS checks the password for the name given by the USER just before.
// The whole rest of the line is the password: RFC 1939 §7 lets a server
// treat spaces as part of it.
func (s *Server) cmdPASS(args string) {
	user, fresh := s.user, s.userLine == s.lines-1
	s.user = ""
	switch {
	case s.plaintextRefused():
		s.reply("PASS", errPlaintext, "RFC 2595 §2.3")
	case user == "" || !fresh:
		s.reply("PASS", "-ERR PASS must come right after a successful USER (RFC 1939 §7)", "RFC 1939 §7")
	case !s.passwordOK(user, args):
		s.failLogin("PASS", user, "PLAIN")
	default:
		s.open("PASS", user, "PLAIN")
	}
}

// cmdAPOP checks "APOP name digest", digest = MD5(timestamp + secret) in
// lower-case hex (RFC 1939 §7).
func (s *Server) cmdAPOP(args string) {
	f := strings.Fields(args)
	switch {
	case !s.cfg.APOP:
		s.reply("APOP", "-ERR APOP is not offered here: the greeting has no timestamp (RFC 1939 §7)", "RFC 1939 §7")
	case len(f) != 2:
		s.reply("APOP", "-ERR Usage: APOP name digest (RFC 1939 §7)", "RFC 1939 §7")
	default:
		pass, known := s.cfg.Users[f[0]]
		sum := md5.Sum([]byte(s.timestamp + pass))
		want := hex.EncodeToString(sum[:])
		if !known || subtle.ConstantTimeCompare([]byte(want), []byte(f[1])) != 1 {
			s.failLogin("APOP", f[0], "APOP")
			return
		}
		s.open("APOP", f[0], "APOP")
	}
}

// cmdAUTH starts a SASL exchange (RFC 5034 §4). Only PLAIN (RFC 4616) is
// offered, so only PLAIN is accepted: curl does not fall back when the
// mechanism it picked is refused (PROTOCOL.md §3.6).
func (s *Server) cmdAUTH(args string) {
	mech, ir, _ := strings.Cut(args, " ")
	switch {
	case mech == "":
		s.reply("AUTH", "-ERR AUTH needs a mechanism; this server offers PLAIN (RFC 5034 §4)", "RFC 5034 §4")
	case upperASCII(mech) != "PLAIN":
		s.reply("AUTH", "-ERR Unsupported authentication mechanism; this server offers PLAIN (RFC 5034 §4)", "RFC 5034 §4")
	case s.plaintextRefused():
		s.reply("AUTH", errPlaintext, "RFC 2595 §2.3")
	case strings.Contains(ir, " "):
		s.reply("AUTH", "-ERR Usage: AUTH PLAIN [initial-response] (RFC 5034 §4)", "RFC 5034 §4")
	case ir == "":
		// No initial response: an empty challenge, "+" and a space.
		s.setState(AuthExchange)
		s.reply("AUTH", "+ ", "RFC 5034 §4")
	case ir == "=":
		s.plain("") // "=" is an empty initial response (RFC 5034 §4)
	default:
		s.plain(ir)
	}
}

// saslResponse takes the client's line after "+ ": "*" cancels (RFC 5034 §4).
func (s *Server) saslResponse(line string) {
	if line == "*" {
		s.saslFail("-ERR Authentication cancelled (RFC 5034 §4)", "RFC 5034 §4")
		return
	}
	s.plain(line)
}

// plain checks a base64 PLAIN message: [authzid] NUL authcid NUL passwd
// (RFC 4616 §2).
func (s *Server) plain(b64 string) {
	msg, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil {
		s.saslFail("-ERR Invalid base64 in the AUTH response (RFC 5034 §4)", "RFC 5034 §4")
		return
	}
	parts := bytes.Split(msg, []byte{0})
	if len(parts) != 3 || len(parts[1]) == 0 {
		s.saslFail("-ERR Malformed PLAIN response: want authzid NUL authcid NUL passwd (RFC 4616 §2)", "RFC 4616 §2")
		return
	}
	authz, user, pass := string(parts[0]), string(parts[1]), string(parts[2])
	// Acting as another user (authzid ≠ authcid) is never authorised here.
	if (authz != "" && authz != user) || !s.passwordOK(user, pass) {
		s.failLogin("AUTH", user, "PLAIN")
		return
	}
	s.open("AUTH", user, "PLAIN")
}

// saslFail ends a SASL exchange with -ERR, back in AUTHORIZATION.
func (s *Server) saslFail(text, rfc string) {
	if s.state == AuthExchange {
		s.setState(Authorization)
	}
	s.reply("AUTH", text, rfc)
}

// passwordOK compares in constant time so the reply's timing says nothing
// about how much of the password was right.
func (s *Server) passwordOK(user, pass string) bool {
	want, ok := s.cfg.Users[user]
	return ok && subtle.ConstantTimeCompare([]byte(want), []byte(pass)) == 1
}

// failLogin answers a bad name or password. The state stays AUTHORIZATION
// so the client may try again (RFC 1939 §7).
func (s *Server) failLogin(verb, user, method string) {
	s.authTries++
	s.saslFail(errAuthFailed, "RFC 3206 §5")
	e := s.last()
	e.Step.ReplyTo = verb
	s.log("pop3-login: Authentication failed: user=<" + user + ">, method=" + method + s.rip())
}

// open locks the maildrop after a good login and enters TRANSACTION
// (RFC 1939 §4). A held lock is -ERR [IN-USE] (RFC 2449 §8.1.2).
func (s *Server) open(verb, user, method string) {
	md, err := s.cfg.Store.Open(user)
	if err != nil {
		text, rfc := errSysTemp, "RFC 3206 §4"
		if errors.Is(err, mailstore.ErrLocked) {
			text, rfc = errInUse, "RFC 2449 §8.1.2"
			s.lockFails++
		}
		s.saslFail(text, rfc)
		s.last().Step.ReplyTo = verb
		s.log("pop3(" + user + "): Error: Couldn't open maildrop: " + err.Error())
		return
	}
	s.sess = openSession(user, method, md)
	s.setState(Transaction)
	s.reply(verb, "+OK Logged in.", commandRFC(verb))
	s.log("pop3-login: Login: user=<" + user + ">, method=" + method + s.rip())
}

// rip is the ", rip=ADDR" part of a log line, if the peer is known.
func (s *Server) rip() string {
	if s.cfg.Peer == "" {
		return ""
	}
	return ", rip=" + s.cfg.Peer
}
