package smtp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	netsmtp "net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"maillab/sim/machine"
)

// These tests put the server machine behind a real net.Conn (net.Pipe) and
// talk to it with SMTP clients nobody here wrote: Go's net/smtp and
// emersion/go-smtp. A small driver moves bytes between the connection and
// the sans-IO machine: it writes every event that Sends() as Text+CRLF,
// closes on machine.CloseConn, and runs a real TLS handshake on
// machine.StartTLS before calling TLSReady.

// pipeServer is one driven server; stored collects the delivered messages.
type pipeServer struct {
	mu     sync.Mutex
	stored []*Message
	done   chan struct{}
}

func (p *pipeServer) messages() []*Message {
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stored
}

// startPipeServer returns the client's end of a connection to a new server.
func startPipeServer(t *testing.T, cfg Config) (net.Conn, *pipeServer) {
	t.Helper()
	clientConn, serverConn := net.Pipe()
	p := &pipeServer{done: make(chan struct{})}
	cfg.Deliver = func(m *Message) error {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.stored = append(p.stored, m)
		return nil
	}
	s := NewServer(cfg)
	tlsConf := &tls.Config{Certificates: []tls.Certificate{testCert(t).cert}}
	go func() {
		defer close(p.done)
		drivePipe(serverConn, s, tlsConf)
	}()
	t.Cleanup(func() {
		clientConn.Close()
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			t.Error("server driver did not stop")
		}
	})
	return clientConn, p
}

// drivePipe is the driver loop: greeting, then read → Feed → write.
func drivePipe(conn net.Conn, s *Server, tlsConf *tls.Config) {
	var c = conn
	defer func() {
		if tc, ok := c.(*tls.Conn); ok {
			// A net.Pipe has no buffer: if both ends wrote their TLS
			// close_notify at once, neither would return. Send ours in the
			// background and read the client's until it hangs up.
			go tc.CloseWrite()
			conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			io.Copy(io.Discard, conn)
		}
		conn.Close()
	}()
	now := srvNow
	// handle writes what the events say; it reports false once the
	// connection is closed.
	var handle func(evs []machine.Event) bool
	handle = func(evs []machine.Event) bool {
		var out []byte
		flush := func() bool {
			if len(out) == 0 {
				return true
			}
			_, err := c.Write(out)
			out = out[:0]
			return err == nil
		}
		for _, e := range evs {
			if e.Sends() {
				out = append(out, e.Step.Text...)
				out = append(out, '\r', '\n')
			}
			switch e.Action {
			case machine.CloseConn:
				flush()
				return false
			case machine.StartTLS:
				if !flush() {
					return false
				}
				tc := tls.Server(c, tlsConf)
				if err := tc.Handshake(); err != nil {
					return false
				}
				c = tc
				if !handle(s.TLSReady(now)) {
					return false
				}
			}
		}
		return flush()
	}
	if !handle(s.Start(now)) {
		return
	}
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		if n > 0 && !handle(s.Feed(now, buf[:n])) {
			return
		}
		if err != nil {
			s.Lost(now)
			return
		}
	}
}

type srvCert struct {
	cert tls.Certificate
	pool *x509.CertPool
}

var (
	testCertOnce sync.Once
	testCertVal  srvCert
	testCertErr  error
)

// testCert is a self-signed certificate for "localhost", made once.
func testCert(t *testing.T) srvCert {
	t.Helper()
	testCertOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			testCertErr = err
			return
		}
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(1),
			Subject:               pkix.Name{CommonName: "localhost"},
			DNSNames:              []string{"localhost", "mail.example.com"},
			NotBefore:             time.Now().Add(-time.Hour),
			NotAfter:              time.Now().Add(time.Hour),
			KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
			ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			BasicConstraintsValid: true,
			IsCA:                  true,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			testCertErr = err
			return
		}
		leaf, err := x509.ParseCertificate(der)
		if err != nil {
			testCertErr = err
			return
		}
		pool := x509.NewCertPool()
		pool.AddCert(leaf)
		testCertVal = srvCert{cert: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool: pool}
	})
	if testCertErr != nil {
		t.Fatal(testCertErr)
	}
	return testCertVal
}

// crossMessage exercises transparency and line handling: lines starting
// with a dot, a lone dot, an empty line, a long line, trailing spaces, a TAB.
const crossMessage = "From: alice@example.com\r\n" +
	"To: bob@example.com\r\n" +
	"Subject: cross-check\r\n" +
	"\r\n" +
	"Hello Bob,\r\n" +
	".\r\n" +
	"..two dots\r\n" +
	".one dot\r\n" +
	"\r\n" +
	"\tindented and trailing spaces   \r\n"

