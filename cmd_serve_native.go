package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"maillab/sim/fault"
	"maillab/sim/mailstore"
	"maillab/sim/native"
)

// nativeRuntime is what native mode gives the page; nil when serve runs
// without --smtp, --pop3, --smtps and --pop3s.
//
//	live.Hub.Sessions()          live and recent sessions (native.Info), oldest first
//	live.Hub.Trace(id)           one session as a trace.Trace (a copy)
//	sub := live.Hub.Subscribe(n) every new step and log line (native.Update) on sub.C;
//	defer sub.Close()            a subscriber that falls behind is dropped: sub.C closes
//	                             and sub.Dropped() is true; reload and subscribe again
//	live.Faults.List/Add/Remove  the rules every live session consults
type nativeRuntime struct {
	Hub       *native.Hub
	Faults    *fault.Rules
	Hostname  string
	Listeners []native.Listener
	DataDir   string // the certificate and, without --maildir, the mail
	Maildir   string
	// ShowSecrets (serve --show-secrets) lets the live view show the
	// passwords in AUTH and PASS lines as sent; they are masked otherwise.
	ShowSecrets bool
	lab         *native.Lab
	// stopped is closed when serve stops: the live event streams end then,
	// or the HTTP server's shutdown would wait for them.
	stopped <-chan struct{}
}

// startNativeTo starts the real SMTP and POP3 servers the flags ask for
// and stops them when ctx ends. It prints where everything is on stdout.
func startNativeTo(ctx context.Context, o serveOptions, stdout io.Writer) (*nativeRuntime, error) {
	if o.SMTP == "" && o.POP3 == "" && o.SMTPS == "" && o.POP3S == "" {
		return nil, nil
	}
	cfg, err := loadNativeConfig(o.Config)
	if err != nil {
		return nil, err
	}
	generated, err := cfg.AddDefaultUsers()
	if err != nil {
		return nil, err
	}
	smtpCfg := cfg.SMTPConfig().WithDefaults()
	rules, err := cfg.Rules()
	if err != nil {
		return nil, err
	}
	dataDir, err := nativeDataDir()
	if err != nil {
		return nil, err
	}
	maildir := o.Maildir
	if maildir == "" {
		maildir = filepath.Join(dataDir, "Maildir")
	}
	store, err := mailstore.NewMaildir(maildir)
	if err != nil {
		return nil, fmt.Errorf("maildir: %w", err)
	}
	certNote := o.TLSCert
	var setup native.Setup
	if o.TLSCert != "" || o.TLSKey != "" {
		cert, err := native.LoadCertificate(o.TLSCert, o.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("tls: %w", err)
		}
		setup.TLS = native.ServerTLS(cert)
	} else {
		tlsDir := filepath.Join(dataDir, "tls")
		cert, created, err := native.Certificate(tlsDir, smtpCfg.Hostname)
		if err != nil {
			return nil, fmt.Errorf("tls certificate: %w", err)
		}
		setup.TLS = native.ServerTLS(cert)
		certNote = filepath.Join(tlsDir, native.CertFile) + serveMsg(o.Lang, map[bool]string{true: "certNew", false: "cert"}[created])
	}
	setup.SMTP, setup.APOP, setup.Store, setup.Faults = smtpCfg, bool(cfg.APOP), store, rules
	setup.Limits = native.Limits{MaxConns: o.MaxConns, SMTPTimeout: o.SMTPTimeout, POP3Timeout: o.POP3Timeout}
	setup.Throttle = native.NewThrottle(native.ThrottleConfig{Refuse: o.AuthFailures, Window: o.AuthBlock})
	addrs := native.Addrs{SMTP: loopbackDefault(o.SMTP), POP3: loopbackDefault(o.POP3), SMTPS: loopbackDefault(o.SMTPS), POP3S: loopbackDefault(o.POP3S)}
	lab, err := native.Start(setup, addrs)
	if err != nil {
		return nil, err
	}
	go func() {
		<-ctx.Done()
		lab.Close()
	}()
	rt := &nativeRuntime{Hub: lab.Hub, Faults: lab.Faults, Hostname: smtpCfg.Hostname, Listeners: lab.Listeners,
		DataDir: dataDir, Maildir: maildir, ShowSecrets: o.ShowSecrets, lab: lab, stopped: ctx.Done()}
	for _, l := range lab.Listeners {
		warnIfExposed(o.log, o.Lang, exposedWhat(o.Lang, l), l.Addr)
	}
	printNativeBanner(stdout, o.Lang, rt, cfg, generated, certNote, o.Config)
	return rt, nil
}

