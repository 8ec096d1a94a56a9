//go:build !js

package native

import (
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"maillab/sim/machine"
	"maillab/sim/trace"
)

// ErrServerClosed is returned by Serve and ServeTLS after Close.
var ErrServerClosed = errors.New("native: server closed")

// Limits are the resource bounds of one server. Zero fields take the
// defaults documented on each.
type Limits struct {
	// MaxConns is the number of sessions served at once; a client beyond it
	// gets the busy reply and is closed (Postfix answers "421 4.7.0 … Error:
	// too many connections"). 0 = 100.
	MaxConns int
	// SMTPTimeout is how long the SMTP server waits for the next command
	// or line of text before "421 4.4.2 … timeout exceeded": at least 5
	// minutes by RFC 5321 §4.5.3.2.7, which is the default. A lab may
	// shorten it so that students see it happen.
	SMTPTimeout time.Duration
	// POP3Timeout is the autologout timer: at least 10 minutes by RFC 1939
	// §3, the default. On expiry the session closes without UPDATE.
	POP3Timeout time.Duration
	// Handshake bounds a TLS handshake (STARTTLS, STLS, implicit TLS). 0 = 30s.
	Handshake time.Duration
	// MaxDelay caps a "delay" fault in real time, so that "delay 10m" in a
	// lesson does not hold a real session for ten minutes. 0 = 30s.
	MaxDelay time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.MaxConns <= 0 {
		l.MaxConns = 100
	}
	if l.SMTPTimeout <= 0 {
		l.SMTPTimeout = 5 * time.Minute
	}
	if l.POP3Timeout <= 0 {
		l.POP3Timeout = 10 * time.Minute
	}
	if l.Handshake <= 0 {
		l.Handshake = 30 * time.Second
	}
	if l.MaxDelay <= 0 {
		l.MaxDelay = 30 * time.Second
	}
	return l
}

// peer is one accepted connection, as the machine factory sees it.
type peer struct {
	ID     int      // the session number (Step.Conn, Info.ID)
	Remote net.Addr // the client
	Local  net.Addr // the address the client connected to
	TLS    bool     // implicit TLS: encrypted from the first byte (RFC 8314)
}

// Server serves one protocol on any number of listeners. Make one with
// NewSMTP or NewPOP3.
type Server struct {
	proto   string
	host    string
	busy    trace.Step    // the reply to a client beyond MaxConns
	bye     trace.Step    // the reply sent to live sessions at Close (no Text = none)
	timeout time.Duration // the read timeout of this protocol
	lim     Limits
	tls     *tls.Config
	hub     *Hub
	machine func(p peer, s *session) machine.Server
	// throttle counts failed logins per address (nil = none counted).
	throttle *Throttle
	// lineAtATime feeds the machine one line at a time (see conn.feed).
	lineAtATime bool

	serving atomic.Int64 // sessions being served (not those being refused)
	closing atomic.Bool
	stop    chan struct{} // closed by Close: wakes delay faults and idle workers
	jobs    chan job      // idle workers wait here for a connection (dispatch)
	// idleFor is how long an idle worker waits for a connection (idleWorker;
	// tests shorten it to see the goroutines go).
	idleFor atomic.Int64 // a time.Duration

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[net.Conn]struct{}
	wg        sync.WaitGroup
}

func newServer(proto, host string, lim Limits, tlsConf *tls.Config, hub *Hub) *Server {
	lim = lim.withDefaults()
	if hub == nil {
		hub = NewHub(0)
	}
	s := &Server{proto: proto, host: host, lim: lim, tls: tlsConf, hub: hub,
		stop: make(chan struct{}), jobs: make(chan job), listeners: map[net.Listener]struct{}{}, conns: map[net.Conn]struct{}{}}
	s.idleFor.Store(int64(idleWorker))
	s.timeout = lim.SMTPTimeout
	if proto == "pop3" {
		s.timeout = lim.POP3Timeout
	}
	return s
}

// Proto returns "smtp" or "pop3".
func (s *Server) Proto() string { return s.proto }

// Hub returns the hub the server reports to.
func (s *Server) Hub() *Hub { return s.hub }

// Serve accepts plaintext connections on ln (STARTTLS/STLS offered when the
// server has a certificate) until Close. It always returns an error.
func (s *Server) Serve(ln net.Listener) error { return s.serve(ln, false) }

// ServeTLS accepts implicit-TLS connections on ln: SMTP submission on 465
// and POP3 on 995 (RFC 8314 §3.3), the handshake first, then the greeting.
func (s *Server) ServeTLS(ln net.Listener) error {
	if s.tls == nil {
		ln.Close()
		return errors.New("native: implicit TLS needs a certificate")
	}
	return s.serve(ln, true)
}

func (s *Server) serve(ln net.Listener, implicitTLS bool) error {
	s.mu.Lock()
	if s.closing.Load() {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
	}()
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.closing.Load() {
				return ErrServerClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			// Out of file descriptors and the like: wait and try again,
			// as net/http does, rather than spin or give up.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		if !s.track(nc) {
			nc.Close()
			continue
		}
		if s.serving.Add(1) > int64(s.lim.MaxConns) {
			s.serving.Add(-1)
			go s.refuse(nc, implicitTLS)
			continue
		}
		s.dispatch(nc, implicitTLS)
	}
}

// job is an accepted connection waiting for a goroutine to serve it.
type job struct {
	nc          net.Conn
	implicitTLS bool
}

// idleWorker is how long a goroutine that served a connection waits for
// the next one before it exits.
const idleWorker = 10 * time.Second

// dispatch hands a connection to an idle worker, or starts one. A worker
// keeps its grown stack and its read buffer from one connection to the
// next: a client that opens a connection per message would otherwise pay
// for a new goroutine growing its stack, and a new buffer, every time.
func (s *Server) dispatch(nc net.Conn, implicitTLS bool) {
	select {
	case s.jobs <- job{nc, implicitTLS}:
	default:
		go s.work(job{nc, implicitTLS})
	}
}

func (s *Server) work(j job) {
	buf := make([]byte, readBuffer)
	idle := time.NewTimer(time.Duration(s.idleFor.Load()))
	defer idle.Stop()
	for {
		s.handle(j.nc, j.implicitTLS, buf)
		s.serving.Add(-1)
		idle.Reset(time.Duration(s.idleFor.Load()))
		select {
		case j = <-s.jobs:
		case <-idle.C:
			return
		case <-s.stop:
			return
		}
	}
}

// track registers a connection so that Close can reach it; false after Close.
func (s *Server) track(nc net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		return false
	}
	s.conns[nc] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(nc net.Conn) {
	nc.Close()
	s.mu.Lock()
	delete(s.conns, nc)
	s.mu.Unlock()
	s.wg.Done()
}

// Close stops accepting, ends every live session (an SMTP client is told
// "421 4.3.2", RFC 5321 §3.8; a POP3 session ends without UPDATE, so no
// message is removed, RFC 1939 §6) and waits for them, at most a few
// seconds before cutting the rest off.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closing.Swap(true) {
		s.mu.Unlock()
		return nil
	}
	close(s.stop)
	for ln := range s.listeners {
		ln.Close()
	}
	// A deadline in the past wakes a connection's goroutine from its read;
	// it then sees closing and says goodbye itself. Only that goroutine
	// touches its machine.
	for nc := range s.conns {
		nc.SetDeadline(time.Now())
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.mu.Lock()
		for nc := range s.conns {
			nc.Close()
		}
		s.mu.Unlock()
		<-done
	}
	return nil
}

// sleep waits d, or less if the server is closing; false if it was cut short.
func (s *Server) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.stop:
		return false
	}
}
