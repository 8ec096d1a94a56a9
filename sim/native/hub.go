//go:build !js

package native

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"maillab/sim/trace"
)

// Defaults of a Hub.
const (
	// DefaultKeep is how many ended sessions a hub remembers for the page.
	DefaultKeep = 50
	// DefaultMaxSteps bounds the steps kept per session. Beyond it the lines
	// of message text are counted but not kept, and beyond twice it nothing
	// is kept: a 10 MB message or a client looping on NOOP must not grow the
	// server's memory without bound.
	DefaultMaxSteps = 5000
	// DefaultMaxBytes bounds the memory of the steps kept per session the
	// same way (lines of message text beyond it, then everything beyond
	// twice it), counting each step's text and the step itself: 5000 lines
	// of 1000 octets would otherwise keep 5 MB per session. The session's
	// log lines are bounded by DefaultMaxSteps.
	DefaultMaxBytes = 256 << 10
)

// stepSize is what a kept step costs besides its text.
const stepSize = int(unsafe.Sizeof(trace.Step{}))

// Hub is where every step of every native session goes. It keeps the live
// sessions and the most recent ended ones as traces, and passes each new
// step to its subscribers. It is safe for concurrent use; a slow subscriber
// never holds up a server (see Subscribe).
//
// Locks: mu guards the list of sessions and of subscribers; each session's
// record has its own lock for its steps, so that sessions recording at
// once do not wait for each other (with one lock for all, twenty
// smtp-source sessions spent most of a run queued on it). Where both are
// taken, mu comes first.
type Hub struct {
	keep     int
	maxSteps int
	maxBytes int

	mu       sync.Mutex
	next     int       // the last session number handed out
	sessions []*record // live and kept ended sessions, oldest first
	free     []*record // forgotten sessions' records, for new ones (maxRecycled)
	subs     map[*Subscription]struct{}
	// subList is subs as a list sessions read without mu (copy on write).
	subList atomic.Pointer[[]*Subscription]
}

// Info describes one session for the list of sessions.
type Info struct {
	ID     int       `json:"id"`     // the session number; Step.Conn of its steps
	Proto  string    `json:"proto"`  // "smtp" or "pop3"
	Client string    `json:"client"` // the client's address, "127.0.0.1:53124"
	Server string    `json:"server"` // the server's host name
	Listen string    `json:"listen"` // the address the client connected to
	TLS    bool      `json:"tls"`    // implicit TLS (SMTPS, POP3S)
	Start  time.Time `json:"start"`
	End    time.Time `json:"end,omitzero"` // zero while the session is live
	Live   bool      `json:"live"`
	Steps  int       `json:"steps"`             // steps kept so far
	Drops  int       `json:"dropped,omitempty"` // steps not kept (DefaultMaxSteps)
}

// Update is one thing that happened in a session, as subscribers get it:
// a step, a line of the server's mail log, or a finished SMTP transaction
// (exactly one of Step, Log, Envelope is set). Session is the session as it
// is after the update, so a subscriber can keep its list current without
// asking the hub. The first update of a session carries its Connect step,
// the last one its Close step with Session.Live false. Updates of one
// session arrive in order. It is JSON-ready for server-sent events.
type Update struct {
	Session  Info            `json:"session"`
	Step     *trace.Step     `json:"step,omitempty"`
	Log      *trace.LogLine  `json:"log,omitempty"`
	Envelope *trace.Envelope `json:"envelope,omitempty"` // a mail transaction ended (SMTP)
}

// record is one session as the hub keeps it. mu guards everything but
// ended, which the hub's own lock guards.
type record struct {
	mu    sync.Mutex
	ended bool // for the hub's list: the session has ended
	info  Info
	steps []trace.Step
	log   []trace.LogLine
	envs  []trace.Envelope
	noted bool // the "steps not kept" note has been added
	bytes int  // the text of the steps kept
}

// maxRecycled bounds the records of forgotten sessions a hub keeps for new
// ones, and recycledSteps the steps such a record may hold: a client that
// connects for every message then reuses a few records instead of making
// garbage with each.
const (
	maxRecycled   = 64
	recycledSteps = 256
)

// NewHub returns a hub that keeps the last keep ended sessions (0 =
// DefaultKeep) besides the live ones.
func NewHub(keep int) *Hub {
	if keep <= 0 {
		keep = DefaultKeep
	}
	return &Hub{keep: keep, maxSteps: DefaultMaxSteps, maxBytes: DefaultMaxBytes, subs: map[*Subscription]struct{}{}}
}

// Sessions lists the live sessions and the kept ended ones, oldest first.
func (h *Hub) Sessions() []Info {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Info, len(h.sessions))
	for i, r := range h.sessions {
		r.mu.Lock()
		out[i] = r.info
		r.mu.Unlock()
	}
	return out
}

// Trace returns a copy of one session's trace, or false if the hub does not
// have it (never had, or forgot it).
func (h *Hub) Trace(id int) (trace.Trace, bool) {
	h.mu.Lock()
	defer h.mu.Unlock() // a record is recycled only under h.mu: not while it is copied
	for _, r := range h.sessions {
		r.mu.Lock()
		if r.info.ID == id {
			t := r.trace()
			r.mu.Unlock()
			return t, true
		}
		r.mu.Unlock()
	}
	return trace.Trace{}, false
}

