//go:build !js

package mailstore

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Maildir is a durable Store for native mode: one Maildir per user at
// root/<user>/{tmp,new,cur}, laid out as https://cr.yp.to/proto/maildir.html
// describes, so mutt and Dovecot can read the same mail.
type Maildir struct {
	root string // absolute, so the in-process lock table has one key per maildrop
	host string // the host part of file names
	// group shares file-system syncs between concurrent deliveries (Linux
	// syncfs, see maildir_group.go); nil = fsync each file and new/.
	group *groupSync
	// made maps the users whose Maildir this store has made (or found) to
	// its directory, so that a delivery does not ask the file system four
	// times; a delivery that finds it gone makes it again.
	made sync.Map
}

// lockName is the per-user lock file. It sits beside tmp/new/cur, never in
// them, so it is never listed as a message.
const lockName = ".maillab.lock"

var _ Store = (*Maildir)(nil)

var (
	// deliveries is the seq of time.pid_seq.host. It is process-wide, so two
	// Maildir values on one root never pick the same file name.
	deliveries atomic.Uint64

	// held lists the user directories this process has open. flock already
	// refuses a second lock inside one process on Unix; the table also covers
	// platforms without flock.
	// pidText is this process's id in file names.
	pidText = strconv.Itoa(os.Getpid())

	heldMu sync.Mutex
	held   = map[string]bool{}
)

// NewMaildir returns a Maildir store under root, creating root if needed.
func NewMaildir(root string) (*Maildir, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, err
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	// The Maildir spec writes '/' and ':' in the host name as \057 and \072.
	host = strings.NewReplacer("/", `\057`, ":", `\072`).Replace(host)
	markTopDir(abs)
	return &Maildir{root: abs, host: host, group: newGroupSync(abs)}, nil
}

