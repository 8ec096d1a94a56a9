package scenario

import (
	"fmt"
	"mime"
	"sort"
	"strconv"
	"strings"
	"time"

	"maillab/sim/fault"
	"maillab/sim/mailstore"
	"maillab/sim/smtp"
	"maillab/sim/trace"
)

// DefaultStart is the virtual clock's zero when a spec gives no start: a
// Monday morning, so that dates in headers look ordinary.
var DefaultStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// host is one mail server of the world.
type host struct {
	name  string
	cfg   smtp.Config
	spec  ServerSpec
	store *mailstore.Memory
	addr  string
	queue []*queued
	meta  map[string]trace.Message // "user/uid" → envelope info, for the final maildrops
	order []string                 // "user/uid" in delivery order
	pid   int
	qids  func() string
}

// queued is a message waiting in a server's queue for remote recipients.
type queued struct {
	qid      string
	from     string
	rcpts    []string
	data     []byte
	arrived  time.Duration
	attempts int
	next     time.Duration
	dsn      bool // this is itself a bounce: never bounce it (RFC 5321 §6.1)
	lastWhy  map[string]string
}

// world is a running scenario.
type world struct {
	spec   *Spec
	start  time.Time
	now    time.Time
	tr     *trace.Trace
	hosts  map[string]*host
	order  []string
	faults *fault.Rules
	conns  int
	msgID  int
	// Deliveries happen inside a server's end-of-data handling, before the
	// link has recorded the lines that led to them; their steps and log
	// lines wait here until it has.
	held    []trace.Step
	heldLog []trace.LogLine
	holding bool
}

// flushDelivery records what deliveries held back.
func (w *world) flushDelivery() {
	w.tr.Steps = append(w.tr.Steps, w.held...)
	w.tr.Log = append(w.tr.Log, w.heldLog...)
	w.held, w.heldLog = nil, nil
}

// Run runs a scenario and returns its trace. It is deterministic.
func Run(spec *Spec) (*trace.Trace, error) {
	rules, err := spec.Rules()
	if err != nil {
		return nil, err
	}
	return RunWith(spec, rules)
}

// RunWith runs a scenario with the given fault rules (the page's fault
// panel edits the rules, not the spec).
func RunWith(spec *Spec, rules *fault.Rules) (*trace.Trace, error) {
	w := newWorld(spec, rules)
	w.tr.AddActor(trace.Actor{Name: w.clientActor(), Role: "mua", Desc: smtp.Profiles[spec.Client].Desc})
	w.tr.AddActor(trace.Actor{Name: spec.Server, Role: "msa"})
	for _, name := range w.order {
		w.tr.AddActor(trace.Actor{Name: name, Role: "mta"})
	}
	w.send()
	w.runQueues()
	if spec.Fetch != nil {
		w.fetch()
	}
	w.finish()
	return w.tr, nil
}

// newWorld builds the hosts of a spec, with empty maildrops and queues.
func newWorld(spec *Spec, rules *fault.Rules) *world {
	start := DefaultStart
	if spec.Start != "" {
		start, _ = time.Parse(time.RFC3339, spec.Start)
	}
	w := &world{spec: spec, start: start, now: start, faults: rules, hosts: map[string]*host{},
		tr: &trace.Trace{Title: spec.Title, Start: start, Steps: make([]trace.Step, 0, 256)}}
	for i, name := range spec.ServerOrder {
		ss := spec.Servers[name]
		h := &host{name: name, spec: ss, store: mailstore.NewMemory(), addr: "198.51.100." + strconv.Itoa(25+i), meta: map[string]trace.Message{}}
		h.cfg = ss.config(name).WithDefaults()
		h.cfg.Faults = rules
		h.pid = h.cfg.PID
		h.qids = smtp.QueueIDs(h.cfg.Hostname)
		w.hosts[name] = h
		w.order = append(w.order, name)
	}
	return w
}

