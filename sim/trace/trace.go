// Package trace is the one data model every view consumes: an ordered list of
// steps (each line on the wire, each state change, each stored message),
// with the actors, the final maildrops and the server log. The simulation,
// native mode, the page and the lesson linter all read and write this shape.
package trace

import (
	"strings"
	"time"
)

// Kind says what a step is.
type Kind string

const (
	Connect Kind = "connect" // a connection opens (From = client, To = server)
	Close   Kind = "close"   // a connection ends (Text says how)
	Command Kind = "command" // a command line from client to server
	Data    Kind = "data"    // a line of message text (SMTP DATA, POP3 RETR/TOP, multi-line listings)
	Reply   Kind = "reply"   // a reply line from server to client
	State   Kind = "state"   // a machine changed state (Text: "FROM → TO")
	TLS     Kind = "tls"     // encryption starts here
	Store   Kind = "store"   // a message was stored in a maildrop or queued
	Wait    Kind = "wait"    // virtual time passes (retry back-off, delay fault)
	Note    Kind = "note"    // a comment for the student (a client decision, a bounce)
)

// Step is one thing that happened.
type Step struct {
	At    time.Duration `json:"at"`             // virtual time since the scenario started
	Conn  int           `json:"conn,omitempty"` // connection number, 1-based; 0 when none
	Proto string        `json:"proto,omitempty"`
	From  string        `json:"from,omitempty"` // actor name
	To    string        `json:"to,omitempty"`
	Kind  Kind          `json:"kind"`
	Text  string        `json:"text"` // the line as sent, without CRLF
	// ByServer is set on lines the server sent (replies, POP3 message text).
	ByServer bool `json:"byServer,omitempty"`

	// For commands: the verb in upper case ("MAIL", "RCPT", "USER"…).
	Verb string `json:"verb,omitempty"`
	// For SMTP replies: the three-digit code and the enhanced status code.
	Code     int    `json:"code,omitempty"`
	Enhanced string `json:"enhanced,omitempty"`
	// For POP3 replies: "+OK", "-ERR" or "+" and the response code ("IN-USE").
	Status   string `json:"status,omitempty"`
	RespCode string `json:"respCode,omitempty"`
	// More is set on every line of a multi-line reply but the last.
	More bool `json:"more,omitempty"`
	// The command this reply answers (upper-case verb), for explanations.
	ReplyTo string `json:"replyTo,omitempty"`

	RFC string `json:"rfc,omitempty"` // the section that governs this step, "RFC 5321 §4.1.1.1"

	ClientState string `json:"clientState,omitempty"` // both machines' states after the step
	ServerState string `json:"serverState,omitempty"`

	Fault     string `json:"fault,omitempty"` // the fault rule that caused this step
	Encrypted bool   `json:"encrypted,omitempty"`
	// Masked is set on a client line whose password this copy of the
	// trace does not show (MaskSecrets): Text is not what was sent.
	Masked bool `json:"masked,omitempty"`

	// For store steps: the maildrop ("host/user") and the message's UID,
	// so views can show a maildrop as it was at the cursor.
	Box string `json:"box,omitempty"`
	UID string `json:"uid,omitempty"`
}

// Class returns the reply class digit (2, 3, 4, 5) of an SMTP reply, 0 otherwise.
func (s Step) Class() int { return s.Code / 100 }

// Actor is one participant drawn as a lifeline.
type Actor struct {
	Name string `json:"name"` // "alice's MUA", "mail.example.com"
	Role string `json:"role"` // mua | msa | mta | pop3
	Desc string `json:"desc,omitempty"`
}

// Message is one message as stored in a maildrop.
type Message struct {
	UID  string   `json:"uid"`
	From string   `json:"from"` // envelope sender
	To   []string `json:"to"`   // envelope recipients it was delivered for
	Raw  string   `json:"raw"`  // the message as stored (LF line ends), Received: header included
	// Removed is 1 + the index of the step that removed the message (a
	// POP3 UPDATE), or 0 while it is still in the maildrop at the end.
	Removed int `json:"removed,omitempty"`
}

