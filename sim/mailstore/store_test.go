package mailstore

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
)

// testStore runs the behaviour every Store shares. newStore returns a fresh,
// empty store; reopen returns a store over the same mail (for Maildir a new
// NewMaildir on the same root, for Memory the same value).
func testStore(t *testing.T, newStore func(t *testing.T) (s Store, reopen func() Store)) {
	msgs := [][]byte{
		[]byte("Subject: one\n\nHello\n"),
		[]byte("Subject: two\n\n.\n..dots\nno final newline"),
		[]byte("bare\rCR, NUL \x00 and 8bit \xff\xfe stay as given\n"),
		{},
	}

	t.Run("round trip", func(t *testing.T) {
		s, _ := newStore(t)
		uids := deliverAll(t, s, "alice", msgs...)
		d := open(t, s, "alice")
		defer d.Release()
		list := d.List()
		if got := uidsOf(list); !slices.Equal(got, uids) {
			t.Fatalf("List UIDs = %q, want %q (delivery order)", got, uids)
		}
		for i, e := range list {
			if !validUID(e.UID) {
				t.Errorf("UID %q is not 1–70 chars in 0x21–0x7E", e.UID)
			}
			if e.Size != int64(len(msgs[i])) {
				t.Errorf("Size(%s) = %d, want %d", e.UID, e.Size, len(msgs[i]))
			}
			b, err := d.Read(e.UID)
			if err != nil || !bytes.Equal(b, msgs[i]) {
				t.Errorf("Read(%s) = %q, %v; want %q", e.UID, b, err, msgs[i])
			}
		}
		if _, err := d.Read("no-such-uid"); !errors.Is(err, ErrNoMessage) {
			t.Errorf("Read(unknown) error = %v, want ErrNoMessage", err)
		}
	})

	t.Run("UIDs stable across sessions", func(t *testing.T) {
		s, reopen := newStore(t)
		deliverAll(t, s, "alice", msgs[:2]...)
		d := open(t, s, "alice")
		first := uidsOf(d.List())
		d.Release()
		for _, s := range []Store{s, reopen()} {
			d := open(t, s, "alice")
			if got := uidsOf(d.List()); !slices.Equal(got, first) {
				t.Errorf("UIDs changed: %q, then %q", first, got)
			}
			d.Release()
		}
	})

	t.Run("lock", func(t *testing.T) {
		s, _ := newStore(t)
		d1 := open(t, s, "alice")
		if _, err := s.Open("alice"); !errors.Is(err, ErrLocked) {
			t.Fatalf("second Open error = %v, want ErrLocked", err)
		}
		open(t, s, "bob").Release() // another user's maildrop is not locked
		d1.Release()
		d2 := open(t, s, "alice")
		d1.Release() // a stale second Release must not free d2's lock
		if _, err := s.Open("alice"); !errors.Is(err, ErrLocked) {
			t.Fatalf("Open after a repeated Release error = %v, want ErrLocked", err)
		}
		if err := d2.Commit(nil); err != nil {
			t.Fatal(err)
		}
		d2.Release() // the usual deferred Release after Commit
		open(t, s, "alice").Release()
	})

	t.Run("commit removes only the listed", func(t *testing.T) {
		s, _ := newStore(t)
		uids := deliverAll(t, s, "alice", msgs[:3]...)
		d := open(t, s, "alice")
		if err := d.Commit([]string{uids[1], "no-such-uid"}); err != nil {
			t.Fatal(err)
		}
		if err := d.Commit(nil); err == nil {
			t.Error("second Commit succeeded, want an error")
		}
		want := []string{uids[0], uids[2]}
		if got := listUIDs(t, s, "alice"); !slices.Equal(got, want) {
			t.Errorf("after Commit: %q, want %q", got, want)
		}
	})

	// RFC 1939 §6: DELE without QUIT deletes nothing.
	t.Run("release removes nothing", func(t *testing.T) {
		s, _ := newStore(t)
		uids := deliverAll(t, s, "alice", msgs[:3]...)
		open(t, s, "alice").Release()
		if got := listUIDs(t, s, "alice"); !slices.Equal(got, uids) {
			t.Errorf("after Release: %q, want %q", got, uids)
		}
	})

	t.Run("mail delivered during a session waits for the next", func(t *testing.T) {
		s, _ := newStore(t)
		old := deliverAll(t, s, "alice", msgs[0])
		d := open(t, s, "alice")
		late := deliverAll(t, s, "alice", msgs[1])
		if got := uidsOf(d.List()); !slices.Equal(got, old) {
			t.Errorf("List = %q, want only %q", got, old)
		}
		if _, err := d.Read(late[0]); !errors.Is(err, ErrNoMessage) {
			t.Errorf("Read(late) error = %v, want ErrNoMessage", err)
		}
		if err := d.Commit(append(old, late...)); err != nil {
			t.Fatal(err)
		}
		if got := listUIDs(t, s, "alice"); !slices.Equal(got, late) {
			t.Errorf("after Commit: %q, want %q", got, late)
		}
	})

	t.Run("bad user names", func(t *testing.T) {
		s, _ := newStore(t)
		for _, user := range []string{"", ".", "..", "../x", "a/b", `a\b`, "x\x00y", "tab\there", "del\x7f", string(make([]byte, 65))} {
			if _, err := s.Deliver(user, msgs[0]); !errors.Is(err, ErrBadUser) {
				t.Errorf("Deliver(%q) error = %v, want ErrBadUser", user, err)
			}
			if _, err := s.Open(user); !errors.Is(err, ErrBadUser) {
				t.Errorf("Open(%q) error = %v, want ErrBadUser", user, err)
			}
		}
		if u := s.Users(); len(u) != 0 {
			t.Errorf("Users() = %q after refused names, want none", u)
		}
	})

	t.Run("users", func(t *testing.T) {
		s, _ := newStore(t)
		for _, u := range []string{"carol", "alice@example.com", "bob"} {
			deliverAll(t, s, u, msgs[0])
		}
		want := []string{"alice@example.com", "bob", "carol"}
		if got := s.Users(); !slices.Equal(got, want) {
			t.Errorf("Users() = %q, want %q", got, want)
		}
		d := open(t, s, "nobody-yet") // an empty maildrop opens fine
		if l := d.List(); len(l) != 0 {
			t.Errorf("new maildrop lists %v", l)
		}
		d.Release()
	})

	t.Run("concurrent deliveries", func(t *testing.T) {
		s, _ := newStore(t)
		const n = 20
		var wg sync.WaitGroup
		uids := make([]string, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { uids[i], errs[i] = s.Deliver("alice", fmt.Appendf(nil, "message %d\n", i)) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		d := open(t, s, "alice")
		defer d.Release()
		list := d.List()
		if len(list) != n || len(unique(uidsOf(list))) != n || len(unique(uids)) != n {
			t.Fatalf("got %d messages, %d distinct UIDs listed, %d returned; want %d", len(list), len(unique(uidsOf(list))), len(unique(uids)), n)
		}
		for i, uid := range uids {
			b, err := d.Read(uid)
			if want := fmt.Sprintf("message %d\n", i); err != nil || string(b) != want {
				t.Errorf("Read(%s) = %q, %v; want %q", uid, b, err, want)
			}
		}
	})
}

func deliverAll(t *testing.T, s Store, user string, msgs ...[]byte) []string {
	t.Helper()
	var uids []string
	for _, m := range msgs {
		uid, err := s.Deliver(user, m)
		if err != nil {
			t.Fatalf("Deliver(%q): %v", user, err)
		}
		uids = append(uids, uid)
	}
	return uids
}

func open(t *testing.T, s Store, user string) Maildrop {
	t.Helper()
	d, err := s.Open(user)
	if err != nil {
		t.Fatalf("Open(%q): %v", user, err)
	}
	return d
}

// listUIDs opens a new session and returns its UIDs.
func listUIDs(t *testing.T, s Store, user string) []string {
	t.Helper()
	d := open(t, s, user)
	defer d.Release()
	return uidsOf(d.List())
}

func uidsOf(list []Entry) []string {
	var uids []string
	for _, e := range list {
		uids = append(uids, e.UID)
	}
	return uids
}

func unique(s []string) []string { return slices.Compact(slices.Sorted(slices.Values(s))) }
