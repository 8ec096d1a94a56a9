package main

import (
	"bytes"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fetch(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cmdFetch(args, &out, &errb)
	return code, out.String() + errb.String()
}

// `maillab fetch` against maillab's own POP3 server: save, then delete.
func TestFetchFromNative(t *testing.T) {
	t.Parallel()
	l := startCmdLab(t)
	if code, out := send(t, "--server", l.addr("smtp"), "--from", "alice@example.com", "--to", "bob@example.com", "--body", "read me\n.dot"); code != 0 {
		t.Fatalf("send: exit %d\n%s", code, out)
	}
	stored := l.files(t, "bob")
	dir := t.TempDir()
	code, out := fetch(t, "--server", l.addr("pop3"), "--user", "bob", "--password", labUsers["bob"], "--out", dir, "--stls", "--explain")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, want := range []string{"C: STLS", "C: USER bob", "C: RETR 1", "S: ..dot", "# 1 retrieved, 0 deleted", "# saved "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	saved, _ := filepath.Glob(filepath.Join(dir, "1*.eml"))
	if len(saved) != 1 {
		t.Fatalf("saved %v\n%s", saved, out)
	}
	if b, _ := os.ReadFile(saved[0]); len(stored) != 1 || string(b) != stored[0] {
		t.Errorf("saved %q, the Maildir holds %q", b, stored)
	}
	// In Chinese, saving again (nothing is deleted without --delete).
	code, out = fetch(t, "--server", l.addr("pop3"), "--user", "bob", "--password", labUsers["bob"], "--out", t.TempDir(), "--lang", "zh")
	if code != 0 || !strings.Contains(out, "# 取回 1 封，删除 0 封") || !strings.Contains(out, "# 已保存 ") || strings.Contains(out, "retrieved") {
		t.Fatalf("--lang zh: exit %d\n%s", code, out)
	}
	if code, out := fetch(t, "--server", l.addr("pop3"), "--user", "bob", "--password", labUsers["bob"], "--delete"); code != 0 || !strings.Contains(out, "# 1 retrieved, 1 deleted") {
		t.Fatalf("--delete: exit %d\n%s", code, out)
	}
	l.waitIdle(t)
	if n := len(l.files(t, "bob")); n != 0 {
		t.Errorf("bob still has %d messages", n)
	}
}

func TestFetchExitStatus(t *testing.T) {
	t.Parallel()
	l := startCmdLab(t)
	if code, out := fetch(t, "--server", l.addr("pop3"), "--user", "bob", "--password", "wrong"); code != exitUnavailable {
		t.Errorf("wrong password: exit %d, want %d\n%s", code, exitUnavailable, out)
	}
	// Another session holds bob's maildrop: [IN-USE] is temporary.
	nc, err := net.Dial("tcp", l.addr("pop3"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c := textproto.NewConn(nc)
	for _, line := range []string{"", "USER bob", "PASS " + labUsers["bob"]} {
		if line != "" {
			c.PrintfLine("%s", line)
		}
		if l, err := c.ReadLine(); err != nil || !strings.HasPrefix(l, "+OK") {
			t.Fatalf("%q: %q %v", line, l, err)
		}
	}
	if code, out := fetch(t, "--server", l.addr("pop3"), "--user", "bob", "--password", labUsers["bob"]); code != exitTempFail || !strings.Contains(out, "[IN-USE]") {
		t.Errorf("maildrop in use: exit %d, want %d\n%s", code, exitTempFail, out)
	}
	if code, _ := fetch(t, "--user", "bob"); code != exitUsage {
		t.Errorf("missing flags: exit %d", code)
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{"1700000000.123_4.host": "1700000000.123_4.host", "../../etc/passwd": "etcpasswd", ".hidden": "hidden", "a/b\\c": "abc"} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}