// prepare checks the user name and creates the user's Maildir on first use.
func (m *Maildir) prepare(user string) (string, error) {
	if err := checkUser(user); err != nil {
		return "", err
	}
	dir := filepath.Join(m.root, user)
	for _, d := range []string{dir, filepath.Join(dir, "tmp"), filepath.Join(dir, "new"), filepath.Join(dir, "cur")} {
		if err := mkdirSynced(d); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// mkdirSynced creates dir and fsyncs its parent: if a crash lost the new
// directory it would lose an acknowledged message with it.
func mkdirSynced(dir string) error {
	err := os.Mkdir(dir, 0o700)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return syncDir(filepath.Dir(dir))
}

// Deliver writes msg to tmp/, fsyncs it, renames it into new/ and fsyncs
// new/. Only then is the message safe from a crash, and only then may SMTP
// answer 250 (RFC 5321 §6.1: the server takes responsibility for it).
// Concurrent deliveries share their syncs where the system allows it
// (deliverGrouped).
func (m *Maildir) Deliver(user string, msg []byte) (string, error) {
	uid, err := m.deliver(user, msg, true)
	if errors.Is(err, fs.ErrNotExist) {
		// The user's Maildir was moved or removed since it was made (a
		// teacher emptying it): make it again and deliver there.
		m.made.Delete(user)
		uid, err = m.deliver(user, msg, false)
	}
	return uid, err
}

func (m *Maildir) deliver(user string, msg []byte, trustMade bool) (string, error) {
	var dir string
	if d, ok := m.made.Load(user); ok && trustMade {
		dir = d.(string)
	} else {
		var err error
		if dir, err = m.prepare(user); err != nil {
			return "", err
		}
		m.made.Store(user, dir)
	}
	name := strconv.FormatInt(time.Now().Unix(), 10) + "." + pidText + "_" + strconv.FormatUint(deliveries.Add(1), 10) + "." + m.host
	tmp := filepath.Join(dir, "tmp", name)
	dst := filepath.Join(dir, "new", name)
	if m.group != nil && m.group.covers(dir) {
		return m.deliverGrouped(tmp, dst, name, msg)
	}
	if err := writeSynced(tmp, msg); err != nil {
		return "", err
	}
	if err := renameNew(tmp, dst); err != nil {
		os.Remove(tmp)
		return "", err
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		// Not known to be durable, so SMTP must not say 250. Take the file
		// back, or the client's retry would deliver the message twice.
		os.Remove(dst)
		return "", err
	}
	return uidOf(name), nil
}

// deliverGrouped is Deliver with the syncs shared between concurrent
// deliveries: the same order (the message is on disk before its name
// enters new/, and the name is on disk before Deliver returns), but each
// step waits for a sync of the whole file system that began after it, and
// one such sync serves every delivery waiting at that moment.
func (m *Maildir) deliverGrouped(tmp, dst, name string, msg []byte) (string, error) {
	if err := createFile(tmp, msg, false); err != nil {
		return "", err
	}
	if err := m.group.wait(); err != nil {
		os.Remove(tmp)
		return "", err
	}
	if err := renameNew(tmp, dst); err != nil {
		os.Remove(tmp)
		return "", err
	}
	if err := m.group.wait(); err != nil {
		os.Remove(dst) // not known to be durable: no 250, and no duplicate on the retry
		return "", err
	}
	return uidOf(name), nil
}

// staleTmp is how long a file may sit in tmp/ before it counts as the
// remains of a delivery that never finished (a crash between write and
// rename): the Maildir convention is 36 hours without access
// (https://cr.yp.to/proto/maildir.html), long enough for any delivery
// still under way.
const staleTmp = 36 * time.Hour

// cleanTmp removes the files of tmp/ neither changed nor read for
// staleTmp. Open calls it with the maildrop locked, as Dovecot cleans tmp/
// when it opens a mailbox; a failure only leaves the file for next time.
func cleanTmp(tmp string, now time.Time) {
	ents, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil || now.Sub(info.ModTime()) < staleTmp || now.Sub(accessTime(info)) < staleTmp {
			continue
		}
		os.Remove(filepath.Join(tmp, e.Name()))
	}
}

// renameNew moves a file to a name that does not exist yet. It is
// os.Rename without the Lstat that os.Rename makes first to refuse a
// directory as the new name: the name is new, and this is once per message.
func renameNew(from, to string) error {
	if err := syscall.Rename(from, to); err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}

// writeSynced creates path (never over an existing file), writes b and
// fsyncs it. On failure it removes what it created.
func writeSynced(path string, b []byte) error { return createFile(path, b, true) }

// createFile creates path (never over an existing file) and writes b,
// fsyncing it if sync. On failure it removes what it created.
func createFile(path string, b []byte, sync bool) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// Open locks the user's maildrop against other sessions of this process and
// of other processes, then lists new/ and cur/.
func (m *Maildir) Open(user string) (Maildrop, error) {
	dir, err := m.prepare(user)
	if err != nil {
		return nil, err
	}
	heldMu.Lock()
	if held[dir] {
		heldMu.Unlock()
		return nil, ErrLocked
	}
	held[dir] = true
	heldMu.Unlock()

	lock, err := lockFile(filepath.Join(dir, lockName))
	if err == nil {
		cleanTmp(filepath.Join(dir, "tmp"), time.Now())
		var files []msgFile
		if files, err = scan(dir); err == nil {
			d := &dirDrop{dir: dir, lock: lock, files: files, index: map[string]int{}}
			for i, f := range files {
				d.index[f.uid] = i
			}
			return d, nil
		}
		unlockFile(lock)
	}
	unhold(dir)
	return nil, err
}

func unhold(dir string) {
	heldMu.Lock()
	delete(held, dir)
	heldMu.Unlock()
}

// Users lists the directories under root that are valid user names, sorted.
func (m *Maildir) Users() []string {
	ents, err := os.ReadDir(m.root) // sorted by name
	if err != nil {
		return nil
	}
	var users []string
	for _, e := range ents {
		if e.IsDir() && checkUser(e.Name()) == nil {
			users = append(users, e.Name())
		}
	}
	return users
}

// msgFile is one message file found by scan.
type msgFile struct {
	uid  string
	base string // file name without the ":2,…" info part
	path string
	size int64
}

// scan lists the messages in new/ and cur/, oldest first. tmp/ holds
// deliveries that are not finished (or never will be, after a crash), so it
// is never read. Dot files are not messages.
func scan(dir string) ([]msgFile, error) {
	var files []msgFile
	seen := map[string]bool{}
	for _, sub := range []string{"new", "cur"} {
		ents, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".") || !e.Type().IsRegular() {
				continue
			}
			info, err := e.Info()
			if err != nil {
				continue // removed meanwhile by another mail tool
			}
			base, _, _ := strings.Cut(e.Name(), ":")
			uid := uidOf(base)
			if seen[uid] {
				continue // caught halfway through a move from new/ to cur/
			}
			seen[uid] = true
			files = append(files, msgFile{uid, base, filepath.Join(dir, sub, e.Name()), info.Size()})
		}
	}
	slices.SortFunc(files, func(a, b msgFile) int { return deliveryOrder(a.base, b.base) })
	return files, nil
}

