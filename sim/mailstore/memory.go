package mailstore

import (
	"errors"
	"slices"
	"strconv"
	"sync"
)

// errClosed: the maildrop was already committed or released.
var errClosed = errors.New("maildrop already closed")

// Memory is a Store kept in memory, for the browser and the simulation. It
// does no I/O and reads no clock, so the same deliveries in the same order
// always give the same UIDs and a replayed scenario gives the same trace.
// It is safe for concurrent use, because native mode may share it between
// connections.
type Memory struct {
	mu    sync.Mutex
	users map[string]*memUser
}

type memUser struct {
	msgs   []Stored
	next   uint64 // last counter used; never goes back, so a UID is never reused (RFC 1939 §7)
	locked bool
}

// Stored is one message as kept in a Memory store.
type Stored struct {
	UID  string
	Data []byte
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	return &Memory{users: map[string]*memUser{}}
}

// user returns the user's maildrop, creating it. The caller holds m.mu.
func (m *Memory) user(name string) *memUser {
	u := m.users[name]
	if u == nil {
		u = &memUser{}
		m.users[name] = u
	}
	return u
}

// Deliver stores a copy of msg. The UID is the user's delivery counter plus a
// short hash of the message, so students see that a UID is an opaque name and
// not the message number (which RFC 1939 §4 renumbers every session).
func (m *Memory) Deliver(user string, msg []byte) (string, error) {
	if err := checkUser(user); err != nil {
		return "", err
	}
	h := fnv32a(msg)
	m.mu.Lock()
	defer m.mu.Unlock()
	u := m.user(user)
	u.next++
	uid := memUID(u.next, h&0xffff)
	u.msgs = append(u.msgs, Stored{UID: uid, Data: slices.Clone(msg)})
	return uid, nil
}

// Open locks the user's maildrop, creating an empty one if needed.
func (m *Memory) Open(user string) (Maildrop, error) {
	if err := checkUser(user); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	u := m.user(user)
	if u.locked {
		return nil, ErrLocked
	}
	u.locked = true
	d := &memDrop{m: m, u: u, data: map[string][]byte{}}
	for _, s := range u.msgs {
		d.list = append(d.list, Entry{UID: s.UID, Size: int64(len(s.Data))})
		d.data[s.UID] = s.Data
	}
	return d, nil
}

// Users lists the users that have a maildrop, sorted.
func (m *Memory) Users() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var names []string
	for name := range m.users {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Messages returns a copy of the user's messages, oldest first, so the
// simulation can show the maildrop after a run.
func (m *Memory) Messages(user string) []Stored {
	m.mu.Lock()
	defer m.mu.Unlock()
	u := m.users[user]
	if u == nil {
		return nil
	}
	out := make([]Stored, len(u.msgs))
	for i, s := range u.msgs {
		out[i] = Stored{UID: s.UID, Data: slices.Clone(s.Data)}
	}
	return out
}

// memDrop is an open Memory maildrop. Its list is fixed at Open: mail
// delivered during the session waits for the next one (RFC 1939 §4 numbers
// the maildrop once, at the start of the TRANSACTION state).
type memDrop struct {
	m      *Memory
	u      *memUser
	list   []Entry
	data   map[string][]byte // stored bytes are never modified, so sharing them is safe
	closed bool              // guarded by m.mu
}

func (d *memDrop) List() []Entry { return slices.Clone(d.list) }

func (d *memDrop) Read(uid string) ([]byte, error) {
	d.m.mu.Lock()
	defer d.m.mu.Unlock()
	if d.closed {
		return nil, errClosed
	}
	b, ok := d.data[uid]
	if !ok {
		return nil, ErrNoMessage
	}
	return slices.Clone(b), nil
}

// Commit removes the listed messages that this session saw (RFC 1939 §6:
// only the UPDATE state removes anything) and releases the lock. UIDs it does
// not know are ignored, so a message delivered during the session survives.
func (d *memDrop) Commit(remove []string) error {
	d.m.mu.Lock()
	defer d.m.mu.Unlock()
	if d.closed {
		return errClosed
	}
	gone := map[string]bool{}
	for _, uid := range remove {
		if _, seen := d.data[uid]; seen {
			gone[uid] = true
		}
	}
	d.u.msgs = slices.DeleteFunc(d.u.msgs, func(s Stored) bool { return gone[s.UID] })
	d.close()
	return nil
}

// Release gives up the lock and removes nothing: a session that ends without
// QUIT never reaches UPDATE (RFC 1939 §6). It may be called after Commit.
func (d *memDrop) Release() {
	d.m.mu.Lock()
	defer d.m.mu.Unlock()
	d.close()
}

// close releases the lock once; a second call must not unlock a later
// session's lock. The caller holds m.mu.
func (d *memDrop) close() {
	if !d.closed {
		d.closed = true
		d.u.locked = false
	}
}

// fnv32a is hash/fnv's 32-bit FNV-1a of b, without the allocation.
func fnv32a(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}

// memUID formats a UID as fmt's "%08d.%04x" would: the sequence number
// zero-padded to 8 digits, a dot, the hash in 4 lower-case hex digits.
func memUID(n uint64, h uint32) string {
	var b [32]byte
	d := strconv.AppendUint(b[:0], n, 10)
	out := make([]byte, 0, 16)
	for i := len(d); i < 8; i++ {
		out = append(out, '0')
	}
	out = append(out, d...)
	out = append(out, '.')
	x := strconv.AppendUint(b[16:16], uint64(h), 16)
	for i := len(x); i < 4; i++ {
		out = append(out, '0')
	}
	return string(append(out, x...))
}
