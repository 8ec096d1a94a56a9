// Package mailstore keeps maildrops: an in-memory store for the browser and
// the simulation, and a Maildir store for native mode. SMTP delivers into a
// store; a POP3 session opens one user's maildrop, locked, and removes
// messages only when it commits in the UPDATE state (RFC 1939 §6).
//
// Messages are kept with LF line ends, as Maildir files are; POP3 turns them
// back into CRLF lines on the wire and counts sizes as RFC 1939 §11 says.
package mailstore

import "errors"

var (
	// ErrLocked: another session holds this maildrop (POP3 -ERR [IN-USE], RFC 2449 §8.1.2).
	ErrLocked = errors.New("maildrop is locked by another session")
	// ErrBadUser: the user name cannot name a maildrop (empty, or has '/', '..', NUL…).
	ErrBadUser = errors.New("invalid user name")
	// ErrNoMessage: no message with that UID in this maildrop.
	ErrNoMessage = errors.New("no such message")
)

// Store holds the maildrops of every user of one server.
type Store interface {
	// Deliver stores one message for user and returns its UID. It returns
	// only once the message is durable (Maildir: file fsynced and renamed into
	// new/), because SMTP answers 250 right after (RFC 5321 §4.2.5, §6.1).
	Deliver(user string, msg []byte) (uid string, err error)
	// Open locks the user's maildrop for one POP3 session (ErrLocked if it is held).
	Open(user string) (Maildrop, error)
	// Users lists the users that have a maildrop, sorted.
	Users() []string
}

// Entry is one message of an open maildrop.
type Entry struct {
	UID  string // stable across sessions, 1–70 characters in 0x21–0x7E (RFC 1939 §7)
	Size int64  // octets as stored (LF line ends)
}

// Maildrop is one user's locked maildrop, as a POP3 session sees it.
type Maildrop interface {
	// List returns the messages present when the maildrop was opened, oldest first.
	List() []Entry
	// Read returns a message's bytes.
	Read(uid string) ([]byte, error)
	// Commit removes the given messages (POP3 UPDATE state) and releases the lock.
	Commit(remove []string) error
	// Release gives up the lock without removing anything (no UPDATE).
	Release()
}
