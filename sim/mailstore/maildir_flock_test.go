//go:build unix && !solaris && !aix

package mailstore

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
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

// A copy of the lock's descriptor elsewhere must not keep the maildrop
// locked once the session is over. A process that forks (a test suite
// starting python3, a server started from a script) gives the child a
// copy of every descriptor until the child runs exec; the flock belongs
// to the open file, so closing our descriptor alone left the lock held
// for that moment, and a client that logged in again right after QUIT
// got [IN-USE]. The copy here stands for such a child.
func TestMaildirUnlockWhileADescriptorCopyLives(t *testing.T) {
	m := newMaildir(t, t.TempDir())
	for _, end := range []string{"Release", "Commit"} {
		d := open(t, m, "alice")
		copyFd, err := syscall.Dup(int(d.(*dirDrop).lock.Fd()))
		if err != nil {
			t.Fatal(err)
		}
		if end == "Release" {
			d.Release()
		} else if err := d.Commit(nil); err != nil {
			t.Fatal(err)
		}
		again, err := m.Open("alice")
		syscall.Close(copyFd)
		if err != nil {
			t.Fatalf("Open after %s while a copy of the lock's descriptor is open: %v", end, err)
		}
		again.Release()
	}
}
