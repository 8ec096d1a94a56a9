//go:build !js

package mailstore

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMaildir(t *testing.T) {
	testStore(t, func(t *testing.T) (Store, func() Store) {
		root := t.TempDir()
		return newMaildir(t, root), func() Store { return newMaildir(t, root) }
	})
}

func newMaildir(t *testing.T, root string) *Maildir {
	t.Helper()
	m, err := NewMaildir(root)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMaildirLayout(t *testing.T) {
	root := t.TempDir()
	m := newMaildir(t, root)
	uid, err := m.Deliver("alice", []byte("hi\n"))
	if err != nil {
		t.Fatal(err)
	}
	names := dirNames(t, filepath.Join(root, "alice", "new"))
	if len(names) != 1 || !regexp.MustCompile(`^\d+\.\d+_\d+\..+$`).MatchString(names[0]) {
		t.Fatalf("new/ = %q, want one time.pid_seq.host file", names)
	}
	if uidOf(names[0]) != uid {
		t.Errorf("UID %q, file %q: want the UID taken from the name", uid, names[0])
	}
	if tmp := dirNames(t, filepath.Join(root, "alice", "tmp")); len(tmp) != 0 {
		t.Errorf("tmp/ not empty after delivery: %q", tmp)
	}
	for path, want := range map[string]os.FileMode{
		filepath.Join(root, "alice"):                  0o700,
		filepath.Join(root, "alice", "cur"):           0o700,
		filepath.Join(root, "alice", "new", names[0]): 0o600,
	} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, %v; want %v", path, fi.Mode().Perm(), err, want)
		}
	}
}

// Mail readers (mutt, Dovecot) move a read message to cur/ and add ":2,S";
// it is the same message, so it keeps its UID (RFC 1939 §7).
func TestMaildirCurKeepsUID(t *testing.T) {
	root := t.TempDir()
	m := newMaildir(t, root)
	uid, _ := m.Deliver("alice", []byte("seen\n"))
	name := dirNames(t, filepath.Join(root, "alice", "new"))[0]
	moveToCur(t, root, name, ":2,S")

	d := open(t, m, "alice")
	if got := uidsOf(d.List()); !slices.Equal(got, []string{uid}) {
		t.Fatalf("List = %q, want [%q]", got, uid)
	}
	if b, err := d.Read(uid); err != nil || string(b) != "seen\n" {
		t.Fatalf("Read = %q, %v", b, err)
	}
	if err := d.Commit([]string{uid}); err != nil {
		t.Fatal(err)
	}
	if cur := dirNames(t, filepath.Join(root, "alice", "cur")); len(cur) != 0 {
		t.Errorf("cur/ after Commit = %q, want empty", cur)
	}
}

// A mail reader that ignores our lock may move a message while a POP3
// session has it open; Read and Commit still find it.
func TestMaildirMovedDuringSession(t *testing.T) {
	root := t.TempDir()
	m := newMaildir(t, root)
	uids := deliverAll(t, m, "alice", []byte("a\n"), []byte("b\n"))
	d := open(t, m, "alice")
	names := dirNames(t, filepath.Join(root, "alice", "new"))
	moveToCur(t, root, names[0], ":2,S")
	if err := os.Remove(filepath.Join(root, "alice", "new", names[1])); err != nil {
		t.Fatal(err)
	}
	if b, err := d.Read(uidOf(names[0])); err != nil || len(b) != 2 {
		t.Errorf("Read after move = %q, %v", b, err)
	}
	if err := d.Commit(uids); err != nil {
		t.Errorf("Commit with one file already gone: %v", err)
	}
	if got := listUIDs(t, m, "alice"); len(got) != 0 {
		t.Errorf("after Commit: %q, want none", got)
	}
}

// The store remembers which Maildirs it made; one moved away (a teacher
// emptying a class's mail, the benchmark between rounds) or removed is
// made again by the next delivery, which still succeeds.
func TestMaildirRemadeAfterRemoval(t *testing.T) {
	root := t.TempDir()
	m := newMaildir(t, root)
	deliverAll(t, m, "alice", []byte("a\n"))
	if err := os.Rename(filepath.Join(root, "alice"), filepath.Join(t.TempDir(), "aside")); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, m, "alice", []byte("b\n"))
	if err := os.RemoveAll(filepath.Join(root, "alice", "new")); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, m, "alice", []byte("c\n"))
	names := dirNames(t, filepath.Join(root, "alice", "new"))
	if len(names) != 1 {
		t.Fatalf("new/ = %q, want the one message delivered since", names)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "alice", "new", names[0])); string(b) != "c\n" {
		t.Errorf("message = %q, want %q", b, "c\n")
	}
	if tmp := dirNames(t, filepath.Join(root, "alice", "tmp")); len(tmp) != 0 {
		t.Errorf("tmp/ = %q, want empty", tmp)
	}
}

// tmp/ holds deliveries that never finished (a crash between write and
// rename); they must never show up. Neither may dot files, directories or
// the lock file.
func TestMaildirListsOnlyMessages(t *testing.T) {
	root := t.TempDir()
	m := newMaildir(t, root)
	uid, _ := m.Deliver("alice", []byte("real\n"))
	dir := filepath.Join(root, "alice")
	writeFile(t, filepath.Join(dir, "tmp", "1700000000.99_1.host"), "half a mess")
	writeFile(t, filepath.Join(dir, "new", ".hidden"), "x")
	writeFile(t, filepath.Join(dir, "cur", ".hidden:2,S"), "x")
	if err := os.Mkdir(filepath.Join(dir, "cur", "subdir"), 0o700); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second Open runs with the lock file already there
		if got := listUIDs(t, m, "alice"); !slices.Equal(got, []string{uid}) {
			t.Errorf("List = %q, want only [%q]", got, uid)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, lockName)); err != nil {
		t.Errorf("lock file: %v", err)
	}
}

