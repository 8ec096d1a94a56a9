//go:build linux

package native

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Nothing lost: `maillab serve` is killed with SIGKILL at random moments
// while parallel SMTP sessions send numbered messages, and restarted on the
// same Maildir. Every message that got 250 must then be in the Maildir,
// byte for byte; every file in new/ or cur/ must be a whole message; and
// what a crash left in tmp/ must never be listed by POP3.

// crashSeed is the seed of the kill schedule and of the messages; set
// MAILLAB_CRASH_SEED to replay a run.
func crashSeed(t *testing.T) uint64 {
	if s := os.Getenv("MAILLAB_CRASH_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("MAILLAB_CRASH_SEED: %v", err)
		}
		return n
	}
	return 20231218 // the day SMTP smuggling was published
}

// crashMessage is message seq, with LF line ends as the Maildir keeps it:
// mostly a few KB, one in eight a few hundred KB (so that kills land in the
// middle of writes), lines up to 998 octets, some starting with a dot.
func crashMessage(seq int) string {
	rng := rand.New(rand.NewPCG(uint64(seq), 0x6d61696c))
	size := 200 + rng.IntN(8<<10)
	if rng.IntN(8) == 0 {
		size = 100<<10 + rng.IntN(300<<10)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Subject: crash test %d\nX-Seq: %d\n\n", seq, seq)
	const chars = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 .,;:!?-"
	for b.Len() < size {
		n := rng.IntN(999)
		if rng.IntN(10) == 0 {
			b.WriteByte('.')
			n = max(n-1, 0)
		}
		for range n {
			b.WriteByte(chars[rng.IntN(len(chars))])
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// crashRecipients: most messages go to one user, every fifth to both.
func crashRecipients(seq int) []string {
	switch {
	case seq%5 == 0:
		return []string{"alice", "bob"}
	case seq%2 == 0:
		return []string{"bob"}
	}
	return []string{"alice"}
}

// loadGen sends numbered messages over parallel sessions, reconnecting
// whenever the server goes away, and records which ones got 250.
type loadGen struct {
	addr    string
	next    atomic.Int64
	stopped atomic.Bool
	wg      sync.WaitGroup

	mu       sync.Mutex
	acked    map[int]bool
	tried    int
	failures int // sessions broken by a kill
}

func (g *loadGen) start(workers int) {
	for range workers {
		g.wg.Add(1)
		go g.worker()
	}
}

func (g *loadGen) stop() {
	g.stopped.Store(true)
	g.wg.Wait()
}

func (g *loadGen) worker() {
	defer g.wg.Done()
	for !g.stopped.Load() {
		nc, c, err := dialText(g.addr, 10*time.Second)
		if err != nil {
			time.Sleep(5 * time.Millisecond) // the server is restarting
			continue
		}
		if step(c, "", 220) != nil || step(c, "EHLO load.example", 250) != nil {
			nc.Close()
			continue
		}
		for !g.stopped.Load() {
			seq := int(g.next.Add(1))
			g.mu.Lock()
			g.tried++
			g.mu.Unlock()
			nc.SetDeadline(time.Now().Add(10 * time.Second))
			err := g.send(c, seq)
			if err != nil {
				g.mu.Lock()
				g.failures++
				g.mu.Unlock()
				break
			}
			g.mu.Lock()
			g.acked[seq] = true
			g.mu.Unlock()
		}
		nc.Close()
	}
}

func (g *loadGen) send(c interface {
	PrintfLine(string, ...any) error
	ReadResponse(int) (int, string, error)
	DotWriter() io.WriteCloser
}, seq int) error {
	if err := step2(c, "MAIL FROM:<load@example.org>", 250); err != nil {
		return err
	}
	for _, r := range crashRecipients(seq) {
		if err := step2(c, "RCPT TO:<"+r+"@example.com>", 250); err != nil {
			return err
		}
	}
	if err := step2(c, "DATA", 354); err != nil {
		return err
	}
	w := c.DotWriter()
	if _, err := io.WriteString(w, crashMessage(seq)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return step2(c, "", 250)
}

func step2(c interface {
	PrintfLine(string, ...any) error
	ReadResponse(int) (int, string, error)
}, line string, code int) error {
	if line != "" {
		if err := c.PrintfLine("%s", line); err != nil {
			return err
		}
	}
	got, msg, err := c.ReadResponse(0)
	if got != code {
		return fmt.Errorf("%q: got %d %s (%v), want %d", line, got, msg, err, code)
	}
	return nil
}

// storedMessage checks one Maildir file: the headers the server adds, then
// exactly the content of the message it names. It returns that number.
func storedMessage(user, text string) (int, error) {
	want := []string{"Return-Path: <load@example.org>\n", "Delivered-To: " + user + "@example.com\n", "Received: "}
	for _, h := range want {
		if !strings.HasPrefix(text, h) {
			return 0, fmt.Errorf("does not start with %q", h)
		}
		_, text, _ = strings.Cut(text, "\n")
		for strings.HasPrefix(text, "\t") {
			_, text, _ = strings.Cut(text, "\n")
		}
	}
	var seq int
	if _, err := fmt.Sscanf(text, "Subject: crash test %d\n", &seq); err != nil {
		return 0, fmt.Errorf("no Subject: crash test N: %q…", text[:min(len(text), 60)])
	}
	if text != crashMessage(seq) {
		return seq, fmt.Errorf("message %d is damaged: %d octets stored, %d sent", seq, len(text), len(crashMessage(seq)))
	}
	return seq, nil
}

// maildirFiles lists the message files of a user folder (new/, cur/ or tmp/).
func maildirFiles(t *testing.T, root, user, sub string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(root, user, sub))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".") {
			out = append(out, filepath.Join(root, user, sub, e.Name()))
		}
	}
	return out
}

func TestCrashNothingLost(t *testing.T) {
	t.Parallel()
	seed := crashSeed(t)
	rng := rand.New(rand.NewPCG(seed, 1))
	dir := t.TempDir()
	maildir := filepath.Join(dir, "Maildir")
	a := serveArgs{smtp: freePort(t), pop3: freePort(t), maildir: maildir, data: dir}
	const kills = 8
	g := &loadGen{addr: a.smtp, acked: map[int]bool{}}
	p := startServe(t, a)
	g.start(6)
	for k := range kills {
		// The first kill comes right after the start, the others at random
		// moments of the load.
		d := time.Duration(0)
		if k > 0 {
			d = time.Duration(30+rng.IntN(370)) * time.Millisecond
		}
		time.Sleep(d)
		p.kill()
		p = startServe(t, a)
	}
	time.Sleep(200 * time.Millisecond)
	g.stop()

	// Every acknowledged message is there, whole; every stored file is a
	// whole message of the test.
	stored := map[string]map[int]int{"alice": {}, "bob": {}}
	var damaged []string
	files := 0
	for _, user := range []string{"alice", "bob"} {
		for _, sub := range []string{"new", "cur"} {
			for _, f := range maildirFiles(t, maildir, user, sub) {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				files++
				seq, err := storedMessage(user, string(b))
				if err != nil {
					damaged = append(damaged, filepath.Base(f)+": "+err.Error())
					continue
				}
				stored[user][seq]++
			}
		}
	}
	for _, d := range damaged {
		t.Errorf("half-written or damaged message delivered: %s", d)
	}
	lost, dups, unacked := 0, 0, 0
	for seq := range g.acked {
		for _, user := range crashRecipients(seq) {
			if stored[user][seq] == 0 {
				lost++
				if lost <= 10 {
					t.Errorf("message %d got 250 but is not in %s's Maildir", seq, user)
				}
			}
		}
	}
	for _, m := range stored {
		for seq, n := range m {
			dups += n - 1
			if !g.acked[seq] {
				unacked++ // stored, but the 250 was lost with the server: the client would send it again
			}
		}
	}
	tmp := len(maildirFiles(t, maildir, "alice", "tmp")) + len(maildirFiles(t, maildir, "bob", "tmp"))

	// What a crash left in tmp/ is never listed: POP3 lists exactly new/ and cur/.
	for _, user := range []string{"alice", "bob"} {
		n, err := pop3Count(a.pop3, user, testUsers[user])
		if err != nil {
			t.Fatal(err)
		}
		want := len(maildirFiles(t, maildir, user, "new")) + len(maildirFiles(t, maildir, user, "cur"))
		if n != want {
			t.Errorf("POP3 lists %d messages for %s, the Maildir has %d in new/ and cur/", n, user, want)
		}
	}
	p.stop(t)
	if lost > 0 {
		t.Errorf("%d acknowledged messages lost", lost)
	}
	if len(g.acked) < 20 || g.failures < kills/2 {
		t.Errorf("the test did not test much: %d messages acknowledged, %d sessions broken by %d kills", len(g.acked), g.failures, kills)
	}
	t.Logf("crash test (seed %d): %d kills; %d messages sent, %d acknowledged with 250, %d sessions cut by a kill; "+
		"%d files stored (%d copies of messages whose 250 the kill swallowed, %d duplicates), %d left in tmp/ (never listed); %d lost, %d damaged",
		seed, kills, g.tried, len(g.acked), g.failures, files, unacked, dups, tmp, lost, len(damaged))
}

// pop3Count logs in and returns STAT's count.
func pop3Count(addr, user, pass string) (int, error) {
	nc, c, err := dialText(addr, 30*time.Second)
	if err != nil {
		return 0, err
	}
	defer nc.Close()
	var stat string
	for _, line := range []string{"", "USER " + user, "PASS " + pass, "STAT", "QUIT"} {
		if line != "" {
			c.PrintfLine("%s", line)
		}
		l, err := c.ReadLine()
		if err != nil || !strings.HasPrefix(l, "+OK") {
			return 0, fmt.Errorf("%q: %q %v", line, l, err)
		}
		if line == "STAT" {
			stat = l
		}
	}
	var n, size int
	_, err = fmt.Sscanf(stat, "+OK %d %d", &n, &size)
	return n, err
}

// fillMaildir writes n small messages straight into a user's new/, as a
// delivery would leave them (the server is not running).
func fillMaildir(t *testing.T, root, user string, from, n int) map[string]string {
	t.Helper()
	for _, sub := range []string{"tmp", "new", "cur"} {
		if err := os.MkdirAll(filepath.Join(root, user, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	msgs := map[string]string{}
	for i := from; i < from+n; i++ {
		name := fmt.Sprintf("1700000000.%d_%d.test", 4242, i)
		text := fmt.Sprintf("Subject: fill %d\n\n%s\n", i, strings.Repeat("line of text\n", 1+i%50))
		if err := os.WriteFile(filepath.Join(root, user, "new", name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		msgs[name] = text
	}
	return msgs
}

// pop3Dialogue runs lines on a logged-in POP3 session and returns the
// connection still open.
func pop3Login(t *testing.T, addr, user string) (func(string) string, func()) {
	t.Helper()
	nc, c, err := dialText(addr, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	send := func(line string) string {
		if line != "" {
			c.PrintfLine("%s", line)
		}
		l, err := c.ReadLine()
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		return l
	}
	send("")
	send("USER " + user)
	if l := send("PASS " + testUsers[user]); !strings.HasPrefix(l, "+OK") {
		t.Fatalf("PASS: %q", l)
	}
	return send, func() { nc.Close() }
}

// A POP3 session whose server is killed after DELE and before QUIT
// removes nothing (RFC 1939 §6), and the lock dies with the process.
func TestCrashPOP3KilledAfterDele(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	maildir := filepath.Join(dir, "Maildir")
	msgs := fillMaildir(t, maildir, "alice", 0, 20)
	a := serveArgs{pop3: freePort(t), maildir: maildir, data: dir}
	p := startServe(t, a)
	send, done := pop3Login(t, a.pop3, "alice")
	for i := 1; i <= 20; i++ {
		if l := send("DELE " + strconv.Itoa(i)); !strings.HasPrefix(l, "+OK") {
			t.Fatalf("DELE %d: %q", i, l)
		}
	}
	p.kill()
	done()
	p = startServe(t, a)
	if n, err := pop3Count(a.pop3, "alice", testUsers["alice"]); err != nil || n != 20 {
		t.Fatalf("after the kill: %d messages (%v), want all 20", n, err)
	}
	checkFilled(t, maildir, "alice", msgs, 20)
	p.stop(t)
}

// checkFilled checks that every file left is one of msgs, intact, and
// that want of them are left (want < 0: any number).
func checkFilled(t *testing.T, root, user string, msgs map[string]string, want int) int {
	t.Helper()
	left := 0
	for _, sub := range []string{"new", "cur"} {
		for _, f := range maildirFiles(t, root, user, sub) {
			base, _, _ := strings.Cut(filepath.Base(f), ":")
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if msgs[base] != string(b) {
				t.Errorf("%s is damaged: %q", base, b)
			}
			left++
		}
	}
	if want >= 0 && left != want {
		t.Errorf("%d messages left, want %d", left, want)
	}
	return left
}

// A crash in the middle of UPDATE leaves each message there or gone, never
// damaged. The server is killed at several moments after QUIT.
func TestCrashPOP3DuringUpdate(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(crashSeed(t), 2))
	dir := t.TempDir()
	maildir := filepath.Join(dir, "Maildir")
	a := serveArgs{pop3: freePort(t), maildir: maildir, data: dir}
	const n, rounds = 1500, 6
	var partial, none, all []int
	for r := range rounds {
		msgs := fillMaildir(t, maildir, "alice", r*n, n)
		for _, f := range maildirFiles(t, maildir, "alice", "new") {
			if _, ok := msgs[filepath.Base(f)]; !ok {
				os.Remove(f) // what the last round left
			}
		}
		p := startServe(t, a)
		nc, c, err := dialText(a.pop3, 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var dele strings.Builder
		for i := 1; i <= n; i++ {
			dele.WriteString("DELE " + strconv.Itoa(i) + "\r\n")
		}
		nc.Write([]byte("USER alice\r\nPASS " + testUsers["alice"] + "\r\n" + dele.String()))
		for i := range n + 3 { // greeting, USER, PASS, the DELEs
			if l, err := c.ReadLine(); err != nil || !strings.HasPrefix(l, "+OK") {
				t.Fatalf("line %d: %q %v", i, l, err)
			}
		}
		delay := time.Duration(rng.IntN(20000)) * time.Microsecond
		nc.Write([]byte("QUIT\r\n"))
		time.Sleep(delay)
		p.kill()
		nc.Close()
		left := checkFilled(t, maildir, "alice", msgs, -1)
		switch left {
		case 0:
			none = append(none, r)
		case n:
			all = append(all, r)
		default:
			partial = append(partial, r)
		}
		// The restarted server opens the maildrop: the lock died with the
		// killed process, and what is left is listed.
		p = startServe(t, a)
		if got, err := pop3Count(a.pop3, "alice", testUsers["alice"]); err != nil || got != left {
			t.Errorf("round %d: POP3 lists %d (%v), the Maildir has %d", r, got, err, left)
		}
		p.kill()
	}
	t.Logf("UPDATE of %d messages killed %d times: %d rounds in the middle of it, %d before it began, %d after it ended (every file intact)",
		n, rounds, len(partial), len(all), len(none))
}

// Two server processes on one Maildir: a session on one holds alice's
// maildrop against the other (flock), and the lock dies with its process.
func TestCrashPOP3LockAcrossProcesses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	maildir := filepath.Join(dir, "Maildir")
	fillMaildir(t, maildir, "alice", 0, 3)
	a := serveArgs{pop3: freePort(t), maildir: maildir, data: dir}
	b := a
	b.pop3 = freePort(t)
	pa, pb := startServe(t, a), startServe(t, b)
	_, done := pop3Login(t, a.pop3, "alice")
	defer done()
	nc, c, err := dialText(b.pop3, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.PrintfLine("USER alice")
	c.PrintfLine("PASS %s", testUsers["alice"])
	c.ReadLine()
	c.ReadLine()
	if l, _ := c.ReadLine(); !strings.HasPrefix(l, "-ERR [IN-USE]") {
		t.Errorf("second process: PASS got %q, want -ERR [IN-USE]", l)
	}
	nc.Close()
	pa.kill() // no Release, no cleanup: the kernel drops the flock
	if n, err := pop3Count(b.pop3, "alice", testUsers["alice"]); err != nil || n != 3 {
		t.Errorf("after the holder was killed: %d messages, %v", n, err)
	}
	pb.stop(t)
}
