package smtp

import (
	"math"
	"strconv"
	"strings"
)

// verbs this server implements, and verbs it knows but does not implement
// (answered 502 and never advertised: RFC 5321 §4.2.4).
var (
	implemented   = map[string]bool{"EHLO": true, "HELO": true, "MAIL": true, "RCPT": true, "DATA": true, "BDAT": true, "RSET": true, "NOOP": true, "QUIT": true, "VRFY": true, "HELP": true, "AUTH": true, "STARTTLS": true}
	unimplemented = map[string]bool{"EXPN": true, "TURN": true, "ETRN": true, "ATRN": true, "SEND": true, "SOML": true, "SAML": true}
)

// splitCommand cuts a command line into its upper-cased verb and the
// argument after it (RFC 5321 §2.4: verbs are case-insensitive).
func splitCommand(line string) (verb, arg string) {
	verb, arg, _ = strings.Cut(line, " ")
	return strings.ToUpper(verb), arg
}

// Limits of RFC 5321 §4.5.3.1.
const (
	maxLocalPart = 64  // §4.5.3.1.1
	maxDomain    = 255 // §4.5.3.1.2
	maxPath      = 256 // §4.5.3.1.3, with the angle brackets
	maxCmdLine   = 512 // §4.5.3.1.4, verb through CRLF
	maxTextLine  = 1000
	maxAuthLine  = 12288 // RFC 4954 §4: AUTH lines may be longer than 512
)

// param is one ESMTP parameter (keyword[=value]) of MAIL or RCPT.
type param struct {
	Key, Value string
	HasValue   bool
}

// parsePathArg parses "FROM:<path> params" or "TO:<path> params". The keyword
// is matched case-insensitively (smtplib sends "mail FROM:"); a space after
// the colon is tolerated as Postfix does by default, though RFC 5321 §3.3
// does not allow it.
func parsePathArg(arg, keyword string) (path string, params []param, ok bool) {
	if len(arg) < len(keyword) || !strings.EqualFold(arg[:len(keyword)], keyword) {
		return "", nil, false
	}
	rest := strings.TrimLeft(arg[len(keyword):], " ")
	if !strings.HasPrefix(rest, "<") {
		return "", nil, false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", nil, false
	}
	path = rest[1:end]
	// A source route (<@a,@b:user@c>) is accepted and ignored (RFC 5321 §4.1.1.3, Appendix C).
	if strings.HasPrefix(path, "@") {
		if i := strings.IndexByte(path, ':'); i >= 0 {
			path = path[i+1:]
		}
	}
	for _, f := range strings.Fields(rest[end+1:]) {
		k, v, has := strings.Cut(f, "=")
		params = append(params, param{Key: strings.ToUpper(k), Value: v, HasValue: has})
	}
	if rest[end+1:] != "" && rest[end+1] != ' ' {
		return "", nil, false
	}
	return path, params, true
}

// addrProblem says what is wrong with a mailbox address, or "" when it is
// fine. utf8 allows non-ASCII (SMTPUTF8, RFC 6531 §3.3).
func addrProblem(addr string, utf8 bool) (problem string, nonASCII bool) {
	local, domain, found := strings.Cut(addr, "@")
	for i := 0; i < len(addr); i++ {
		if addr[i] >= 0x80 {
			nonASCII = true
		}
		if addr[i] < 0x20 || addr[i] == 0x7f {
			return "control character in address", nonASCII
		}
	}
	if !found {
		return "missing @domain", nonASCII
	}
	if strings.Contains(domain, "@") && !strings.HasPrefix(local, "\"") {
		return "more than one @", nonASCII
	}
	if local == "" {
		return "empty local part", nonASCII
	}
	if len(local) > maxLocalPart {
		return "local part longer than 64 octets (RFC 5321 §4.5.3.1.1)", nonASCII
	}
	if len(domain) > maxDomain {
		return "domain longer than 255 octets (RFC 5321 §4.5.3.1.2)", nonASCII
	}
	if !validLocal(local) {
		return "invalid local part", nonASCII
	}
	if !validDomain(domain) {
		return "invalid domain", nonASCII
	}
	return "", nonASCII
}

// validLocal accepts a dot-atom or a quoted string (RFC 5321 §4.1.2).
func validLocal(s string) bool {
	if strings.HasPrefix(s, "\"") {
		return len(s) >= 2 && strings.HasSuffix(s, "\"")
	}
	if strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || isAtext(c) || c == '.' {
			continue
		}
		return false
	}
	return true
}

func isAtext(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// validDomain accepts a dotted host name or an address literal such as
// [192.0.2.1] (RFC 5321 §4.1.3).
func validDomain(d string) bool {
	if strings.HasPrefix(d, "[") {
		return strings.HasSuffix(d, "]") && len(d) > 2
	}
	if d == "" {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c >= 0x80) {
				return false
			}
		}
	}
	return true
}

// isXtext checks an ENVID/ORCPT value (RFC 3461 §4).
func isXtext(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '+' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
			continue
		}
		if c < 33 || c > 126 || c == '=' {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'F'
}

// parseSize reads a SIZE= value: size-value ::= 1*20DIGIT (RFC 1870 §3).
// A valid value too big for int64 is certainly over any limit.
func parseSize(v string) (int64, bool) {
	if len(v) > 20 || !isDigits(v) {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return math.MaxInt64, true
	}
	return n, true
}

// domainOf returns the domain of an address, lower-cased.
func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(addr[i+1:])
}

// localOf returns the local part of an address.
func localOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return addr
	}
	return addr[:i]
}