// receivedFor is the Received: header the server puts on a message for one
// recipient (RFC 5321 §4.4), as message() builds it.
func receivedFor(helo, with, id, rcpt string) string {
	return "Received: from " + helo + " (unknown [192.0.2.10])\n\tby mail.example.com (maillab) with " + with + " id " + id +
		"\n\tfor <" + rcpt + ">; " + srvNow.Format(DateFormat) + "\n"
}

func wantStored(t *testing.T, got []*Message, helo, with, from, rcpt, body string) {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("%d messages stored, want 1", len(got))
	}
	m := got[0]
	want := receivedFor(helo, with, m.QueueID, rcpt) + strings.ReplaceAll(body, "\r\n", "\n")
	if string(m.Data) != want {
		t.Errorf("stored message differs\n--- got\n%q\n--- want\n%q", m.Data, want)
	}
	if m.From != from || len(m.To) != 1 || m.To[0] != rcpt {
		t.Errorf("envelope from=%q to=%q", m.From, m.To)
	}
	// RFC 1870 §3: the size counts CR LF line ends, not the stuffing dots.
	if m.Size != int64(len(body)) {
		t.Errorf("size %d, want %d", m.Size, len(body))
	}
}

// TestServerNetSMTP: Go's net/smtp, plaintext. PlainAuth only sends
// credentials without TLS when the server name is localhost, so the client
// is made with that name.
func TestServerNetSMTP(t *testing.T) {
	conn, srv := startPipeServer(t, srvConfig())
	c, err := netsmtp.NewClient(conn, "localhost")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Hello("client.example.org"); err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{"PIPELINING", "SIZE", "STARTTLS", "AUTH", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"} {
		if ok, _ := c.Extension(ext); !ok {
			t.Errorf("extension %s not advertised", ext)
		}
	}
	if _, p := c.Extension("AUTH"); p != "PLAIN LOGIN" {
		t.Errorf("AUTH %q", p)
	}
	if err := c.Auth(netsmtp.PlainAuth("", "alice", "secret", "localhost")); err != nil {
		t.Fatal(err)
	}
	if err := c.Verify("bob@example.com"); err == nil {
		// net/smtp's Verify wants 250; VRFY is off, so the answer is 252 (RFC 5321 §3.5.3).
		t.Error("VRFY with verification off must not be 250")
	} else if te := (*textproto.Error)(nil); !errors.As(err, &te) || te.Code != 252 {
		t.Errorf("VRFY: %v", err)
	}
	if err := c.Mail("alice@example.com"); err != nil {
		t.Fatal(err)
	}
	err = c.Rcpt("nobody@example.com")
	var te *textproto.Error
	if !errors.As(err, &te) || te.Code != 550 || !strings.HasPrefix(te.Msg, "5.1.1 ") {
		t.Errorf("unknown recipient: %v", err)
	}
	if err := c.Rcpt("bob@example.com"); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, crossMessage); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	wantStored(t, srv.messages(), "client.example.org", "ESMTPA", "alice@example.com", "bob@example.com", crossMessage)
}