// uidOf names a message after its base name, which stays the same when a
// mail reader moves it from new/ to cur/ and appends ":2,S". A name that is
// not a valid unique-id (RFC 1939 §7) is replaced by its hash, which is just
// as stable.
func uidOf(base string) string {
	if validUID(base) {
		return base
	}
	sum := sha256.Sum256([]byte(base))
	return "h" + hex.EncodeToString(sum[:16])
}

// deliveryOrder compares base names by delivery: the seconds before the first
// dot, then the microseconds (Dovecot's M) and the counter (our pid_seq, or
// Q) of the middle part, then the whole name.
func deliveryOrder(a, b string) int {
	ka, kb := orderKey(a), orderKey(b)
	return cmp.Or(cmp.Compare(ka[0], kb[0]), cmp.Compare(ka[1], kb[1]),
		cmp.Compare(ka[2], kb[2]), strings.Compare(a, b))
}

func orderKey(base string) (k [3]uint64) {
	sec, rest, _ := strings.Cut(base, ".")
	mid, _, _ := strings.Cut(rest, ".")
	k[0], _ = strconv.ParseUint(sec, 10, 64)
	if _, seq, ok := strings.Cut(mid, "_"); ok {
		k[2], _ = strconv.ParseUint(seq, 10, 64)
		return k
	}
	for mid != "" { // modern form: letter+number pieces such as M20539P2313Q7
		i := 1
		for i < len(mid) && '0' <= mid[i] && mid[i] <= '9' {
			i++
		}
		n, _ := strconv.ParseUint(mid[1:i], 10, 64)
		switch mid[0] {
		case 'M':
			k[1] = n
		case 'Q':
			k[2] = n
		}
		mid = mid[i:]
	}
	return k
}

// dirDrop is an open Maildir maildrop. Its list is fixed at Open (RFC 1939
// §4); mail delivered during the session waits for the next one.
type dirDrop struct {
	dir   string
	files []msgFile
	index map[string]int // uid → files index

	mu     sync.Mutex // a session's timeout may race its own QUIT
	lock   *os.File
	closed bool
}

func (d *dirDrop) List() []Entry {
	list := make([]Entry, len(d.files))
	for i, f := range d.files {
		list[i] = Entry{UID: f.uid, Size: f.size}
	}
	return list
}

func (d *dirDrop) Read(uid string) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, errClosed
	}
	i, ok := d.index[uid]
	if !ok {
		return nil, ErrNoMessage
	}
	b, err := os.ReadFile(d.files[i].path)
	if errors.Is(err, fs.ErrNotExist) { // moved since Open? look again
		b, err = os.ReadFile(d.paths()[uid])
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoMessage // removed behind our back by another mail tool
	}
	return b, err
}

// paths maps the UIDs seen at Open to where the files are now: a mail reader
// that ignores our lock may have moved one to cur/ or changed its flags.
func (d *dirDrop) paths() map[string]string {
	p := map[string]string{}
	for _, f := range d.files {
		p[f.uid] = f.path
	}
	now, err := scan(d.dir)
	if err != nil {
		return p
	}
	for _, f := range now {
		if _, seen := p[f.uid]; seen {
			p[f.uid] = f.path
		}
	}
	return p
}

// Commit removes the listed messages that this session saw, in the UPDATE
// state only (RFC 1939 §6), and releases the lock even if a removal failed.
// A file that is already gone is what the client asked for, not an error.
func (d *dirDrop) Commit(remove []string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return errClosed
	}
	defer d.close()
	paths := d.paths()
	var errs []error
	for _, uid := range remove {
		path, ok := paths[uid]
		if !ok {
			continue
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	// The client is told +OK next; a crash after that must not bring the
	// messages back.
	for _, sub := range []string{"new", "cur"} {
		if err := syncDir(filepath.Join(d.dir, sub)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Release gives up the lock and removes nothing: a session that ends without
// QUIT never reaches UPDATE (RFC 1939 §6). It may be called after Commit.
func (d *dirDrop) Release() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.close()
}

// close releases the lock once; a second call must not drop a later
// session's lock. The caller holds d.mu.
func (d *dirDrop) close() {
	if d.closed {
		return
	}
	d.closed = true
	unlockFile(d.lock)
	unhold(d.dir)
}

// syncDir fsyncs a directory: a create, rename or unlink is durable only once
// the directory that holds the entry is. Windows cannot fsync a directory;
// NTFS journals the change itself.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