// loopbackDefault gives an address without a host ("2525", ":2525") the
// loopback host: Go would listen on every interface for ":2525", and a mail
// server a student starts for a lesson must not be reachable from the
// network unless they say so with an explicit host (0.0.0.0:2525).
func loopbackDefault(addr string) string {
	if addr == "" {
		return ""
	}
	if !strings.Contains(addr, ":") {
		return net.JoinHostPort("127.0.0.1", addr)
	}
	if host, port, err := net.SplitHostPort(addr); err == nil && host == "" {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return addr
}

// loadNativeConfig reads --config, or gives every default.
func loadNativeConfig(name string) (*native.Config, error) {
	if name == "" {
		return &native.Config{}, nil
	}
	src, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return native.ParseConfig(name, src)
}

// nativeDataDir is where native mode keeps its certificate and, unless
// --maildir says otherwise, the mail: the user's data folder
// ($XDG_DATA_HOME or ~/.local/share on Unix), so that mail survives a
// restart; a temporary folder if there is no home.
func nativeDataDir() (string, error) {
	var base string
	switch {
	case os.Getenv("XDG_DATA_HOME") != "":
		base = os.Getenv("XDG_DATA_HOME")
	case runtime.GOOS == "windows" || runtime.GOOS == "darwin":
		base, _ = os.UserConfigDir() // %AppData%, ~/Library/Application Support
	default:
		if home, err := os.UserHomeDir(); err == nil {
			base = filepath.Join(home, ".local", "share")
		}
	}
	if base == "" {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "maillab")
	return dir, os.MkdirAll(dir, 0o700)
}

// exposedWhat says what a listener reachable from other machines exposes.
func exposedWhat(lang string, l native.Listener) string {
	switch {
	case l.Proto == "smtp" && l.TLS:
		return serveMsg(lang, "smtps")
	case l.Proto == "smtp":
		return serveMsg(lang, "smtpX")
	case l.TLS:
		return serveMsg(lang, "pop3s")
	}
	return serveMsg(lang, "pop3X")
}

// printNativeBanner tells the person who started serve where everything is,
// with the passwords and two Python scripts that work as printed.
func printNativeBanner(w io.Writer, lang string, rt *nativeRuntime, cfg *native.Config, generated []string, certNote, configName string) {
	smtpCfg := cfg.SMTPConfig().WithDefaults()
	fmt.Fprintln(w, serveMsg(lang, "native", smtpCfg.Hostname, strings.Join(smtpCfg.MyDestination, ", ")))
	for _, l := range rt.Listeners {
		name := strings.ToUpper(l.Proto)
		how := serveMsg(lang, map[string]string{"smtp": "starttls", "pop3": "stls"}[l.Proto])
		if l.TLS {
			name += "S"
			how = serveMsg(lang, "implicit")
		}
		if !l.TLS {
			how += serveMsg(lang, "plaintext")
		}
		fmt.Fprintln(w, serveMsg(lang, "listener", name, l.Addr, how))
	}
	fmt.Fprintf(w, "  %s %s\n", serveMsg(lang, "lData"), rt.DataDir)
	fmt.Fprintf(w, "  %s %s\n", serveMsg(lang, "lMail"), serveMsg(lang, "mail", rt.Maildir))
	fmt.Fprintf(w, "  TLS    %s\n", certNote)
	if configName != "" {
		fmt.Fprintf(w, "  %s %s\n", serveMsg(lang, "lConfig"), serveMsg(lang, "config", configName, len(cfg.Faults)))
	}
	users := slices.Sorted(maps.Keys(smtpCfg.Users))
	if len(generated) > 0 {
		fmt.Fprintln(w, serveMsg(lang, "usersMade"))
	} else {
		fmt.Fprintln(w, serveMsg(lang, "users"))
	}
	domain := smtpCfg.MyDestination[0]
	for _, u := range users {
		fmt.Fprintf(w, "    %-10s %s %-14s %s@%s\n", u, serveMsg(lang, "password"), smtpCfg.Users[u], u, domain)
	}
	fmt.Fprintln(w, serveMsg(lang, "noRelay"))
	if len(users) == 0 {
		return
	}
	sender, reader := users[0], users[len(users)-1]
	s := native.Snippet{Login: smtpCfg.Auth != "off", Sender: sender, SenderPassword: smtpCfg.Users[sender],
		From: sender + "@" + domain, To: reader + "@" + domain, Reader: reader, ReaderPassword: smtpCfg.Users[reader]}
	for _, l := range rt.Listeners {
		if !l.TLS && l.Proto == "smtp" {
			s.SMTP = l.Addr
		}
		if !l.TLS && l.Proto == "pop3" {
			s.POP3 = l.Addr
		}
	}
	if s.SMTP != nil {
		// Not indented: the lines must run as pasted into python3.
		fmt.Fprint(w, serveMsg(lang, "send", reader)+s.Send())
	}
	if s.POP3 != nil {
		fmt.Fprint(w, serveMsg(lang, "fetch", reader)+s.Fetch())
	}
	fmt.Fprintln(w)
}