func TestMaildirDeliveryOrder(t *testing.T) {
	root := t.TempDir()
	m := newMaildir(t, root)
	open(t, m, "alice").Release() // creates the directories
	// Oldest first, as the RFC 1939 message numbers should show them.
	names := []string{
		"999.7_5.host",
		"1000.1_2.host",
		"1000.1_10.host", // 10 after 2: numbers, not text
		"1000.M5P9.host",
		"1000.M20P9.host",
		"1001.1_1.host",
		"junk",
	}
	for i, n := range names {
		sub := "new"
		if i%2 == 1 {
			sub, n = "cur", n+":2,S" // order ignores where the file is
		}
		writeFile(t, filepath.Join(root, "alice", sub, n), "x")
	}
	want := []string{"junk"} // no time: sorts as time 0
	want = append(want, names[:len(names)-1]...)
	if got := listUIDs(t, m, "alice"); !slices.Equal(got, want) {
		t.Errorf("order = %q\nwant    %q", got, want)
	}
}

// A base name that is not a valid unique-id (too long, spaces, 8-bit) gets a
// hashed UID that is valid and the same in every session.
func TestMaildirUnusualNames(t *testing.T) {
	root := t.TempDir()
	m := newMaildir(t, root)
	open(t, m, "alice").Release()
	long := "1700000000.1_1." + strings.Repeat("h", 80)
	for _, n := range []string{long, "1700000000.1_2.with space", "1700000000.1_3.h\xc3\xa9"} {
		writeFile(t, filepath.Join(root, "alice", "new", n), "x")
	}
	first := listUIDs(t, m, "alice")
	if len(first) != 3 || len(unique(first)) != 3 {
		t.Fatalf("UIDs = %q, want 3 distinct", first)
	}
	for _, uid := range first {
		if !validUID(uid) {
			t.Errorf("UID %q is not valid", uid)
		}
	}
	if again := listUIDs(t, newMaildir(t, root), "alice"); !slices.Equal(again, first) {
		t.Errorf("UIDs changed: %q, then %q", first, again)
	}
}

// A refused name must not create anything, inside the root or beside it.
func TestMaildirBadUserStaysInRoot(t *testing.T) {
	parent := t.TempDir()
	m := newMaildir(t, filepath.Join(parent, "root"))
	for _, user := range []string{"../x", "..", "a/b", "../root/../../x"} {
		if _, err := m.Deliver(user, []byte("x")); !errors.Is(err, ErrBadUser) {
			t.Errorf("Deliver(%q) error = %v", user, err)
		}
	}
	if got := dirNames(t, parent); !slices.Equal(got, []string{"root"}) {
		t.Errorf("beside root: %q", got)
	}
	if got := dirNames(t, filepath.Join(parent, "root")); len(got) != 0 {
		t.Errorf("in root: %q", got)
	}
}

func TestMaildirUsersSkipsOtherEntries(t *testing.T) {
	root := t.TempDir()
	m := newMaildir(t, root)
	deliverAll(t, m, "bob", []byte("x"))
	writeFile(t, filepath.Join(root, "stray-file"), "x")
	if got := m.Users(); !slices.Equal(got, []string{"bob"}) {
		t.Errorf("Users() = %q, want [bob]", got)
	}
}

func moveToCur(t *testing.T, root, name, info string) {
	t.Helper()
	dir := filepath.Join(root, "alice")
	if err := os.Rename(filepath.Join(dir, "new", name), filepath.Join(dir, "cur", name+info)); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// Opening a maildrop removes what a crash left in tmp/ more than 36 hours
// ago (the Maildir convention), and nothing newer: a delivery may be
// writing there right now.
func TestMaildirOpenCleansStaleTmp(t *testing.T) {
	root := t.TempDir()
	m := newMaildir(t, root)
	deliverAll(t, m, "alice", []byte("kept\n"))
	tmp := filepath.Join(root, "alice", "tmp")
	old := time.Now().Add(-37 * time.Hour)
	files := map[string]time.Time{
		"1.crashed.host":    old,                             // a delivery that never finished, long ago
		"2.recent.host":     time.Now().Add(-35 * time.Hour), // still within 36 hours
		"3.being-read.host": old,                             // old, but read an hour ago
		"4.just-begun.host": time.Now(),
	}
	for name, at := range files {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
		atime := at
		if name == "3.being-read.host" {
			atime = time.Now().Add(-time.Hour)
		}
		if err := os.Chtimes(p, atime, at); err != nil {
			t.Fatal(err)
		}
	}
	d := open(t, m, "alice")
	defer d.Release()
	got := dirNames(t, tmp)
	want := []string{"2.recent.host", "3.being-read.host", "4.just-begun.host"}
	if !slices.Equal(got, want) {
		t.Errorf("tmp/ after Open = %q, want %q", got, want)
	}
	if n := len(dirNames(t, filepath.Join(root, "alice", "new"))); n != 1 {
		t.Errorf("new/ holds %d messages, want the 1 delivered", n)
	}
}