// clientActor names the sending program's lifeline: "alice (smtplib)".
func (w *world) clientActor() string {
	who := "client"
	if len(w.spec.Send) > 0 && w.spec.Send[0].From != "" {
		who = localPart(w.spec.Send[0].From)
	}
	return who + " (" + w.spec.Client + ")"
}

func (w *world) elapsed() time.Duration { return w.now.Sub(w.start) }

func (w *world) advance(d time.Duration) { w.now = w.now.Add(d) }

func (w *world) add(st trace.Step) {
	st.At = w.elapsed()
	if w.holding {
		w.held = append(w.held, st)
		return
	}
	w.tr.Steps = append(w.tr.Steps, st)
}

func (w *world) note(text string) {
	w.add(trace.Step{Kind: trace.Note, Text: text})
}

func (w *world) log(host, text string) {
	l := trace.LogLine{At: w.elapsed(), Step: len(w.tr.Steps) + len(w.held), Host: host, Text: text}
	if w.holding {
		w.heldLog = append(w.heldLog, l)
		return
	}
	w.tr.Log = append(w.tr.Log, l)
}

// send runs the client's messages: one connection for each send entry.
func (w *world) send() {
	h := w.hosts[w.spec.Server]
	clientHost := "client.example"
	if len(w.spec.Send) > 0 && w.spec.Send[0].From != "" {
		clientHost = localPart(w.spec.Send[0].From) + "-pc." + domainPart(w.spec.Send[0].From)
	}
	for i, m := range w.spec.Send {
		env := smtp.Envelope{From: m.From, To: append(append(append([]string(nil), m.To...), m.Cc...), m.Bcc...), Message: w.compose(m, clientHost), ID: i + 1}
		sess := smtp.Session{Helo: clientHost, StartTLS: m.StartTLS, Messages: []smtp.Envelope{env}}
		if m.Auth != nil {
			sess.User, sess.Password = m.Auth.User, m.Auth.Password
		}
		if w.spec.Client == "telnet" {
			sess.Helo = clientHost
		}
		c, err := smtp.NewClient(w.spec.Client, sess)
		if err != nil {
			w.note(err.Error())
			return
		}
		results := w.connect(c, w.clientActor(), h, smtp.Peer{Name: clientHost, Addr: "192.0.2.10"}, c.ReplyTimeout)
		w.envelopeOf(results, h.name, m.From)
		if smtp.Profiles[w.spec.Client].Queues {
			w.queueAtClient(clientHost, env, results)
			continue
		}
		w.reportMUA(results)
	}
}

// queueAtClient: when the scenario's client is itself an MTA, what it could
// not deliver stays in its own queue (retried through the scenario's server)
// and what failed is bounced, like any MTA (RFC 5321 §4.5.4.1, §6.1).
func (w *world) queueAtClient(clientHost string, env smtp.Envelope, results []smtp.Result) {
	h := w.hosts[w.clientActor()]
	if h == nil {
		cfg := smtp.Config{Hostname: clientHost, MyDestination: []string{}}.WithDefaults()
		h = &host{name: w.clientActor(), cfg: cfg, spec: ServerSpec{RelayHost: w.spec.Server}, store: mailstore.NewMemory(),
			addr: "192.0.2.10", meta: map[string]trace.Message{}, pid: cfg.PID, qids: smtp.QueueIDs(clientHost)}
		w.hosts[h.name] = h
		w.order = append(w.order, h.name)
	}
	q := &queued{qid: h.qids(), from: env.From, data: env.Message, arrived: 0, attempts: 1, dsn: env.From == "", lastWhy: map[string]string{}}
	var deferred []string
	var fails []failure
	for _, r := range results {
		switch r.Outcome {
		case smtp.Deferred:
			deferred = append(deferred, r.Rcpt)
			q.lastWhy[r.Rcpt] = r.Reply
		case smtp.Failed:
			fails = append(fails, failure{r.Rcpt, enhancedOf(r.Reply, "5.0.0"), r.Reply, w.spec.Server})
		}
	}
	w.bounce(h, q, fails)
	if len(deferred) > 0 {
		q.rcpts = deferred
		h.queue = append(h.queue, q)
		w.requeue(h, q, deferred)
	}
}

