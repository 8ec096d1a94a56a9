//go:build unix && !solaris && !aix

package mailstore

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"
)

// The lock holds between processes, and dies with its holder: a POP3 server
// killed mid-session must not leave the maildrop locked for ever.
func TestMaildirLockAcrossProcesses(t *testing.T) {
	if root := os.Getenv("MAILLAB_TEST_LOCK_HOLDER"); root != "" {
		m, err := NewMaildir(root)
		if err == nil {
			_, err = m.Open("alice")
		}
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("locked")
		time.Sleep(time.Hour) // until the parent kills us
	}

	root := t.TempDir()
	holder := exec.Command(os.Args[0], "-test.run=^TestMaildirLockAcrossProcesses$")
	holder.Env = append(os.Environ(), "MAILLAB_TEST_LOCK_HOLDER="+root)
	out, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer holder.Process.Kill()
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != "locked" {
	}
	if sc.Text() != "locked" {
		t.Fatalf("holder process did not lock: %q", sc.Text())
	}

	m := newMaildir(t, root)
	if _, err := m.Open("alice"); !errors.Is(err, ErrLocked) {
		t.Fatalf("Open while another process holds the lock: error = %v, want ErrLocked", err)
	}
	holder.Process.Kill() // SIGKILL: no Release, no cleanup
	holder.Wait()
	open(t, m, "alice").Release()
}
