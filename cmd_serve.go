package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// serveOptions are the flags of `maillab serve`.
type serveOptions struct {
	HTTP    string // the page
	Lessons string // a course folder to serve instead of the built-in one
	// out and log are where serve's messages and its log lines go (nil =
	// standard output and standard error).
	out, log io.Writer

	// Native mode (real TCP servers); empty = off.
	SMTP, POP3   string
	SMTPS, POP3S string // implicit TLS (465, 995), optional
	Maildir      string
	Config       string
	TLSCert      string
	TLSKey       string
	FaultToken   string // lets the fault endpoint answer off loopback
	ShowSecrets  bool   // the Live tab shows passwords as sent (trace.MaskSecrets otherwise)
	Lang         string // of what serve prints: "en" or "zh" (outputLang of the --lang value)

	// Limits of native mode (0 = the defaults of native.Limits and
	// native.ThrottleConfig).
	MaxConns     int
	SMTPTimeout  time.Duration
	POP3Timeout  time.Duration
	AuthFailures int           // failed logins from one address before it is refused; <0 = never
	AuthBlock    time.Duration // how long it is refused
}

// serveFlags is serve's FlagSet (the help test lists its flags from here).
// --lang goes to o.Lang as given; cmdServe resolves it with outputLang.
func serveFlags(o *serveOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&o.HTTP, "http", "127.0.0.1:8080", "address for the page")
	fs.StringVar(&o.Lessons, "lessons", "", "serve the lessons in this folder (reloaded when a file changes)")
	fs.StringVar(&o.SMTP, "smtp", "", "run a real SMTP server on this address (e.g. 127.0.0.1:2525)")
	fs.StringVar(&o.POP3, "pop3", "", "run a real POP3 server on this address (e.g. 127.0.0.1:1110)")
	fs.StringVar(&o.SMTPS, "smtps", "", "SMTP with implicit TLS on this address (e.g. 127.0.0.1:4465)")
	fs.StringVar(&o.POP3S, "pop3s", "", "POP3 with implicit TLS on this address (e.g. 127.0.0.1:9995)")
	fs.StringVar(&o.Maildir, "maildir", "", "keep mail in Maildirs under this folder")
	fs.StringVar(&o.Config, "config", "", "server configuration (YAML, the keys of a scenario's servers entry plus faults)")
	fs.StringVar(&o.TLSCert, "tls-cert", "", "TLS certificate (PEM); default: a self-signed one kept in the data folder")
	fs.StringVar(&o.TLSKey, "tls-key", "", "TLS key (PEM)")
	fs.StringVar(&o.FaultToken, "fault-token", "", "allow fault injection from other hosts with this token")
	fs.BoolVar(&o.ShowSecrets, "show-secrets", false, "show passwords (AUTH, PASS) as sent in the Live tab instead of masking them")
	fs.IntVar(&o.MaxConns, "max-conns", 0, "sessions served at once per protocol; more get 421 4.7.0 (default 100)")
	fs.DurationVar(&o.SMTPTimeout, "smtp-timeout", 0, "SMTP: close a client silent this long with 421 4.4.2 (default 5m, RFC 5321 §4.5.3.2.7)")
	fs.DurationVar(&o.POP3Timeout, "pop3-timeout", 0, "POP3: autologout after this long without a command (default 10m, RFC 1939 §3)")
	fs.IntVar(&o.AuthFailures, "auth-max-failures", 0, "failed logins from one address before it is refused for --auth-block (default 10; -1 = never)")
	fs.DurationVar(&o.AuthBlock, "auth-block", 0, "how long an address that failed too many logins is refused (default 15m)")
	fs.StringVar(&o.Lang, "lang", "", "language of what serve prints: en or zh (default: the terminal's LANG)")
	return fs
}

func cmdServe(args []string, stdout, stderr io.Writer) int {
	o := serveOptions{out: stdout, log: stderr}
	fs := serveFlags(&o)
	setUsage(fs, "serve", cliLang(args), stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var err error
	if o.Lang, err = outputLang(o.Lang); err != nil {
		fmt.Fprintf(stderr, "maillab serve: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	live, err := startNativeTo(ctx, o, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "maillab serve: %s\n", listenProblem(o.Lang, err))
		return 1
	}
	h, err := httpHandler(o, live)
	if err != nil {
		fmt.Fprintf(stderr, "maillab serve: %s\n", listenProblem(o.Lang, err))
		return 1
	}
	ln, err := net.Listen("tcp", o.HTTP)
	if err != nil {
		fmt.Fprintf(stderr, "maillab serve: %s\n", listenProblem(o.Lang, err))
		return 1
	}
	warnIfExposed(stderr, o.Lang, serveMsg(o.Lang, "page"), ln.Addr())
	fmt.Fprintln(stdout, serveMsg(o.Lang, "labAt", ln.Addr()))
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "maillab serve: %s\n", listenProblem(o.Lang, err))
		return 1
	}
	return 0
}

// warnIfExposed says so when a listener is reachable from other machines.
func warnIfExposed(w io.Writer, lang, what string, addr net.Addr) {
	if w == nil {
		w = os.Stderr
	}
	if ta, ok := addr.(*net.TCPAddr); ok && !ta.IP.IsLoopback() {
		fmt.Fprintln(w, serveMsg(lang, "exposed", what, addr))
	}
}