// reportMUA says, for a mail program, what its user sees.
func (w *world) reportMUA(results []smtp.Result) {
	for _, r := range results {
		switch r.Outcome {
		case smtp.Accepted:
		case smtp.Deferred:
			w.note("<" + r.Rcpt + ">: not sent (" + r.Reply + "); a mail program does not queue: the user must send again later")
		case smtp.Failed:
			w.note("<" + r.Rcpt + ">: refused (" + r.Reply + "); the program reports the error to its user, no bounce is needed")
		}
	}
}

// connect runs one SMTP connection from a client to a server host.
func (w *world) connect(c *smtp.Client, clientName string, h *host, peer smtp.Peer, timeout func() time.Duration) []smtp.Result {
	w.conns++
	cfg := h.cfg
	cfg.Peer = peer
	cfg.QueueID = h.qids
	cfg.Deliver = func(m *smtp.Message) error { return w.accept(h, m) }
	srv := smtp.NewServer(cfg)
	l := &link{w: w, conn: w.conns, proto: "smtp", client: c, server: srv, clientName: clientName, serverName: h.name, serverHost: h.name, timeout: timeout}
	l.run()
	return c.Results()
}

// accept is a server's delivery agent: local recipients go into their
// maildrops, the others into the queue for relaying.
func (w *world) accept(h *host, m *smtp.Message) error {
	w.holding = true
	defer func() { w.holding = false }()
	var remote []string
	seen := map[string]bool{}
	for _, rcpt := range m.To {
		// The same recipient twice in one transaction gets one copy, as
		// Postfix's cleanup does (duplicate elimination).
		if seen[strings.ToLower(rcpt)] {
			continue
		}
		seen[strings.ToLower(rcpt)] = true
		dom := domainPart(rcpt)
		if strings.EqualFold(rcpt, "postmaster") || h.cfg.IsLocal(dom) {
			w.deliverLocal(h, m.QueueID, m.From, rcpt, m.Data)
			continue
		}
		remote = append(remote, rcpt)
	}
	if len(remote) > 0 {
		h.queue = append(h.queue, &queued{qid: m.QueueID, from: m.From, rcpts: remote, data: m.Data, arrived: w.elapsed(), next: w.elapsed(), dsn: m.From == "", lastWhy: map[string]string{}})
	}
	return nil
}

// deliverLocal is the MDA: it adds Return-Path and Delivered-To (as
// Postfix's local delivery does) and stores the message.
func (w *world) deliverLocal(h *host, qid, from, rcpt string, data []byte) {
	user := strings.ToLower(localPart(rcpt))
	if user == "postmaster" && len(h.cfg.Users) > 0 {
		if _, ok := h.cfg.Users["postmaster"]; !ok {
			user = "postmaster"
		}
	}
	msg := append([]byte("Return-Path: <"+from+">\nDelivered-To: "+rcpt+"\n"), data...)
	uid, err := h.store.Deliver(user, msg)
	if err != nil {
		w.log(h.name, fmt.Sprintf("maillab/local[%d]: %s: to=<%s>, status=deferred (%v)", h.pid+1, qid, rcpt, err))
		return
	}
	h.meta[user+"/"+uid] = trace.Message{UID: uid, From: from, To: []string{rcpt}, Raw: string(msg)}
	h.order = append(h.order, user+"/"+uid)
	w.log(h.name, fmt.Sprintf("maillab/local[%d]: %s: to=<%s>, relay=local, delay=%s, status=sent (delivered to maildrop)", h.pid+1, qid, rcpt, secs(w.elapsed())))
	w.add(trace.Step{Kind: trace.Store, From: h.name, To: h.name, Text: h.name + ": delivered to " + user + "'s maildrop (" + rcpt + ")", Box: h.name + "/" + user, UID: uid})
}

