//go:build linux

package native

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// outsideIP returns an address of this machine that is not loopback, or
// "" if it has none.
func outsideIP() string {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil && !n.IP.IsLinkLocalUnicast() {
			return n.IP.String()
		}
	}
	return ""
}

// An address without a host means loopback: `--smtp 2525` and
// `--pop3 :1110` are not reachable from the network. With 0.0.0.0 the
// server says what it exposes, and passwords there wait for TLS.
func TestServeLoopbackUnlessToldOtherwise(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, sp, _ := net.SplitHostPort(freePort(t))
	_, pp, _ := net.SplitHostPort(freePort(t))
	a := serveArgs{maildir: filepath.Join(dir, "Maildir"), data: dir, extra: []string{"--smtp", sp, "--pop3", ":" + pp}}
	p := startServe(t, a)
	if err := waitGreeting("127.0.0.1:"+sp, "220 ", p.done); err != nil {
		t.Fatal(err)
	}
	// serve prints its listeners after it starts listening: wait for them.
	out := p.waitOutput("POP3   127.0.0.1:"+pp, "SMTP   127.0.0.1:"+sp)
	if !strings.Contains(out, "SMTP   127.0.0.1:"+sp) || !strings.Contains(out, "POP3   127.0.0.1:"+pp) || strings.Contains(out, "WARNING") {
		t.Errorf("host-less addresses:\n%s", out)
	}
	if ip := outsideIP(); ip != "" {
		if nc, err := net.DialTimeout("tcp", net.JoinHostPort(ip, sp), time.Second); err == nil {
			nc.Close()
			t.Errorf("--smtp %s is reachable on %s", sp, ip)
		}
	}
	p.stop(t)

	b := serveArgs{smtp: "0.0.0.0:" + sp, pop3: "127.0.0.1:" + pp, maildir: a.maildir, data: dir}
	p = startServe(t, b)
	out = p.waitOutput("maillab: the lab is at", "WARNING: the SMTP server")
	for _, want := range []string{"WARNING: the SMTP server", "never relays", "passwords only after STARTTLS", ":" + sp + ", reachable from other machines"} {
		if !strings.Contains(out, want) {
			t.Errorf("the warning lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "WARNING: the POP3") {
		t.Errorf("POP3 on loopback is said to be exposed:\n%s", out)
	}
	ip := outsideIP()
	if ip == "" {
		t.Log("no non-loopback address on this machine: the plaintext check off loopback is skipped")
		p.stop(t)
		return
	}
	nc, c, err := dialText(net.JoinHostPort(ip, sp), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	step(c, "", 220)
	c.PrintfLine("EHLO remote.example")
	_, ext, _ := c.ReadResponse(250)
	if strings.Contains(ext, "AUTH") || !strings.Contains(ext, "STARTTLS") {
		t.Errorf("EHLO from %s:\n%s", ip, ext)
	}
	if err := step(c, "AUTH PLAIN "+plain("alice", testUsers["alice"]), 538); err != nil {
		t.Errorf("plaintext AUTH off loopback: %v (want 538 5.7.11, RFC 4954 §4)", err)
	}
	p.stop(t)
}

// socketTable maps socket inodes to TCP or UDP endpoints, from /proc/net.
type endpoint struct {
	proto     string
	localPort int
	remote    string
	listen    bool
}

func socketTable() map[string]endpoint {
	out := map[string]endpoint{}
	for _, proto := range []string{"tcp", "tcp6", "udp", "udp6"} {
		f, err := os.Open("/proc/net/" + proto)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			if len(fs) < 10 {
				continue
			}
			_, lport, _ := strings.Cut(fs[1], ":")
			port, _ := strconv.ParseInt(lport, 16, 32)
			out[fs[9]] = endpoint{proto: proto, localPort: int(port), remote: fs[2], listen: fs[3] == "0A"}
		}
		f.Close()
	}
	return out
}

// processSockets lists the inodes of the sockets a process has open.
func processSockets(pid int) []string {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		l, err := os.Readlink(filepath.Join(dir, e.Name()))
		if err == nil && strings.HasPrefix(l, "socket:[") {
			out = append(out, strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]"))
		}
	}
	return out
}

// The servers never open a connection of their own: while a mix of
// sessions runs (mail for other domains before and after AUTH, DSN
// requests, VRFY of remote addresses, address literals, POP3), every
// network socket of the process is a listener or a connection accepted by
// one, and there is no UDP socket (no DNS lookup).
func TestServeNoOutgoingConnections(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := serveArgs{smtp: freePort(t), pop3: freePort(t), maildir: filepath.Join(dir, "Maildir"), data: dir}
	p := startServe(t, a)
	pid := p.cmd.Process.Pid
	stop := make(chan struct{})
	var mu sync.Mutex
	var bad []string
	samples := 0
	var wg sync.WaitGroup
	wg.Add(1)
	sample := func() {
		table := socketTable()
		listening := map[int]bool{}
		var mine []endpoint
		for _, ino := range processSockets(pid) {
			if e, ok := table[ino]; ok {
				mine = append(mine, e)
				if e.listen {
					listening[e.localPort] = true
				}
			}
		}
		mu.Lock()
		samples++
		for _, e := range mine {
			if strings.HasPrefix(e.proto, "udp") || (!e.listen && !listening[e.localPort]) {
				bad = append(bad, fmt.Sprintf("%s from port %d to %s", e.proto, e.localPort, e.remote))
			}
		}
		mu.Unlock()
	}
	// Sampled all along, and at chosen moments of each session.
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			sample()
		}
	}()
	for range 10 {
		nc, c, err := dialText(a.smtp, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []struct {
			line string
			code int
		}{
			{"", 220}, {"EHLO [192.0.2.55]", 250}, {"VRFY friend@elsewhere.example", 252},
			{"MAIL FROM:<someone@elsewhere.example> RET=FULL", 250},
			{"RCPT TO:<friend@elsewhere.example> NOTIFY=SUCCESS,FAILURE,DELAY", 554},
			{"RCPT TO:<bob@example.com> NOTIFY=SUCCESS,FAILURE,DELAY", 250},
			{"RCPT TO:<friend@[192.0.2.1]>", 554},
			{"DATA", 354},
		} {
			if err := step(c, s.line, s.code); err != nil {
				t.Fatal(err)
			}
			if s.code == 554 {
				sample() // right after a refused remote recipient
			}
		}
		w := c.DotWriter()
		w.Write([]byte("Subject: go somewhere\r\nDisposition-Notification-To: <friend@elsewhere.example>\r\n\r\nhi\r\n"))
		w.Close()
		for _, s := range []struct {
			line string
			code int
		}{
			{"", 250}, {"AUTH PLAIN " + plain("alice", testUsers["alice"]), 235},
			{"MAIL FROM:<alice@example.com>", 250}, {"RCPT TO:<friend@elsewhere.example>", 554}, {"QUIT", 221},
		} {
			if err := step(c, s.line, s.code); err != nil {
				t.Fatal(err)
			}
			if s.code != 221 {
				sample() // after the delivery with a DSN asked for, and after AUTH
			}
		}
		nc.Close()
		if _, err := pop3Count(a.pop3, "bob", testUsers["bob"]); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(100 * time.Millisecond) // a delivery status notification would go now
	close(stop)
	wg.Wait()
	p.stop(t)
	for i, b := range bad {
		if i == 5 {
			break
		}
		t.Errorf("an outgoing socket: %s", b)
	}
	t.Logf("%d samples of the server's sockets during 10 sessions: no outgoing one", samples)
	if samples < 60 {
		t.Errorf("only %d samples of the process's sockets", samples)
	}
}

// waitOutput waits (up to 10 s) until serve has printed every string of
// wants, and returns what it printed: serve prints after it listens, so a
// greeting can come before the banner is complete.
func (p *proc) waitOutput(wants ...string) string {
	out := p.out.String()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); out = p.out.String() {
		all := true
		for _, w := range wants {
			all = all && strings.Contains(out, w)
		}
		if all {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return out
}
