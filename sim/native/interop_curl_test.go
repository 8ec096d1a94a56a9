//go:build !js

package native

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// curl 7.88 smtp:// uploads and pop3:// reads, as PROTOCOL.md §3.3–3.4 records them.

// curlMessage has CRLF line ends, as a file for curl -T should (curl stuffs
// dots only after a CR LF), and lines that need dot-stuffing.
const curlMessage = "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: curl upload\r\n\r\nfirst\r\n.a dot line\r\n.\r\n..\r\nlast\r\n"

func TestCurlSMTP(t *testing.T) {
	t.Parallel()
	need(t, "curl")
	for _, login := range []bool{false, true} {
		name := map[bool]string{false: "anonymous", true: "user"}[login]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			l := testServer(t)
			file := filepath.Join(t.TempDir(), "msg.txt")
			if err := os.WriteFile(file, []byte(curlMessage), 0o600); err != nil {
				t.Fatal(err)
			}
			args := []string{"-sS", "smtp://127.0.0.1:" + l.port("smtp"), "--mail-from", "alice@example.com", "--mail-rcpt", "bob@example.com", "-T", file}
			if login {
				args = append(args, "--user", "alice:"+testUsers["alice"])
			}
			run(t, "", false, "curl", args...)
			if b := body(t, l.oneMessage(t, "bob")); b != lf(curlMessage) {
				t.Errorf("stored %q, want %q", b, lf(curlMessage))
			}
			l.waitIdle(t)
			last := l.lastTrace(t)
			if tr := last.Transcript(); login != strings.Contains(tr, "C: AUTH PLAIN") {
				t.Errorf("AUTH in the dialogue: %v, want %v:\n%s", !login, login, tr)
			}
		})
	}
}

func TestCurlPOP3(t *testing.T) {
	t.Parallel()
	need(t, "curl")
	l := testServer(t)
	l.deliver(t, "bob@example.com", curlMessage)
	stored := l.oneMessage(t, "bob")
	user := "bob:" + testUsers["bob"]
	list := run(t, "", false, "curl", "-sS", "pop3://127.0.0.1:"+l.port("pop3")+"/", "--user", user)
	if !strings.HasPrefix(list, "1 ") {
		t.Errorf("curl pop3 list: %q", list)
	}
	got := run(t, "", false, "curl", "-sS", "pop3://127.0.0.1:"+l.port("pop3")+"/1", "--user", user)
	if lf(got) != stored {
		t.Errorf("curl pop3 retrieve:\n%q\nthe Maildir holds\n%q", got, stored)
	}
	bad := run(t, "", true, "curl", "-sS", "pop3://127.0.0.1:"+l.port("pop3")+"/", "--user", "bob:wrong")
	if !strings.Contains(bad, "Login denied") && !strings.Contains(bad, "(67)") {
		t.Errorf("curl with a wrong password: %q", bad)
	}
}
