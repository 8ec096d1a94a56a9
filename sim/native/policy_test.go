//go:build !js

package native

import (
	"net"
	"strings"
	"testing"
	"time"

	"maillab/sim/mailstore"
	"maillab/sim/pop3"
	"maillab/sim/smtp"
)

// Plaintext passwords only over loopback: elsewhere AUTH waits for
// STARTTLS (RFC 4954 §4) and POP3 requires STLS (RFC 2595 §2.3). Testing
// this over a real non-loopback address would need one; the decision is
// tested on the configuration and on the machine it builds.
func TestPlaintextAuthOnlyOnLoopback(t *testing.T) {
	t.Parallel()
	tcp := func(ip string) net.Addr { return &net.TCPAddr{IP: net.ParseIP(ip), Port: 25} }
	for ip, want := range map[string]bool{"127.0.0.1": true, "127.3.4.5": true, "::1": true, "192.0.2.1": false, "10.0.0.2": false, "2001:db8::1": false} {
		if got := PlaintextAuthAllowed(tcp(ip)); got != want {
			t.Errorf("PlaintextAuthAllowed(%s) = %v", ip, got)
		}
	}
	for addr, want := range map[string]bool{"127.0.0.1:25": false, "0.0.0.0:25": true, "[::]:25": true, "192.0.2.1:25": true} {
		a, _ := net.ResolveTCPAddr("tcp", addr)
		if got := Exposed(a); got != want {
			t.Errorf("Exposed(%s) = %v", addr, got)
		}
	}

	base := smtp.Config{Hostname: "mail.example.com", MyDestination: []string{"example.com"}, Users: testUsers}.WithDefaults()
	s := Setup{SMTP: base, Store: mailstore.NewMemory()}
	remote := peer{Remote: tcp("198.51.100.7"), Local: tcp("192.0.2.1")}
	local := peer{Remote: tcp("127.0.0.1"), Local: tcp("127.0.0.1")}
	implicit := peer{Remote: tcp("198.51.100.7"), Local: tcp("192.0.2.1"), TLS: true}
	if !sessionConfig(base, remote, s, nil).AuthNeedsTLS {
		t.Error("AUTH allowed without TLS off loopback")
	}
	if sessionConfig(base, local, s, nil).AuthNeedsTLS {
		t.Error("AUTH refused without TLS on loopback")
	}
	if c := sessionConfig(base, implicit, s, nil); c.AuthNeedsTLS || !c.ImplicitTLS {
		t.Errorf("implicit TLS: AuthNeedsTLS %v, ImplicitTLS %v", c.AuthNeedsTLS, c.ImplicitTLS)
	}

	// The machine built for a remote client: no AUTH in EHLO, 5xx to AUTH.
	m := smtp.NewServer(sessionConfig(base, remote, s, nil))
	now := time.Now()
	m.Start(now)
	var out strings.Builder
	for _, e := range m.Feed(now, []byte("EHLO client.example\r\nAUTH PLAIN "+plain("alice", testUsers["alice"])+"\r\n")) {
		if e.Sends() {
			out.WriteString(e.Step.Text + "\n")
		}
	}
	if strings.Contains(out.String(), "AUTH PLAIN LOGIN") || !strings.Contains(out.String(), "\n5") {
		t.Errorf("remote client, plaintext:\n%s", out.String())
	}

	for _, c := range []struct {
		mode string
		cert bool
		p    peer
		want string
	}{
		{"optional", true, local, pop3.TLSOptional},
		{"optional", true, remote, pop3.TLSRequired},
		{"off", true, remote, pop3.TLSRequired},
		{"off", true, local, pop3.TLSOff},
		{"required", true, local, pop3.TLSRequired},
		{"optional", false, local, pop3.TLSOff},
		{"optional", true, implicit, pop3.TLSOff},
	} {
		if got := pop3TLS(c.mode, c.cert, c.p); got != c.want {
			t.Errorf("pop3TLS(%s, cert %v, %v) = %s, want %s", c.mode, c.cert, c.p.Local, got, c.want)
		}
	}
}

func TestLocalUser(t *testing.T) {
	t.Parallel()
	cfg := smtp.Config{Hostname: "mail.example.com", MyDestination: []string{"example.com"}, Users: map[string]string{"alice": "x", "Bob": "y"}}
	for rcpt, want := range map[string]string{
		"alice@example.com": "alice", "ALICE@EXAMPLE.COM": "alice", "bob@example.com": "Bob",
		"postmaster": "postmaster", "Postmaster@example.com": "postmaster", "alice@mail.example.com": "alice",
		"alice@elsewhere.example": "", "alice": "",
	} {
		got, ok := localUser(cfg, rcpt)
		if got != want || ok != (want != "") {
			t.Errorf("localUser(%q) = %q, %v; want %q", rcpt, got, ok, want)
		}
	}
}