// trace is a copy of the session as a trace (the caller holds r.mu). Its
// title and actors are made here, when the page asks, not for every
// session served.
func (r *record) trace() trace.Trace {
	i := r.info
	return trace.Trace{
		Title: title(i),
		Start: i.Start,
		Actors: []trace.Actor{
			{Name: i.Client, Role: "mua", Desc: "a real client connected from " + i.Client},
			{Name: i.Server, Role: serverRole(i.Proto), Desc: "maillab's " + upper(i.Proto) + " server on " + i.Listen},
		},
		Steps:     append([]trace.Step(nil), r.steps...),
		Envelopes: append([]trace.Envelope(nil), r.envs...),
		Log:       append([]trace.LogLine(nil), r.log...),
	}
}

// Subscription receives the updates of every session from the moment it
// was made. C is buffered; when a subscriber falls so far behind that its
// buffer is full, the hub drops it rather than wait: C is closed and
// Dropped reports true. The subscriber then reloads what it shows from
// Sessions and Trace and subscribes again.
type Subscription struct {
	C <-chan Update

	c       chan Update
	hub     *Hub
	mu      sync.Mutex // guards dropped, closed and sends on c
	dropped bool
	closed  bool
}

// Subscribe starts a subscription with room for buffer updates (0 = 256).
func (h *Hub) Subscribe(buffer int) *Subscription {
	if buffer <= 0 {
		buffer = 256
	}
	c := make(chan Update, buffer)
	s := &Subscription{C: c, c: c, hub: h}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.listSubsLocked()
	h.mu.Unlock()
	return s
}

// listSubsLocked publishes the list of subscribers that are still open;
// the caller holds h.mu.
func (h *Hub) listSubsLocked() {
	list := make([]*Subscription, 0, len(h.subs))
	for s := range h.subs {
		s.mu.Lock()
		if s.closed {
			delete(h.subs, s)
		} else {
			list = append(list, s)
		}
		s.mu.Unlock()
	}
	h.subList.Store(&list)
}

// Close ends the subscription and closes C. It may be called more than once.
func (s *Subscription) Close() {
	s.mu.Lock()
	s.end()
	s.mu.Unlock()
	s.hub.mu.Lock()
	s.hub.listSubsLocked()
	s.hub.mu.Unlock()
}

// Dropped reports whether the hub ended the subscription because the
// subscriber did not keep up.
func (s *Subscription) Dropped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// end closes the channel once; the caller holds s.mu.
func (s *Subscription) end() {
	if !s.closed {
		s.closed = true
		close(s.c)
	}
}

// send hands an update over without ever blocking; a subscriber whose
// buffer is full is dropped (its channel closed; the hub forgets it at the
// next Subscribe or Close).
func (s *Subscription) send(u Update) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	select {
	case s.c <- u:
	default:
		s.dropped = true
		s.end()
	}
}

// subscribed reports whether anyone may want updates.
func (h *Hub) subscribed() bool {
	l := h.subList.Load()
	return l != nil && len(*l) > 0
}

// publish hands an update to every subscriber. The caller holds the
// session's r.mu, which keeps the updates of one session in order for
// every subscriber.
func (h *Hub) publish(u Update) {
	if l := h.subList.Load(); l != nil {
		for _, s := range *l {
			s.send(u)
		}
	}
}

// begin opens a session record and publishes its Connect step.
func (h *Hub) begin(info Info, connect trace.Step) *record {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.next++
	info.ID = h.next
	info.Live = true
	var r *record
	if n := len(h.free); n > 0 {
		r, h.free = h.free[n-1], h.free[:n-1]
		*r = record{info: info, steps: r.steps[:0], log: r.log[:0], envs: r.envs[:0]}
	} else {
		r = &record{info: info, steps: make([]trace.Step, 0, 8)} // an idle session keeps a few steps; busy ones soon get recycled records
	}
	h.sessions = append(h.sessions, r)
	connect.Conn = info.ID
	r.mu.Lock()
	h.addLocked(r, &connect)
	r.mu.Unlock()
	return r
}

// batch is what a session reported since it last published, in order.
type batch struct {
	ops   []batchOp
	steps []trace.Step
	logs  []trace.LogLine
	envs  []trace.Envelope
	// textFull is the hub's word, as of the last publish, that this
	// session's lines of text are no longer kept: the session then only
	// counts them (skipped) instead of handing each one over.
	textFull bool
	skipped  int
}

// batchOp is one update of a batch: a step, a log line or an envelope
// (kind), at index i of its slice.
type batchOp struct {
	kind byte
	i    int
}

const (
	opStep byte = iota
	opLog
	opEnvelope
)

func (b *batch) addStep(st *trace.Step) {
	b.ops = append(b.ops, batchOp{opStep, len(b.steps)})
	b.steps = append(b.steps, *st)
}

func (b *batch) addLog(l trace.LogLine) {
	b.ops = append(b.ops, batchOp{opLog, len(b.logs)})
	b.logs = append(b.logs, l)
}

