//go:build !js

package native

import (
	"crypto/tls"
	"net/smtp"
	"strings"
	"testing"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// Go's net/smtp and emersion/go-smtp's client against native mode.

const goMessage = "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: from Go\r\n\r\nhello\r\n.dot\r\n"

func TestNetSMTP(t *testing.T) {
	t.Parallel()
	for _, starttls := range []bool{false, true} {
		name := map[bool]string{false: "plain", true: "starttls"}[starttls]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			l := testServer(t)
			c, err := smtp.Dial(l.addr("smtp", false))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if starttls {
				if err := c.StartTLS(&tls.Config{RootCAs: l.pool, ServerName: "localhost"}); err != nil {
					t.Fatal(err)
				}
			}
			// net/smtp sends a password without TLS only to localhost, which this is.
			if err := c.Auth(smtp.PlainAuth("", "alice", testUsers["alice"], "127.0.0.1")); err != nil {
				t.Fatal(err)
			}
			if err := c.Mail("alice@example.com"); err != nil {
				t.Fatal(err)
			}
			if err := c.Rcpt("bob@example.com"); err != nil {
				t.Fatal(err)
			}
			w, err := c.Data()
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(goMessage))
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if err := c.Rcpt("friend@elsewhere.example"); err == nil {
				t.Error("RCPT to another domain accepted outside a transaction")
			}
			if err := c.Quit(); err != nil {
				t.Fatal(err)
			}
			if b := body(t, l.oneMessage(t, "bob")); b != lf(goMessage) {
				t.Errorf("stored %q, want %q", b, lf(goMessage))
			}
		})
	}
}

func TestGoSMTPClient(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	c, err := gosmtp.DialStartTLS(l.addr("smtp", false), &tls.Config{RootCAs: l.pool, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Auth(sasl.NewPlainClient("", "alice", testUsers["alice"])); err != nil {
		t.Fatal(err)
	}
	if err := c.SendMail("alice@example.com", []string{"bob@example.com"}, strings.NewReader(goMessage)); err != nil {
		t.Fatal(err)
	}
	err = c.SendMail("alice@example.com", []string{"friend@elsewhere.example"}, strings.NewReader(goMessage))
	if se, ok := err.(*gosmtp.SMTPError); !ok || se.Code != 554 || se.EnhancedCode != (gosmtp.EnhancedCode{5, 7, 1}) {
		t.Errorf("relay after AUTH: %v, want 554 5.7.1", err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	if b := body(t, l.oneMessage(t, "bob")); b != lf(goMessage) {
		t.Errorf("stored %q, want %q", b, lf(goMessage))
	}
}
