package trace

import (
	"encoding/base64"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mask stands in for a secret a view does not show. It is never valid
// base64, and always the same length, so it tells nothing of the password's.
const Mask = "••••••••"

// MaskSecrets returns the steps of a trace with the passwords masked (see
// SecretMasker), Masked set on the lines it changed. These are the client
// lines that carry a password, and what a masked copy shows:
//
//	AUTH PLAIN AGFsaWNlAHNlY3JldA==  →  AUTH PLAIN base64(\0alice\0••••••••)
//	AGFsaWNlAHNlY3JldA==             →  base64(\0alice\0••••••••)   after "334 " or POP3's "+ "
//	c2VjcmV0                         →  base64(••••••••)            after 334 UGFzc3dvcmQ6 ("Password:")
//	PASS secret                      →  PASS ••••••••
//
// What teaches stays: the verb, the mechanism, the RFC 4616 shape of a
// PLAIN message ([authzid] NUL authcid NUL passwd) with the user name, the
// AUTH LOGIN user name (an initial response or the line after 334
// VXNlcm5hbWU6, "Username:"), "*" (the client cancels) and "=" (an empty
// initial response). A line in a password's place that is not base64 is
// masked all the same (Mask alone), and so is the initial response of a
// mechanism other than PLAIN and LOGIN (an XOAUTH2 token is a secret too).
// APOP sends a digest, not the password, and is left as it is.
//
// The steps given are not changed; when nothing needs masking they are
// returned as they are.
func MaskSecrets(steps []Step) []Step {
	var m SecretMasker
	var out []Step
	for i, s := range steps {
		ms := m.Mask(s)
		if ms.Masked == s.Masked {
			continue
		}
		if out == nil {
			out = append([]Step(nil), steps...)
		}
		out[i] = ms
	}
	if out == nil {
		return steps
	}
	return out
}

// SecretMasker masks the passwords in steps that arrive one at a time, in
// wire order within each session; the steps of many sessions may
// interleave (Step.Conn tells them apart). It follows each session's AUTH
// exchange from the replies: whether the next client line answers an
// empty challenge (a PLAIN message), the "Username:" prompt or the
// "Password:" prompt. A SASL line of an exchange whose start it did not
// see (the server marks it with the verb AUTH in the server state AUTH) is
// masked whole. The zero value is ready to use; it remembers only the
// sessions in the middle of an AUTH exchange.
type SecretMasker struct {
	auth map[int]*saslState // by Step.Conn
}

// saslState is where one session's AUTH exchange is.
type saslState struct {
	mech string   // PLAIN, LOGIN or whatever the client named, upper case
	next position // what the client's next line carries
}

// position is what a client line of an AUTH exchange carries.
type position int

const (
	noChallenge   position = iota // AUTH was sent; the server has not challenged (yet)
	plainMessage                  // a PLAIN message: [authzid] NUL authcid NUL passwd (RFC 4616 §2)
	loginUser                     // the AUTH LOGIN user name: not a secret
	loginPassword                 // the AUTH LOGIN password
	opaque                        // a response the masker cannot read: masked whole
)

// Mask returns the step with its secret masked and Masked set, or the
// step as it is.
func (m *SecretMasker) Mask(s Step) Step {
	switch {
	case s.Kind == Connect || s.Kind == Close:
		delete(m.auth, s.Conn)
	case s.Kind == Reply:
		m.reply(s)
	case s.Kind == Command && !s.ByServer:
		if text, ok := m.command(s); ok && !s.Masked { // masked already: only followed
			s.Text, s.Masked = text, true
		}
	}
	return s
}

// reply notes a challenge (SMTP 334, POP3 "+"), which says what the
// client's next line carries; any other reply ends the exchange.
func (m *SecretMasker) reply(s Step) {
	x := m.auth[s.Conn]
	if x == nil {
		return
	}
	if s.Code != 334 && s.Status != "+" {
		delete(m.auth, s.Conn)
		return
	}
	_, challenge, _ := strings.Cut(s.Text, " ")
	switch x.mech {
	case "PLAIN":
		x.next = plainMessage
	case "LOGIN":
		// "Username:" (VXNlcm5hbWU6), or "User Name" as the draft has it;
		// any other prompt may ask for the password.
		x.next = loginPassword
		if p, err := base64.StdEncoding.DecodeString(challenge); err == nil && strings.HasPrefix(strings.ToLower(string(p)), "user") {
			x.next = loginUser
		}
	default:
		x.next = opaque
	}
}

// command masks a client line: a response in an AUTH exchange, an AUTH
// command's initial response, or the argument of PASS.
func (m *SecretMasker) command(s Step) (string, bool) {
	if x := m.auth[s.Conn]; x != nil && x.next != noChallenge {
		return maskResponse(x.next, s.Text)
	}
	if s.Verb == "AUTH" && s.ServerState == "AUTH" {
		return maskResponse(opaque, s.Text) // an exchange begun before the masker's first step
	}
	verb, arg, hasArg := cutWord(s.Text)
	switch strings.ToUpper(verb) {
	case "PASS":
		// In any protocol: a password typed to the wrong server is still one.
		if !hasArg {
			return "", false
		}
		return s.Text[:len(s.Text)-len(arg)] + Mask, true
	case "AUTH":
		mech, ir, hasIR := cutWord(arg)
		if m.auth == nil {
			m.auth = map[int]*saslState{}
		}
		x := &saslState{mech: strings.ToUpper(mech)}
		m.auth[s.Conn] = x
		if !hasIR {
			return "", false
		}
		pos := opaque
		switch x.mech {
		case "PLAIN":
			pos = plainMessage
		case "LOGIN":
			pos = loginUser
		}
		masked, ok := maskResponse(pos, ir)
		if !ok {
			return "", false
		}
		return s.Text[:len(s.Text)-len(ir)] + masked, true
	}
	return "", false
}

// maskResponse masks one SASL response in position pos.
func maskResponse(pos position, b64 string) (string, bool) {
	if pos == loginUser || b64 == "*" || b64 == "=" {
		return "", false // a user name, a cancel, an empty response
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || pos == opaque {
		return Mask, true
	}
	if pos == plainMessage {
		parts := strings.Split(string(raw), "\x00")
		if len(parts) == 3 && showable(parts[0]) && showable(parts[1]) {
			return `base64(` + parts[0] + `\0` + parts[1] + `\0` + Mask + `)`, true
		}
	}
	return "base64(" + Mask + ")", true
}

// MaskedUser is the user name a masked AUTH PLAIN response still shows
// (`base64(\0alice\0••••••••)`, as maskResponse writes it), or "".
func MaskedUser(text string) string {
	_, rest, ok := strings.Cut(text, "base64(")
	if !ok {
		return ""
	}
	parts := strings.Split(strings.TrimSuffix(rest, ")"), `\0`)
	if len(parts) != 3 || parts[2] != Mask {
		return ""
	}
	return parts[1]
}

// showable reports whether a user name may go into a line of the trace as
// it is: one line of printable UTF-8 (no control or bidi characters), no
// longer than RFC 4616 §2 allows, without a backslash (which would blur
// the \0 between the parts).
func showable(name string) bool {
	if len(name) > 255 || !utf8.ValidString(name) {
		return false
	}
	return !strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\\' })
}

// cutWord splits a line at its first space or tab.
func cutWord(line string) (word, rest string, found bool) {
	i := strings.IndexAny(line, " \t")
	if i < 0 {
		return line, "", false
	}
	return line[:i], line[i+1:], true
}