// TestServerNetSMTPStartTLS: net/smtp with STARTTLS, a real TLS handshake
// over the pipe, then AUTH PLAIN under TLS (RFC 3207, RFC 4954).
func TestServerNetSMTPStartTLS(t *testing.T) {
	cfg := srvConfig()
	cfg.AuthNeedsTLS = true
	conn, srv := startPipeServer(t, cfg)
	c, err := netsmtp.NewClient(conn, "mail.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Hello("client.example.org"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Extension("AUTH"); ok {
		t.Error("AUTH advertised before TLS with auth_needs_tls")
	}
	if err := c.StartTLS(&tls.Config{ServerName: "mail.example.com", RootCAs: testCert(t).pool}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		t.Error("STARTTLS still advertised after TLS (RFC 3207 §4.2)")
	}
	if err := c.Auth(netsmtp.PlainAuth("", "bob", "secret", "mail.example.com")); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("bob@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("carol@elsewhere.org"); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, crossMessage)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	msgs := srv.messages()
	wantStored(t, msgs, "client.example.org", "ESMTPSA", "bob@example.com", "carol@elsewhere.org", crossMessage)
	if len(msgs) == 1 && (!msgs[0].TLS || msgs[0].Authenticated != "bob") {
		t.Errorf("TLS %v, authenticated %q", msgs[0].TLS, msgs[0].Authenticated)
	}
}

// TestServerGoSMTP: emersion/go-smtp's client, SendMail flow with AUTH
// PLAIN from go-sasl. It sends BODY=8BITMIME because we advertise it.
func TestServerGoSMTP(t *testing.T) {
	conn, srv := startPipeServer(t, srvConfig())
	c := gosmtp.NewClient(conn)
	if err := c.Hello("client.example.org"); err != nil {
		t.Fatal(err)
	}
	if size, ok := c.MaxMessageSize(); !ok || size != 10240000 {
		t.Errorf("SIZE %d %v", size, ok)
	}
	if !c.SupportsAuth("PLAIN") || !c.SupportsAuth("LOGIN") {
		t.Error("PLAIN and LOGIN not both advertised")
	}
	if err := c.Auth(sasl.NewPlainClient("", "alice", "secret")); err != nil {
		t.Fatal(err)
	}
	if err := c.SendMail("alice@example.com", []string{"carol@elsewhere.org"}, strings.NewReader(crossMessage)); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	wantStored(t, srv.messages(), "client.example.org", "ESMTPA", "alice@example.com", "carol@elsewhere.org", crossMessage)
}

// TestServerGoSMTPErrors: refusals surface as go-smtp's *SMTPError with the
// reply code and the enhanced code parsed from the text (RFC 2034).
func TestServerGoSMTPErrors(t *testing.T) {
	conn, srv := startPipeServer(t, srvConfig())
	c := gosmtp.NewClient(conn)
	if err := c.Hello("client.example.org"); err != nil {
		t.Fatal(err)
	}
	check := func(what string, err error, code int, enh gosmtp.EnhancedCode) {
		t.Helper()
		var se *gosmtp.SMTPError
		if !errors.As(err, &se) {
			t.Fatalf("%s: %v is not an *smtp.SMTPError", what, err)
		}
		if se.Code != code || se.EnhancedCode != enh {
			t.Errorf("%s: code %d %v, want %d %v (%q)", what, se.Code, se.EnhancedCode, code, enh, se.Message)
		}
	}
	check("wrong password", c.Auth(sasl.NewPlainClient("", "alice", "wrong")), 535, gosmtp.EnhancedCode{5, 7, 8})
	if err := c.Mail("alice@example.com", &gosmtp.MailOptions{Size: 20000000}); err != nil {
		check("SIZE over the limit", err, 552, gosmtp.EnhancedCode{5, 3, 4})
	} else {
		t.Error("SIZE over the limit accepted")
	}
	if err := c.Mail("alice@example.com", &gosmtp.MailOptions{Return: gosmtp.DSNReturnHeaders, EnvelopeID: "QQ314159"}); err != nil {
		t.Fatal(err)
	}
	check("unknown recipient", c.Rcpt("nobody@example.com", nil), 550, gosmtp.EnhancedCode{5, 1, 1})
	check("relay", c.Rcpt("carol@elsewhere.org", nil), 554, gosmtp.EnhancedCode{5, 7, 1})
	_, err := c.Data()
	check("DATA without recipients", err, 554, gosmtp.EnhancedCode{5, 5, 1})
	if err := c.Rcpt("bob@example.com", &gosmtp.RcptOptions{Notify: []gosmtp.DSNNotify{gosmtp.DSNNotifyFailure, gosmtp.DSNNotifyDelayed}}); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, crossMessage)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	msgs := srv.messages()
	wantStored(t, msgs, "client.example.org", "ESMTP", "alice@example.com", "bob@example.com", crossMessage)
	if len(msgs) == 1 && (msgs[0].Ret != "HDRS" || msgs[0].EnvID != "QQ314159" || msgs[0].Notify["bob@example.com"] != "FAILURE,DELAY") {
		t.Errorf("DSN parameters: RET %q ENVID %q NOTIFY %v", msgs[0].Ret, msgs[0].EnvID, msgs[0].Notify)
	}
}

// TestServerGoSMTPStartTLSLogin: go-smtp's NewClientStartTLS (EHLO,
// STARTTLS, handshake, EHLO again) and AUTH LOGIN from go-sasl.
func TestServerGoSMTPStartTLSLogin(t *testing.T) {
	conn, srv := startPipeServer(t, srvConfig())
	c, err := gosmtp.NewClientStartTLS(conn, &tls.Config{ServerName: "localhost", RootCAs: testCert(t).pool})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.TLSConnectionState(); !ok {
		t.Fatal("no TLS")
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		t.Error("STARTTLS advertised after TLS")
	}
	if err := c.Auth(sasl.NewLoginClient("bob", "secret")); err != nil {
		t.Fatal(err)
	}
	if err := c.SendMail("bob@example.com", []string{"alice@example.com"}, strings.NewReader(crossMessage)); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	wantStored(t, srv.messages(), "localhost", "ESMTPSA", "bob@example.com", "alice@example.com", crossMessage)
}
