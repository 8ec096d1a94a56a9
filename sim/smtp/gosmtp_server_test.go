package smtp

import (
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"maillab/sim/machine"
)

// These tests hold our client machine against a server nobody here wrote:
// github.com/emersion/go-smtp, over an in-memory connection.

// pipeListener hands go-smtp one end of a net.Pipe.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}
func (l *pipeListener) Close() error   { l.once.Do(func() { close(l.done) }); return nil }
func (l *pipeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 25} }

type goBackend struct {
	mu    sync.Mutex
	got   []goMessage
	users map[string]string
}

type goMessage struct {
	from string
	to   []string
	data string
}

func (b *goBackend) NewSession(*gosmtp.Conn) (gosmtp.Session, error) { return &goSession{b: b}, nil }

type goSession struct {
	b    *goBackend
	from string
	to   []string
}

func (s *goSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *goSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if s.b.users[user] != pass || pass == "" {
			return gosmtp.ErrAuthFailed // 535 5.7.8
		}
		return nil
	}), nil
}
func (s *goSession) Reset()        { s.from, s.to = "", nil }
func (s *goSession) Logout() error { return nil }
func (s *goSession) Mail(from string, _ *gosmtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *goSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if strings.HasPrefix(to, "nobody@") {
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "User unknown"}
	}
	s.to = append(s.to, to)
	return nil
}
func (s *goSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	s.b.got = append(s.b.got, goMessage{s.from, s.to, string(b)})
	s.b.mu.Unlock()
	return nil
}

// againstGoSMTP runs our client over a pipe to a go-smtp server and returns
// what the server received and the client's results.
func againstGoSMTP(t *testing.T, profile string, sess Session) ([]goMessage, []Result) {
	t.Helper()
	be := &goBackend{users: map[string]string{"alice": "secret"}}
	srv := gosmtp.NewServer(be)
	srv.Domain = "go-smtp.example"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l := &pipeListener{conns: make(chan net.Conn, 1), done: make(chan struct{})}
	ours, theirs := net.Pipe()
	l.conns <- theirs
	go srv.Serve(l)
	defer srv.Close()

	c, err := NewClient(profile, sess)
	if err != nil {
		t.Fatal(err)
	}
	// net.Pipe has no buffer: a pipelined group must be written while the
	// server already answers, so writes go through their own goroutine, as
	// a socket's send buffer would let them.
	writes := make(chan []byte, 16)
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		for b := range writes {
			if _, err := ours.Write(b); err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 64*1024)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for !c.Done() {
		ours.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := ours.Read(buf)
		if err != nil {
			c.Lost(now, false)
			break
		}
		var out []byte
		closing := false
		for _, e := range c.Feed(now, buf[:n]) {
			if e.Sends() {
				out = append(out, e.Step.Text+"\r\n"...)
			}
			closing = closing || e.Action == machine.CloseConn
		}
		if len(out) > 0 {
			writes <- out
		}
		if closing {
			break
		}
	}
	close(writes)
	<-wrote
	ours.Close()
	be.mu.Lock()
	defer be.mu.Unlock()
	return be.got, c.Results()
}

func TestClientAgainstGoSMTP(t *testing.T) {
	msg := "From: alice@example.com\nTo: bob@example.org\nSubject: Hi\n\nHello Bob.\n.a line with a leading dot\n"
	for _, profile := range []string{"smtplib", "curl", "mta", "thunderbird", "swaks", "telnet"} {
		t.Run(profile, func(t *testing.T) {
			sess := Session{Helo: "client.example", User: "alice", Password: "secret", StartTLS: "off",
				Messages: []Envelope{{From: "alice@example.com", To: []string{"bob@example.org", "nobody@example.org"}, Message: []byte(msg), ID: 1}}}
			got, results := againstGoSMTP(t, profile, sess)
			if profile == "curl" {
				// curl stops at the first refused recipient (exit 55): nothing is sent.
				if len(got) != 0 {
					t.Fatalf("curl sent a message after a refused RCPT: %+v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("go-smtp received %d messages, want 1 (results %+v)", len(got), results)
			}
			want := strings.ReplaceAll(msg, "\n", "\r\n")
			if got[0].data != want {
				t.Errorf("message arrived changed:\n%q\nwant\n%q", got[0].data, want)
			}
			if got[0].from != "alice@example.com" || len(got[0].to) != 1 || got[0].to[0] != "bob@example.org" {
				t.Errorf("envelope: from %q to %v", got[0].from, got[0].to)
			}
			outcome := map[string]Outcome{}
			for _, r := range results {
				outcome[r.Rcpt] = r.Outcome
			}
			if outcome["bob@example.org"] != Accepted || outcome["nobody@example.org"] != Failed {
				t.Errorf("results %+v: want bob accepted, nobody failed (550 5.1.1)", results)
			}
		})
	}
}

func TestClientAuthFailsAgainstGoSMTP(t *testing.T) {
	sess := Session{Helo: "client.example", User: "alice", Password: "wrong", StartTLS: "off",
		Messages: []Envelope{{From: "alice@example.com", To: []string{"bob@example.org"}, Message: []byte("Subject: x\n\nx\n"), ID: 1}}}
	got, results := againstGoSMTP(t, "smtplib", sess)
	if len(got) != 0 {
		t.Fatalf("a message was sent after a failed login")
	}
	if len(results) != 1 || results[0].Outcome != Failed || !strings.HasPrefix(results[0].Reply, "535") {
		t.Errorf("results %+v: want failed with 535", results)
	}
}
