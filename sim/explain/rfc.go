package explain

import "strings"

// RFCURL turns a section reference as used in this package into a link to the
// RFC Editor's HTML rendering:
//
//	"RFC 5321 §4.5.3.1" → "https://www.rfc-editor.org/rfc/rfc5321#section-4.5.3.1"
//	"RFC 1939 §5"       → "https://www.rfc-editor.org/rfc/rfc1939#section-5"
//	"RFC 7504"          → "https://www.rfc-editor.org/rfc/rfc7504"
//	"RFC 5321 §D.1"     → "https://www.rfc-editor.org/rfc/rfc5321#appendix-D.1"
//
// "Section 4.2" may stand for "§4.2", and "RFC5321" for "RFC 5321". An
// Internet-Draft name ("draft-murchison-sasl-login-00") links to the IETF
// datatracker. Anything else gives "".
func RFCURL(ref string) string {
	s := strings.TrimSpace(ref)
	if strings.HasPrefix(strings.ToLower(s), "draft-") {
		if !isToken(s) {
			return ""
		}
		return "https://datatracker.ietf.org/doc/html/" + s
	}
	if len(s) < 4 || !strings.EqualFold(s[:3], "RFC") {
		return ""
	}
	s = strings.TrimLeft(s[3:], " ")
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	num := s[:n]
	if n == 0 || n > 5 || num[0] == '0' {
		return ""
	}
	base := "https://www.rfc-editor.org/rfc/rfc" + num
	rest := strings.TrimSpace(s[n:])
	if rest == "" {
		return base
	}
	switch {
	case strings.HasPrefix(rest, "§"):
		rest = strings.TrimPrefix(rest, "§")
	case len(rest) > 7 && strings.EqualFold(rest[:7], "section"):
		rest = rest[7:]
	case len(rest) > 8 && strings.EqualFold(rest[:8], "appendix"):
		rest = rest[8:]
	default:
		return ""
	}
	sec := strings.TrimSuffix(strings.TrimSpace(rest), ".")
	if sec == "" {
		return ""
	}
	if c := sec[0]; c >= 'A' && c <= 'Z' {
		tail := sec[1:]
		if tail != "" && (tail[0] != '.' || !isDotted(tail[1:])) {
			return ""
		}
		return base + "#appendix-" + sec
	}
	if !isDotted(sec) {
		return ""
	}
	return base + "#section-" + sec
}

// isDotted reports whether s is a dotted section number such as "4.5.3.1".
func isDotted(s string) bool {
	if s == "" {
		return false
	}
	prevDot := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			prevDot = false
		case c == '.' && !prevDot:
			prevDot = true
		default:
			return false
		}
	}
	return !prevDot
}

// isToken reports whether s has only letters, digits, '-' and '.'.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
