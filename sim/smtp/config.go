package smtp

import (
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"maillab/sim/fault"
)

// Config is a server's Postfix-like configuration. The same keys configure
// a simulated server (a scenario's servers entry) and native mode (--config).
type Config struct {
	Hostname      string            // myhostname: the greeting and EHLO name
	MyDestination []string          // domains delivered here (local delivery)
	RelayHost     string            // where mail for other domains goes (else MX lookup)
	Users         map[string]string // name → password (SMTP AUTH, POP3)
	Auth          string            // off | optional | required
	TLS           string            // off | optional | required
	// AuthNeedsTLS hides AUTH until STARTTLS has run (RFC 4954 §4: plaintext
	// mechanisms must be refusable without TLS). Native mode sets it on
	// non-loopback listeners.
	AuthNeedsTLS bool
	// NoRelay refuses every domain that is not local, even after AUTH
	// (554 5.7.1): native mode never sends mail anywhere.
	NoRelay bool
	// ImplicitTLS: the connection is TLS from the first byte (ports 465
	// and 995, RFC 8314), so STARTTLS is not offered and Received says ESMTPS.
	ImplicitTLS     bool
	MaxMessageBytes int64  // SIZE (RFC 1870); 0 = 10240000, Postfix's default
	MaxRecipients   int    // at least 100 (RFC 5321 §4.5.3.1.8); 0 = 100
	BareLF          string // normalize | reject (PROTOCOL.md §1.8)
	VRFY            bool   // answer VRFY truthfully (off: 252, RFC 5321 §3.5.3)
	MaxErrors       int    // close with 421 after this many errors (Postfix smtpd_hard_error_limit); 0 = 20

	// Run-time wiring, not configuration keys.
	Faults  fault.Injector
	Deliver func(m *Message) error // stores an accepted message; called before the 250 (RFC 5321 §6.1)
	Peer    Peer
	PID     int           // shown in log lines as maillab/smtpd[PID]
	QueueID func() string // issues queue ids; default: a deterministic per-server counter
	// ReuseEvents lets the machine reuse the memory of the events it
	// returns: a slice returned by Start, Feed, TLSReady, Timeout or Lost
	// then stays valid only until the second call after it (two buffers
	// alternate, so a driver may call the machine once while it still
	// works through the events of the previous call, as native mode does
	// for STARTTLS). Native mode sets it; drivers that keep events do not.
	ReuseEvents bool
	// MessageID numbers messages in logs; not needed by callers.
}

// Peer is the client as the server sees it (for Received: and the log).
type Peer struct {
	Name string // reverse DNS name, "unknown" if none
	Addr string // IP address
}

// Message is what the server hands over at the end of data.
type Message struct {
	QueueID       string
	From          string   // reverse-path, "" for the null sender <>
	To            []string // accepted forward-paths
	Data          []byte   // the message with LF line ends, Received: header first
	Size          int64    // octets as received with CRLF (RFC 1870 counting)
	Helo          string
	Authenticated string // SASL user, "" if none
	TLS           bool
	Received      time.Time
	Ret, EnvID    string            // DSN parameters of MAIL (RFC 3461 §4.3, §4.4)
	Notify        map[string]string // recipient → NOTIFY value (RFC 3461 §4.1)
	SMTPUTF8      bool
}

// WithDefaults fills unset fields with the documented defaults.
func (c Config) WithDefaults() Config {
	if c.Hostname == "" {
		c.Hostname = "mail.example.com"
	}
	if c.MyDestination == nil {
		c.MyDestination = []string{parentDomain(c.Hostname)}
	}
	if c.Auth == "" {
		c.Auth = "optional"
	}
	if c.TLS == "" {
		c.TLS = "optional"
	}
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = 10240000
	}
	if c.MaxRecipients == 0 {
		c.MaxRecipients = 100
	}
	if c.BareLF == "" {
		c.BareLF = "normalize"
	}
	if c.MaxErrors == 0 {
		c.MaxErrors = 20
	}
	if c.Peer.Name == "" {
		c.Peer.Name = "unknown"
	}
	if c.Peer.Addr == "" {
		c.Peer.Addr = "192.0.2.10"
	}
	if c.PID == 0 {
		h := fnv.New32a()
		h.Write([]byte(c.Hostname))
		c.PID = 1000 + int(h.Sum32()%9000)
	}
	if c.QueueID == nil {
		c.QueueID = QueueIDs(c.Hostname)
	}
	return c
}

// Check validates the configuration; errors name the key.
func (c Config) Check() error {
	switch c.Auth {
	case "", "off", "optional", "required":
	default:
		return fmt.Errorf("auth: %q is not off, optional or required", c.Auth)
	}
	switch c.TLS {
	case "", "off", "optional", "required":
	default:
		return fmt.Errorf("tls: %q is not off, optional or required", c.TLS)
	}
	switch c.BareLF {
	case "", "normalize", "reject":
	default:
		return fmt.Errorf("bare_lf: %q is not normalize or reject", c.BareLF)
	}
	if c.MaxRecipients != 0 && c.MaxRecipients < 100 {
		return fmt.Errorf("max_recipients: %d is below 100, the minimum a server must accept (RFC 5321 §4.5.3.1.8)", c.MaxRecipients)
	}
	if c.MaxMessageBytes < 0 {
		return fmt.Errorf("max_message_bytes: must not be negative")
	}
	if c.MaxMessageBytes != 0 && c.MaxMessageBytes < 65536 {
		return fmt.Errorf("max_message_bytes: %d is below 65536, the minimum a server must accept (RFC 5321 §4.5.3.1.7)", c.MaxMessageBytes)
	}
	return nil
}

// IsLocal reports whether mail for domain is delivered here.
func (c Config) IsLocal(domain string) bool {
	for _, d := range c.MyDestination {
		if strings.EqualFold(d, domain) {
			return true
		}
	}
	return strings.EqualFold(domain, c.Hostname)
}

// HasUser reports whether a local part names a local user. postmaster is
// always there (RFC 5321 §4.5.1).
func (c Config) HasUser(local string) bool {
	if strings.EqualFold(local, "postmaster") {
		return true
	}
	_, ok := c.Users[strings.ToLower(local)]
	if !ok {
		_, ok = c.Users[local]
	}
	return ok
}

// parentDomain: mail.example.com → example.com.
func parentDomain(host string) string {
	if i := strings.IndexByte(host, '.'); i >= 0 && strings.Contains(host[i+1:], ".") {
		return host[i+1:]
	}
	return host
}

// QueueIDs returns a deterministic generator of Postfix-looking queue ids
// (10 hex digits) for one host, so that a scenario's transcript is the same
// on every run.
func QueueIDs(host string) func() string {
	n := 0
	return func() string {
		n++
		h := fnv.New64a()
		fmt.Fprintf(h, "%s/%d", host, n)
		return strings.ToUpper(fmt.Sprintf("%010x", h.Sum64()&0xffffffffff))
	}
}
