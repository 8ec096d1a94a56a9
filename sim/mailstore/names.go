package mailstore

// maxUserLen bounds a user name, which becomes one path element of a Maildir
// root; 64 matches the local-part limit of RFC 5321 §4.5.3.1.1.
const maxUserLen = 64

// checkUser refuses names that could not be one directory under the root:
// a name like "../x" or "a/b" would let a client reach files outside it.
// Both stores apply the same rule so the simulation behaves like native mode.
func checkUser(user string) error {
	if user == "" || user == "." || user == ".." || len(user) > maxUserLen {
		return ErrBadUser
	}
	for i := 0; i < len(user); i++ {
		switch c := user[i]; {
		case c == '/', c == '\\', c < 0x20, c == 0x7f: // 0x00 and other controls too
			return ErrBadUser
		}
	}
	return nil
}

// validUID reports whether s may be a POP3 unique-id: 1–70 characters in
// 0x21–0x7E (RFC 1939 §7).
func validUID(s string) bool {
	if len(s) < 1 || len(s) > 70 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
