//go:build !js

package native

import (
	"fmt"
	"io/fs"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"maillab/sim/mailstore"
)

// Storage faults: two sessions of one user, a full disk, an unwritable
// Maildir. A 250 is never given for a message that was not stored, a
// POP3 login that cannot open the maildrop gets -ERR [SYS/TEMP], and the
// server goes on serving.

// Many sessions race for one maildrop: at no moment do two hold it (RFC
// 1939 §4; the losers get -ERR [IN-USE], RFC 2449 §8.1.2).
func TestPOP3NeverTwoHolders(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	sendRaw(t, l.greetedEhlo(t), "a@example.org", "alice@example.com", "Subject: x\r\n\r\nhi\r\n")
	var holders, maxHolders, wins, inUse atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(400 * time.Millisecond)
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				nc, c, err := dialText(l.addr("pop3", false), 10*time.Second)
				if err != nil {
					errs <- err
					return
				}
				c.PrintfLine("USER alice")
				c.PrintfLine("PASS %s", testUsers["alice"])
				c.ReadLine()
				c.ReadLine()
				l2, err := c.ReadLine()
				switch {
				case err != nil:
					errs <- err
				case strings.HasPrefix(l2, "+OK"):
					// From +OK to QUIT this session holds the maildrop; the
					// server holds it at least that long.
					n := holders.Add(1)
					for m := maxHolders.Load(); n > m && !maxHolders.CompareAndSwap(m, n); m = maxHolders.Load() {
					}
					wins.Add(1)
					time.Sleep(time.Millisecond)
					holders.Add(-1)
					c.PrintfLine("QUIT")
					c.ReadLine()
				case strings.HasPrefix(l2, "-ERR [IN-USE]"):
					inUse.Add(1)
				default:
					errs <- fmt.Errorf("PASS: %q", l2)
				}
				nc.Close()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if maxHolders.Load() > 1 {
		t.Errorf("%d sessions held alice's maildrop at once", maxHolders.Load())
	}
	if wins.Load() == 0 || inUse.Load() == 0 {
		t.Errorf("no contention was tested: %d logins, %d [IN-USE]", wins.Load(), inUse.Load())
	}
	t.Logf("%d logins held the maildrop one at a time, %d got [IN-USE]", wins.Load(), inUse.Load())
}

// greetedEhlo opens an SMTP session on an existing lab and says EHLO.
func (l *testLab) greetedEhlo(t *testing.T) *textproto.Conn {
	t.Helper()
	c := l.dial(t, "smtp")
	expectCode(t, c, 220)
	cmd(t, c, "EHLO client.example")
	expectCode(t, c, 250)
	return c
}

// fullStore is a Maildir whose disk can be made full: Deliver fails with
// ENOSPC, wrapped the way os wraps it, as a write(2) on a full disk does.
type fullStore struct {
	*mailstore.Maildir
	full atomic.Bool
}

func (f *fullStore) Deliver(user string, msg []byte) (string, error) {
	if f.full.Load() {
		return "", &fs.PathError{Op: "write", Path: "tmp/1700000000.1_1.host", Err: syscall.ENOSPC}
	}
	return f.Maildir.Deliver(user, msg)
}

// A full disk (ENOSPC from the store) is 452 4.3.1 (RFC 5321 §4.2.5,
// RFC 3463 X.3.1), never 250; when space is back, mail goes again.
func TestFullDiskIs452(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "mail")
	md, err := mailstore.NewMaildir(root)
	if err != nil {
		t.Fatal(err)
	}
	store := &fullStore{Maildir: md}
	l := testServerAt(t, root, withSetup(func(s *Setup) { s.Store = store }))
	store.full.Store(true)
	c := l.greetedEhlo(t)
	for range 3 {
		sendText(t, c, "a@example.org", "alice@example.com", "Subject: full\r\n\r\nno room\r\n")
		if msg := expectCode(t, c, 452); !strings.HasPrefix(msg, "4.3.1") {
			t.Errorf("got 452 %s, want 4.3.1", msg)
		}
	}
	if n := len(l.messages(t, "alice")); n != 0 {
		t.Errorf("%d messages stored on a full disk", n)
	}
	store.full.Store(false)
	sendRaw(t, c, "a@example.org", "alice@example.com", "Subject: room again\r\n\r\nhi\r\n")
	w := startWitness(t, l)
	w.stop(t)
}

