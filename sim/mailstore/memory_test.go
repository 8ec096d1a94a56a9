package mailstore

import (
	"fmt"
	"hash/fnv"
	"slices"
	"testing"
)

func TestMemory(t *testing.T) {
	testStore(t, func(t *testing.T) (Store, func() Store) {
		m := NewMemory()
		return m, func() Store { return m }
	})
}

// A replayed scenario must produce the same trace, UIDs included.
func TestMemoryDeterministicUIDs(t *testing.T) {
	run := func() []string {
		m := NewMemory()
		var uids []string
		for _, msg := range []string{"a\n", "b\n", "a\n"} {
			uid, err := m.Deliver("alice", []byte(msg))
			if err != nil {
				t.Fatal(err)
			}
			uids = append(uids, uid)
		}
		return uids
	}
	first, second := run(), run()
	if !slices.Equal(first, second) {
		t.Fatalf("UIDs differ between runs: %q vs %q", first, second)
	}
	if len(unique(first)) != 3 || first[0][:8] != "00000001" || first[2][:8] != "00000003" {
		t.Errorf("UIDs = %q, want distinct, starting with a per-user counter", first)
	}
}

// RFC 1939 §7: a UID is never reused, even after its message is gone.
func TestMemoryUIDsNotReused(t *testing.T) {
	m := NewMemory()
	a, _ := m.Deliver("alice", []byte("x\n"))
	d, _ := m.Open("alice")
	if err := d.Commit([]string{a}); err != nil {
		t.Fatal(err)
	}
	if b, _ := m.Deliver("alice", []byte("x\n")); b == a {
		t.Errorf("UID %q reused", a)
	}
}

func TestMemoryMessages(t *testing.T) {
	m := NewMemory()
	a, _ := m.Deliver("alice", []byte("one\n"))
	b, _ := m.Deliver("alice", []byte("two\n"))
	got := m.Messages("alice")
	got[0].Data[0] = 'X' // a snapshot: changing it leaves the store alone
	if again := m.Messages("alice"); string(again[0].Data) != "one\n" {
		t.Errorf("Messages is not a copy: store now has %q", again[0].Data)
	}
	d, _ := m.Open("alice")
	if err := d.Commit([]string{a}); err != nil {
		t.Fatal(err)
	}
	if got := m.Messages("alice"); len(got) != 1 || got[0].UID != b || string(got[0].Data) != "two\n" {
		t.Errorf("after Commit, Messages = %q", got)
	}
	if got := m.Messages("nobody"); got != nil {
		t.Errorf("Messages(unknown) = %q, want nil", got)
	}
}

// memUID and fnv32a make the UIDs fmt and hash/fnv made before.
func TestMemUIDSame(t *testing.T) {
	for _, n := range []uint64{0, 1, 9, 12345678, 123456789, 1 << 40} {
		for _, msg := range []string{"", "a", "hello world\n", "x\x00y"} {
			h := fnv.New32a()
			h.Write([]byte(msg))
			want := fmt.Sprintf("%08d.%04x", n, h.Sum32()&0xffff)
			if got := memUID(n, fnv32a([]byte(msg))&0xffff); got != want {
				t.Fatalf("%q != %q", got, want)
			}
		}
	}
}
