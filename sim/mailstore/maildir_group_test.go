//go:build !js

package mailstore

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// One sync serves every delivery waiting when it begins, and a delivery
// never returns on a sync that began before it called wait.
func TestGroupSyncShares(t *testing.T) {
	var syncs, inSync atomic.Int64
	var gen atomic.Int64 // the sync under way or last begun
	g := newGroup(func() error {
		syncs.Add(1)
		gen.Add(1)
		inSync.Add(1)
		time.Sleep(2 * time.Millisecond)
		inSync.Add(-1)
		return nil
	})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			before := gen.Load()
			if err := g.wait(); err != nil {
				errs <- err
			}
			if gen.Load() <= before {
				errs <- fmt.Errorf("returned without a new sync")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := syncs.Load(); n >= 50 {
		t.Errorf("%d syncs for 100 waiters: not shared", n)
	}
}

// A failed sync fails every delivery it was to cover, and the next ones
// get a fresh chance.
func TestGroupSyncError(t *testing.T) {
	fail := errors.New("EIO")
	var calls atomic.Int64
	g := newGroup(func() error {
		if calls.Add(1) == 1 {
			return fail
		}
		return nil
	})
	if err := g.wait(); !errors.Is(err, fail) {
		t.Fatalf("first wait: %v, want the sync's error", err)
	}
	if err := g.wait(); err != nil {
		t.Fatalf("second wait: %v", err)
	}
}

// Concurrent deliveries through the grouped path are all stored, whole.
func TestMaildirConcurrentDeliveries(t *testing.T) {
	m := newMaildir(t, t.TempDir())
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := m.Deliver("alice", []byte(fmt.Sprintf("message %d\n", i))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	d := open(t, m, "alice")
	defer d.Release()
	if n := len(d.List()); n != 50 {
		t.Errorf("%d messages, want 50", n)
	}
	t.Logf("group sync in use: %v", m.group != nil)
}
