//go:build linux

package native

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests that kill a server with SIGKILL run the real maillab binary,
// built once per test run from the module root, as `maillab serve`.

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

// maillabBinary builds maillab (go build, the module root) once.
func maillabBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
		}
		out, err := exec.Command(goTool, "env", "GOMOD").Output()
		if err != nil {
			binErr = fmt.Errorf("go env GOMOD: %v", err)
			return
		}
		root := filepath.Dir(strings.TrimSpace(string(out)))
		if binDir, binErr = os.MkdirTemp("", "maillab-bin"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "maillab")
		cmd := exec.Command(goTool, "build", "-o", binPath, ".")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// freePort returns a loopback address nobody listens on (the kernel picks
// it; it is free again once this returns).
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// crashConfig is the --config of the processes: the test users.
const crashConfig = "hostname: mail.example.com\nmydestination: [example.com]\nusers: {alice: alice-secret, bob: bob-secret}\n"

// proc is one run of `maillab serve`.
type proc struct {
	cmd    *exec.Cmd
	out    *syncBuffer // stdout and stderr
	done   chan struct{}
	exited error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveArgs are the arguments of one server with its Maildir.
type serveArgs struct {
	smtp, pop3 string // addresses; "" = not served
	maildir    string
	data       string   // XDG_DATA_HOME: where the certificate is kept
	extra      []string // more flags
}

// startServe runs maillab serve and waits until every server answers.
func startServe(t *testing.T, a serveArgs) *proc {
	t.Helper()
	cfg := filepath.Join(a.data, "maillab.yaml")
	if err := os.WriteFile(cfg, []byte(crashConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"serve", "--http", "127.0.0.1:0", "--maildir", a.maildir, "--config", cfg}
	if a.smtp != "" {
		args = append(args, "--smtp", a.smtp)
	}
	if a.pop3 != "" {
		args = append(args, "--pop3", a.pop3)
	}
	args = append(args, a.extra...)
	p := &proc{out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(maillabBinary(t), args...)
	p.cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+a.data)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	// If the test process dies, the server dies with it: no server is left running.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(p.kill)
	for _, x := range []struct{ addr, greeting string }{{a.smtp, "220 "}, {a.pop3, "+OK"}} {
		if x.addr == "" {
			continue
		}
		if err := waitGreeting(x.addr, x.greeting, p.done); err != nil {
			p.kill()
			t.Fatalf("maillab serve did not start: %v\n%s", err, p.out.String())
		}
	}
	return p
}

// waitGreeting dials addr until a greeting comes (10 s at most).
func waitGreeting(addr, prefix string, died chan struct{}) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-died:
			return fmt.Errorf("the process exited")
		default:
		}
		nc, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			nc.SetDeadline(time.Now().Add(2 * time.Second))
			buf := make([]byte, 256)
			n, _ := nc.Read(buf)
			nc.Close()
			if strings.HasPrefix(string(buf[:n]), prefix) {
				return nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("no greeting from %s", addr)
}

// kill sends SIGKILL (no cleanup of any kind in the server) and waits.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop asks the server to stop (SIGTERM) and waits.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.kill()
		t.Errorf("maillab serve did not stop within 10s of SIGTERM")
	}
}