// envelopeOf records a client connection's transaction for the envelope panel.
func (w *world) envelopeOf(results []smtp.Result, server, from string) {
	byMsg := map[int]*trace.Envelope{}
	var ids []int
	for _, r := range results {
		e, ok := byMsg[r.Message]
		if !ok {
			e = &trace.Envelope{Conn: w.conns, Server: server, From: from}
			byMsg[r.Message] = e
			ids = append(ids, r.Message)
		}
		switch r.Outcome {
		case smtp.Accepted:
			e.Accepted = append(e.Accepted, r.Rcpt)
			e.Result = r.Reply
		default:
			e.Refused = append(e.Refused, r.Rcpt+" ("+r.Reply+")")
			if e.Result == "" {
				e.Result = r.Reply
			}
		}
	}
	for _, id := range ids {
		w.tr.Envelopes = append(w.tr.Envelopes, *byMsg[id])
	}
}

// retrySchedule is the back-off between delivery attempts: at least 30
// minutes, growing, giving up after 5 days (RFC 5321 §4.5.4.1).
var retrySchedule = []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 16 * time.Hour, 24 * time.Hour}

const giveUpAfter = 5 * 24 * time.Hour

// runQueues delivers queued mail in time order until every queue is empty.
func (w *world) runQueues() {
	for guard := 0; guard < 1000; guard++ {
		h, q := w.nextQueued()
		if q == nil {
			return
		}
		if q.next > w.elapsed() {
			d := q.next - w.elapsed()
			w.add(trace.Step{Kind: trace.Wait, From: h.name, To: h.name, Text: h.name + ": the message " + q.qid + " waits in the queue for " + human(d) + " before the next try (RFC 5321 §4.5.4.1)"})
			w.advance(d)
		}
		w.attempt(h, q)
	}
}

func (w *world) nextQueued() (*host, *queued) {
	var bh *host
	var bq *queued
	for _, name := range w.order {
		h := w.hosts[name]
		for _, q := range h.queue {
			if bq == nil || q.next < bq.next {
				bh, bq = h, q
			}
		}
	}
	return bh, bq
}

// attempt tries to deliver a queued message: one connection per next hop.
func (w *world) attempt(h *host, q *queued) {
	q.attempts++
	hops := map[string][]string{}
	var order []string
	var fails []failure
	defer func() { w.bounce(h, q, fails) }()
	looked := map[string]bool{}
	for _, r := range q.rcpts {
		next := h.spec.RelayHost
		if next == "" {
			next = w.mx(domainPart(r))
			if next != "" && !looked[domainPart(r)] {
				looked[domainPart(r)] = true
				w.note(h.name + " looks up the MX record of " + domainPart(r) + " in DNS: " + next)
			}
		}
		if next == "" {
			w.note("DNS: " + domainPart(r) + " has no MX record and no such host: the message cannot be routed")
			fails = append(fails, failure{r, "5.4.4", "Host or domain name not found. Name service error for name=" + domainPart(r) + " type=MX", ""})
			continue
		}
		if _, ok := hops[next]; !ok {
			order = append(order, next)
		}
		hops[next] = append(hops[next], r)
	}
	var deferred []string
	for _, next := range order {
		dst := w.hosts[next]
		rcpts := hops[next]
		w.tr.AddActor(trace.Actor{Name: next, Role: "mta"})
		sess := smtp.Session{Helo: h.cfg.Hostname, Messages: []smtp.Envelope{{From: q.from, To: rcpts, Message: q.data, ID: 1}}}
		c, _ := smtp.NewClient("mta", sess)
		results := w.connect(c, h.name, dst, smtp.Peer{Name: h.cfg.Hostname, Addr: h.addr}, c.ReplyTimeout)
		w.envelopeOf(results, next, q.from)
		for _, r := range results {
			relay := dst.cfg.Hostname + "[" + dst.addr + "]:25"
			switch r.Outcome {
			case smtp.Accepted:
				w.log(h.name, fmt.Sprintf("maillab/smtp[%d]: %s: to=<%s>, relay=%s, delay=%s, status=sent (%s)", h.pid+2, q.qid, r.Rcpt, relay, secs(w.elapsed()-q.arrived), r.Reply))
			case smtp.Failed:
				w.log(h.name, fmt.Sprintf("maillab/smtp[%d]: %s: to=<%s>, relay=%s, delay=%s, status=bounced (host %s said: %s)", h.pid+2, q.qid, r.Rcpt, relay, secs(w.elapsed()-q.arrived), relay, r.Reply))
				fails = append(fails, failure{r.Rcpt, enhancedOf(r.Reply, "5.0.0"), r.Reply, dst.cfg.Hostname})
			default:
				w.log(h.name, fmt.Sprintf("maillab/smtp[%d]: %s: to=<%s>, relay=%s, delay=%s, status=deferred (host %s said: %s)", h.pid+2, q.qid, r.Rcpt, relay, secs(w.elapsed()-q.arrived), relay, r.Reply))
				q.lastWhy[r.Rcpt] = r.Reply
				deferred = append(deferred, r.Rcpt)
			}
		}
	}
	w.requeue(h, q, deferred)
}