func (b *batch) addEnvelope(e trace.Envelope) {
	b.ops = append(b.ops, batchOp{opEnvelope, len(b.envs)})
	b.envs = append(b.envs, e)
}

// addBatch records and publishes a batch under the session's lock, then
// empties it (keeping its memory for the next one, up to a bound).
func (h *Hub) addBatch(r *record, b *batch) {
	r.mu.Lock()
	if b.skipped > 0 {
		h.dropLocked(r, 0, b.skipped)
		b.skipped = 0
	}
	for _, op := range b.ops {
		switch op.kind {
		case opStep:
			h.addLocked(r, &b.steps[op.i])
		case opLog:
			h.logLocked(r, b.logs[op.i])
		case opEnvelope:
			h.envelopeLocked(r, b.envs[op.i])
		}
	}
	b.textFull = len(r.steps) >= h.maxSteps || r.bytes >= h.maxBytes
	r.mu.Unlock()
	if cap(b.steps) > 1024 { // a burst of text: do not keep its memory for ever
		*b = batch{textFull: b.textFull}
		return
	}
	clear(b.steps) // drop the strings for the collector
	b.ops, b.steps, b.logs, b.envs = b.ops[:0], b.steps[:0], b.logs[:0], b.envs[:0]
}

func (h *Hub) addLocked(r *record, st *trace.Step) {
	st.Conn = r.info.ID
	n := len(r.steps)
	full := n >= 2*h.maxSteps || r.bytes >= 2*h.maxBytes
	if st.Kind != trace.Close && (full || ((n >= h.maxSteps || r.bytes >= h.maxBytes) && st.Kind == trace.Data)) {
		h.dropLocked(r, st.At, 1)
		return
	}
	h.keepLocked(r, st)
}

// dropLocked counts n steps not kept; the first time, a note in their
// place says so.
func (h *Hub) dropLocked(r *record, at time.Duration, n int) {
	r.info.Drops += n
	if r.noted {
		return
	}
	r.noted = true
	h.keepLocked(r, &trace.Step{Conn: r.info.ID, Proto: r.info.Proto, At: at, From: r.info.Server, To: r.info.Client, Kind: trace.Note,
		Text: "the lab keeps the first steps of a long session only: later lines of text are not shown"})
}

func (h *Hub) keepLocked(r *record, st *trace.Step) {
	r.steps = append(r.steps, *st)
	r.bytes += stepSize + len(st.Text)
	r.info.Steps = len(r.steps)
	if h.subscribed() { // no subscriber, no copy on the heap
		c := *st
		h.publish(Update{Session: r.info, Step: &c})
	}
}

func (h *Hub) logLocked(r *record, l trace.LogLine) {
	if len(r.log) >= h.maxSteps {
		// A client looping on transactions makes log lines for ever; the
		// page shows the first ones, and memory stays bounded.
		return
	}
	l.Step = len(r.steps) // it follows the steps kept so far: the page cuts the log at its cursor
	r.log = append(r.log, l)
	if h.subscribed() {
		c := l
		h.publish(Update{Session: r.info, Log: &c})
	}
}

func (h *Hub) envelopeLocked(r *record, e trace.Envelope) {
	e.Conn = r.info.ID
	r.envs = append(r.envs, e)
	if h.subscribed() {
		c := e
		h.publish(Update{Session: r.info, Envelope: &c})
	}
}

// end closes a session with its Close step and forgets the oldest ended
// sessions beyond keep.
func (h *Hub) end(r *record, closeStep trace.Step, at time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r.mu.Lock()
	r.info.Live = false
	r.info.End = at
	h.addLocked(r, &closeStep)
	r.mu.Unlock()
	r.ended = true
	ended := 0
	for _, x := range h.sessions {
		if x.ended {
			ended++
		}
	}
	kept := h.sessions[:0]
	for _, x := range h.sessions {
		if x.ended && ended > h.keep {
			ended--
			h.recycle(x)
			continue
		}
		kept = append(kept, x)
	}
	clear(h.sessions[len(kept):])
	h.sessions = kept
}

// recycle keeps a forgotten session's record for a new session (the
// caller holds h.mu). Nothing outside the hub points into it: Trace and the
// updates hand out copies, and its session has ended.
func (h *Hub) recycle(r *record) {
	if len(h.free) >= maxRecycled || cap(r.steps) > recycledSteps || cap(r.log) > recycledSteps || cap(r.envs) > recycledSteps {
		return
	}
	clear(r.steps[:cap(r.steps)]) // drop the strings for the collector
	clear(r.log[:cap(r.log)])
	clear(r.envs[:cap(r.envs)])
	h.free = append(h.free, r)
}

func title(i Info) string {
	return upper(i.Proto) + " session " + strconv.Itoa(i.ID) + ": " + i.Client + " → " + i.Server
}

func serverRole(proto string) string {
	if proto == "pop3" {
		return "pop3"
	}
	return "msa"
}

func upper(proto string) string {
	switch proto {
	case "smtp":
		return "SMTP"
	case "pop3":
		return "POP3"
	}
	return proto
}