// The same with a real full file system: a small tmpfs. Mounting needs
// root and CAP_SYS_ADMIN; without them the test is skipped (the store
// wrapper above covers the reply).
func TestFullDiskTmpfs(t *testing.T) {
	t.Parallel()
	mnt := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(mnt, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs to fill (%v: %s); TestFullDiskIs452 covers the reply", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
	root := filepath.Join(mnt, "mail")
	l := testServerAt(t, root)
	c := l.greetedEhlo(t)
	chunk := strings.Repeat(strings.Repeat("x", 998)+"\r\n", 100) // 100 KB
	accepted, full := 0, false
	for i := 0; i < 40 && !full; i++ {
		sendText(t, c, "a@example.org", "alice@example.com", fmt.Sprintf("Subject: fill %d\r\n\r\n%s", i, chunk))
		code, msg, _ := c.ReadResponse(0)
		switch code {
		case 250:
			accepted++
		case 452:
			full = true
			if !strings.HasPrefix(msg, "4.3.1") {
				t.Errorf("full disk: got 452 %s, want 4.3.1", msg)
			}
		default:
			t.Fatalf("message %d: got %d %s", i, code, msg)
		}
	}
	if !full {
		t.Fatal("1 MB of tmpfs never filled up")
	}
	if got := len(l.messages(t, "alice")); got != accepted {
		t.Errorf("%d messages got 250, %d are stored", accepted, got)
	}
	for _, f := range maildirFilesAny(t, root, "alice", "tmp") {
		t.Errorf("a failed delivery left %s in tmp/", filepath.Base(f))
	}
	// Reading needs no space: POP3 still serves the full disk.
	if n, err := pop3CountT(l.addr("pop3", false), "alice"); err != nil || n != accepted {
		t.Errorf("POP3 on a full disk: %d messages, %v", n, err)
	}
	// Space comes back: the server, still running, takes mail again.
	for _, f := range maildirFilesAny(t, root, "alice", "new") {
		os.Remove(f)
	}
	sendRaw(t, c, "a@example.org", "alice@example.com", "Subject: room again\r\n\r\nhi\r\n")
	t.Logf("tmpfs of 1 MB: %d messages of 100 KB accepted, then 452 4.3.1", accepted)
}

func maildirFilesAny(t *testing.T, root, user, sub string) []string {
	t.Helper()
	ents, _ := os.ReadDir(filepath.Join(root, user, sub))
	var out []string
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".") {
			out = append(out, filepath.Join(root, user, sub, e.Name()))
		}
	}
	return out
}

func pop3CountT(addr, user string) (int, error) {
	nc, c, err := dialText(addr, 10*time.Second)
	if err != nil {
		return 0, err
	}
	defer nc.Close()
	c.PrintfLine("USER %s", user)
	c.PrintfLine("PASS %s", testUsers[user])
	c.PrintfLine("STAT")
	c.PrintfLine("QUIT")
	var stat string
	for i := range 5 {
		l, err := c.ReadLine()
		if err != nil || !strings.HasPrefix(l, "+OK") {
			return 0, fmt.Errorf("line %d: %q %v", i, l, err)
		}
		if i == 3 {
			stat = l
		}
	}
	var n, size int
	_, err = fmt.Sscanf(stat, "+OK %d %d", &n, &size)
	return n, err
}

// An unwritable Maildir (a file where the user's folder goes): POP3 login
// gets -ERR [SYS/TEMP] (RFC 3206 §4), SMTP 451 4.3.0 (a local error, not a
// full disk: RFC 5321 §4.2.3), and the other users are served.
func TestUnwritableMaildir(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	if err := os.MkdirAll(l.root, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(l.root, "alice"), []byte("in the way"), 0o600); err != nil {
		t.Fatal(err)
	}
	w := startWitness(t, l)
	c := testPOP3Greeted(t, l)
	cmd(t, c, "USER alice")
	expectLine(t, c, "+OK")
	cmd(t, c, "PASS "+testUsers["alice"])
	expectLine(t, c, "-ERR [SYS/TEMP]")
	sc := l.greetedEhlo(t)
	sendText(t, sc, "a@example.org", "alice@example.com", "Subject: x\r\n\r\nhi\r\n")
	if msg := expectCode(t, sc, 451); !strings.HasPrefix(msg, "4.3.0") {
		t.Errorf("got 451 %s", msg)
	}
	w.stop(t)
}