// Mailbox is one user's maildrop at the end of the run.
type Mailbox struct {
	Host     string    `json:"host"`
	User     string    `json:"user"`
	Messages []Message `json:"messages"`
}

// LogLine is one line of a server's mail log, in Postfix's style.
type LogLine struct {
	At time.Duration `json:"at"`
	// Step is the number of steps recorded when the line was written: it
	// belongs after Steps[Step-1], so a view can cut the log at its cursor.
	Step int    `json:"step"`
	Host string `json:"host"`
	Text string `json:"text"`
}

// Envelope is one SMTP transaction as the server saw it.
type Envelope struct {
	Conn     int      `json:"conn"`
	Server   string   `json:"server"`
	From     string   `json:"from"`
	Accepted []string `json:"accepted"`
	Refused  []string `json:"refused"`
	QueueID  string   `json:"queueId,omitempty"`
	Result   string   `json:"result"` // the reply to the end of data, or why there was none
}

// Trace is a whole run.
type Trace struct {
	Title     string     `json:"title"`
	Start     time.Time  `json:"start"` // the virtual clock's zero
	Actors    []Actor    `json:"actors"`
	Steps     []Step     `json:"steps"`
	Envelopes []Envelope `json:"envelopes"`
	Mailboxes []Mailbox  `json:"mailboxes"`
	Log       []LogLine  `json:"log"`
}

// Actor returns the actor with that name, adding it if it is new.
func (t *Trace) AddActor(a Actor) {
	for _, x := range t.Actors {
		if x.Name == a.Name {
			return
		}
	}
	t.Actors = append(t.Actors, a)
}

// Transcript renders the trace as text: a header line per connection, "C: "
// and "S: " lines in wire order, "# " lines for everything else. This is the
// format of `maillab run`, of the golden files and of "copy transcript".
func (t *Trace) Transcript() string {
	var b []byte
	for _, s := range t.Steps {
		b = append(b, s.TranscriptLine()...)
		b = append(b, '\n')
	}
	return string(b)
}

// Dump renders everything a trace holds as text — the transcript, the
// server log and the maildrops (a removed message names the step that
// removed it) — for golden files.
func (t *Trace) Dump() string {
	var b strings.Builder
	b.WriteString(t.Transcript())
	b.WriteString("-- log --\n")
	for _, l := range t.Log {
		b.WriteString(stamp(l.At) + " " + l.Host + " " + l.Text + "\n")
	}
	b.WriteString("-- maildrops --\n")
	for _, m := range t.Mailboxes {
		b.WriteString(m.Host + " " + m.User + ":\n")
		for _, msg := range m.Messages {
			b.WriteString("  uid " + msg.UID)
			if msg.Removed > 0 && msg.Removed <= len(t.Steps) {
				b.WriteString(" (removed by step " + itoa(msg.Removed) + ": " + t.Steps[msg.Removed-1].Text + ")")
			}
			b.WriteString("\n    " + strings.ReplaceAll(strings.TrimRight(msg.Raw, "\n"), "\n", "\n    ") + "\n")
		}
	}
	return b.String()
}

// TranscriptLine renders one step as a transcript line.
func (s Step) TranscriptLine() string {
	switch s.Kind {
	case Command, Data, Reply:
		if s.ByServer {
			return "S: " + s.Text
		}
		return "C: " + s.Text
	case Connect:
		return "# " + stamp(s.At) + " connection " + itoa(s.Conn) + ": " + s.From + " → " + s.To + " (" + s.Text + ")"
	default:
		return "# " + s.Text
	}
}

func stamp(d time.Duration) string {
	d = d.Round(time.Second)
	h := int(d / time.Hour)
	m := int(d % time.Hour / time.Minute)
	sec := int(d % time.Minute / time.Second)
	return "[" + pad2(h) + ":" + pad2(m) + ":" + pad2(sec) + "]"
}

// Stamp formats a virtual time as [hh:mm:ss].
func Stamp(d time.Duration) string { return stamp(d) }

func pad2(n int) string {
	if n < 10 {
		return "0" + itoa(n)
	}
	return itoa(n)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
