//go:build !js

package native

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"strings"

	"maillab/sim/fault"
	"maillab/sim/mailstore"
	"maillab/sim/smtp"
)

// Setup is the mail host native mode serves: one server as a scenario's
// servers entry describes it, with a durable store and live fault rules.
type Setup struct {
	// SMTP is the host's configuration (Hostname, MyDestination, Users,
	// Auth, TLS, MaxMessageBytes, MaxRecipients, BareLF, VRFY…). The
	// per-connection fields (Peer, Deliver, Faults, QueueID, PID,
	// AuthNeedsTLS) are filled in for each session.
	SMTP smtp.Config
	// APOP offers APOP in the POP3 greeting (RFC 1939 §7).
	APOP bool
	// Store keeps the mail: SMTP delivers into it, POP3 reads it. Required;
	// mailstore.NewMaildir for anything that should survive a restart.
	Store mailstore.Store
	// Faults apply to every session, SMTP and POP3; the page adds and
	// removes rules while sessions run. nil = none.
	Faults *fault.Rules
	// TLS is the server side of STARTTLS, STLS and implicit TLS; nil = no
	// TLS offered (and "tls: required" refused).
	TLS    *tls.Config
	Limits Limits
	// Throttle slows down and then refuses addresses that keep failing to
	// log in, over SMTP and POP3 together; nil = one with the defaults of
	// ThrottleConfig (Start shares it between the two servers).
	Throttle *Throttle
	// Hub receives every step; nil = a new one (see Server.Hub).
	Hub *Hub
}

// check validates a setup and returns the effective SMTP configuration.
func (s Setup) check() (smtp.Config, error) {
	if s.Store == nil {
		return smtp.Config{}, errors.New("native: no store: give a Maildir")
	}
	if err := s.SMTP.Check(); err != nil {
		return smtp.Config{}, err
	}
	cfg := s.SMTP
	if s.TLS == nil {
		if cfg.TLS == "required" {
			return smtp.Config{}, errors.New("tls: required needs a certificate")
		}
		cfg.TLS = "off"
	}
	return cfg.WithDefaults(), nil
}

// throttle returns the setup's throttle, or a new one with the defaults.
func (s Setup) throttle() *Throttle {
	if s.Throttle == nil {
		return NewThrottle(ThrottleConfig{})
	}
	return s.Throttle
}

// injector returns the rules as an Injector, or a nil interface for none
// (a nil *fault.Rules in an interface would not compare equal to nil).
func (s Setup) injector() fault.Injector {
	if s.Faults == nil {
		return nil
	}
	return s.Faults
}

// newQueueID issues Postfix-looking queue ids (10 hex digits). They are
// random, not counted: the sessions of one server run at once and those of
// the last run are still in the Maildir, and ids must not repeat in a log.
func newQueueID() string {
	var b [5]byte
	rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}
