//go:build !js

package mailstore

import (
	"os"
	"sync"
)

// groupSync shares durable syncs between concurrent deliveries (group
// commit). A delivery that calls wait returns after a sync of the whole
// file system that began after the call: everything it wrote before is
// then on disk. One sync serves every delivery waiting when it begins, so
// twenty sessions delivering at once cost a couple of syncs, not forty
// fsyncs. With 20 smtp-source sessions it delivered about 1.4 times as
// many messages per second as an fsync of each file and of new/ (measured
// while writing it; bench/native.md has the end-to-end numbers). The
// price: syncfs also writes out whatever else is waiting on the same file
// system.
type groupSync struct {
	sync func() error // one sync of the file system (syncFS of the root)
	dev  uint64       // that file system's device; 0 = unknown
	same sync.Map     // user directory → on the same file system (bool)

	mu       sync.Mutex
	cond     *sync.Cond
	running  bool
	started  uint64 // the last sync begun
	finished uint64 // the last sync ended
	failed   uint64 // the last sync that failed, and its error
	err      error
}

// newGroupSync returns a syncer for the file system of root, or nil where
// one sync of the whole file system is not available or not trustworthy
// (see syncFS); the store then fsyncs each file and directory.
func newGroupSync(root string) *groupSync {
	if !canSyncFS() {
		return nil
	}
	fd, err := os.Open(root) // kept open: syncfs reports errors since the last call on it
	if err != nil {
		return nil
	}
	g := newGroup(func() error { return syncFS(fd) })
	g.dev = deviceOf(root)
	return g
}

// covers reports whether a sync of the root's file system also syncs dir:
// a user folder that is a mount of its own is fsynced file by file.
func (g *groupSync) covers(dir string) bool {
	if g.dev == 0 {
		return true // no device numbers here: one file system assumed
	}
	if v, ok := g.same.Load(dir); ok {
		return v.(bool)
	}
	same := deviceOf(dir) == g.dev
	g.same.Store(dir, same)
	return same
}

func newGroup(syncf func() error) *groupSync {
	g := &groupSync{sync: syncf}
	g.cond = sync.NewCond(&g.mu)
	return g
}

// wait returns once a sync that began after the call has ended, with its
// error (or that of a later one: a failure is never hidden).
func (g *groupSync) wait() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	need := g.started + 1 // a sync under way may have begun before our write
	for g.finished < need {
		if g.running {
			g.cond.Wait()
			continue
		}
		g.running = true
		g.started++
		gen := g.started
		g.mu.Unlock()
		err := g.sync()
		g.mu.Lock()
		g.running = false
		g.finished = gen
		if err != nil {
			g.failed, g.err = gen, err
		}
		g.cond.Broadcast()
	}
	if g.failed >= need {
		return g.err
	}
	return nil
}