// requeue keeps the deferred recipients for a later try, or gives up.
func (w *world) requeue(h *host, q *queued, deferred []string) {
	if len(deferred) == 0 {
		w.dequeue(h, q)
		return
	}
	q.rcpts = deferred
	i := q.attempts - 1
	if i >= len(retrySchedule) {
		i = len(retrySchedule) - 1
	}
	q.next = w.elapsed() + retrySchedule[i]
	if q.next-q.arrived > giveUpAfter {
		w.note(h.name + ": " + q.qid + " has been in the queue for 5 days: the server gives up (RFC 5321 §4.5.4.1)")
		var fails []failure
		for _, r := range deferred {
			fails = append(fails, failure{r, "4.4.7", "delivery temporarily suspended: " + q.lastWhy[r], ""})
		}
		w.bounce(h, q, fails)
		w.dequeue(h, q)
		return
	}
	w.note(h.name + ": " + strings.Join(angle(deferred), ", ") + " deferred; the message stays in the queue and is tried again in " + human(retrySchedule[i]) + " (RFC 5321 §4.5.4.1)")
}

func (w *world) dequeue(h *host, q *queued) {
	for i, x := range h.queue {
		if x == q {
			h.queue = append(h.queue[:i], h.queue[i+1:]...)
			w.log(h.name, fmt.Sprintf("maillab/qmgr[%d]: %s: removed", h.pid+3, q.qid))
			return
		}
	}
}

// mx resolves a domain: the spec's dns entries first, then any server whose
// mydestination lists the domain.
func (w *world) mx(domain string) string {
	for d, host := range w.spec.DNS {
		if strings.EqualFold(d, domain) {
			return host
		}
	}
	for _, name := range w.order {
		if w.hosts[name].cfg.IsLocal(domain) {
			return name
		}
	}
	return ""
}

// finish copies the maildrops into the trace: every message delivered,
// with the ones a POP3 session removed marked by the step that did it, so
// the page can show a maildrop as it was at any step.
func (w *world) finish() {
	for _, name := range w.order {
		h := w.hosts[name]
		present := map[string]string{}
		for _, user := range h.store.Users() {
			for _, m := range h.store.Messages(user) {
				present[user+"/"+m.UID] = string(m.Data)
			}
		}
		var boxes []*trace.Mailbox
		byUser := map[string]*trace.Mailbox{}
		for _, key := range h.order {
			user, uid, _ := strings.Cut(key, "/")
			mb := byUser[user]
			if mb == nil {
				mb = &trace.Mailbox{Host: name, User: user}
				byUser[user] = mb
				boxes = append(boxes, mb)
			}
			m := h.meta[key]
			if raw, ok := present[key]; ok {
				m.Raw = raw
			} else {
				m.Removed = w.removedAt(uid)
			}
			mb.Messages = append(mb.Messages, m)
		}
		for _, mb := range boxes {
			w.tr.Mailboxes = append(w.tr.Mailboxes, *mb)
		}
	}
}

// removedAt finds the POP3 UPDATE step that removed a message.
func (w *world) removedAt(uid string) int {
	for i, st := range w.tr.Steps {
		if st.Kind == trace.Store && st.Proto == "pop3" && strings.Contains(st.Text, uid) {
			return i + 1
		}
	}
	return 0
}

// compose writes the message a client sends (RFC 5322 header and body).
func (w *world) compose(m SendSpec, clientHost string) []byte {
	w.msgID++
	var b strings.Builder
	if m.From != "" {
		b.WriteString("From: " + m.From + "\n")
	}
	if len(m.To) > 0 {
		b.WriteString(foldAddresses("To", m.To))
	}
	if len(m.Cc) > 0 {
		b.WriteString(foldAddresses("Cc", m.Cc))
	}
	b.WriteString("Subject: " + encodeHeader(m.Subject) + "\n")
	b.WriteString("Date: " + w.now.Format(smtp.DateFormat) + "\n")
	b.WriteString("Message-ID: <" + strconv.Itoa(w.msgID) + "." + w.now.Format("20060102150405") + "@" + clientHost + ">\n")
	keys := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString(k + ": " + m.Headers[k] + "\n")
	}
	if nonASCII(m.Subject + m.Body) {
		b.WriteString("MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n")
	}
	b.WriteString("\n")
	body := m.Body
	if body != "" && !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	b.WriteString(body)
	return []byte(b.String())
}

// foldAddresses writes an address header folded at 78 characters, as mail
// programs do (RFC 5322 §2.2.3), so that no line nears the 1000-octet limit.
func foldAddresses(name string, addrs []string) string {
	line := name + ":"
	var b strings.Builder
	for i, a := range addrs {
		sep := " "
		if i < len(addrs)-1 {
			a += ","
		}
		if len(line)+len(sep)+len(a) > 78 && line != name+":" {
			b.WriteString(line + "\n")
			line = ""
			sep = "\t"
		}
		line += sep + a
	}
	b.WriteString(line + "\n")
	return b.String()
}

// encodeHeader writes non-ASCII header text as an RFC 2047 encoded word,
// as mail programs do; the body may stay 8-bit (8BITMIME), but a raw UTF-8
// header would need SMTPUTF8 and POP3's UTF8 mode (RFC 6856 §2).
func encodeHeader(s string) string {
	if !nonASCII(s) {
		return s
	}
	return mime.BEncoding.Encode("UTF-8", s)
}

func nonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}

func localPart(a string) string {
	if i := strings.LastIndexByte(a, '@'); i >= 0 {
		return a[:i]
	}
	return a
}

func domainPart(a string) string {
	if i := strings.LastIndexByte(a, '@'); i >= 0 {
		return strings.ToLower(a[i+1:])
	}
	return ""
}

func angle(list []string) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = "<" + a + ">"
	}
	return out
}

func secs(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// human prints a duration the way a person says it: "30 min", "2 h".
func human(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + " h"
	case d >= time.Minute && d%time.Minute == 0:
		return strconv.Itoa(int(d/time.Minute)) + " min"
	}
	return d.String()
}

// enhancedOf takes the enhanced status code out of a reply line.
func enhancedOf(reply, def string) string {
	code, _, text, ok := smtp.ParseReplyLine(reply)
	if !ok {
		return def
	}
	if e, _ := smtp.SplitEnhanced(code, text); e != "" {
		return e
	}
	return def
}
