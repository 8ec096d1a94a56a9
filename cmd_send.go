package main

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"mime"
	"net"
	"os"
	"strings"
	"time"

	"maillab/sim/native"
	"maillab/sim/smtp"
	"maillab/sim/trace"
)

// Exit statuses of send and fetch, after sysexits.h, so that a script can
// tell "try again later" from "this will never work".
const (
	exitOK          = 0
	exitLocal       = 1  // a local problem: a file that cannot be read or written
	exitUsage       = 2  // bad flags (as every maillab command)
	exitUnavailable = 69 // EX_UNAVAILABLE: refused for good (5xx, -ERR [AUTH]…)
	exitTempFail    = 75 // EX_TEMPFAIL: a 4xx, a dropped connection, a timeout
)

const sendUsage = `usage: maillab send --server HOST:PORT --from ADDR --to ADDR [--to ADDR…]
                    [--subject TEXT] [--body TEXT | --file FILE]
                    [--user NAME --password SECRET] [--starttls required|optional|off]
                    [--profile smtplib|thunderbird|curl|swaks|mta|telnet] [--explain] [--lang en|zh]

Sends one message over real SMTP with maillab's client and prints the
dialogue: "C:" lines the client sent, "S:" lines the server answered.
With --explain each reply is followed by what it means.

The message gets From, To, Subject, Date and Message-ID headers; its
text is --body, or the contents of --file ("-" reads standard input).

TLS: --starttls optional (the default) uses STARTTLS when the server offers
it. The server's certificate is checked, except on a loopback address
(127.0.0.1, ::1) or with --insecure.

Exit status:
  0   every recipient accepted (the server took responsibility: 250)
  75  temporary failure (a 4xx reply, a dropped connection, a timeout,
      no server): try again later
  69  permanent failure (a 5xx reply) for at least one recipient
  2   bad flags; 1 a local error (the --file cannot be read)

Flags:
`

func cmdSend(args []string) int { return runSend(args, os.Stdout, os.Stderr) }

// runSend is `maillab send`, writing to the given streams (for tests).
func runSend(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, sendUsage); fs.PrintDefaults() }
	var to listFlag
	server := fs.String("server", "", "the SMTP server, HOST:PORT (port 25 if none is given)")
	from := fs.String("from", "", "the sender (MAIL FROM and the From: header)")
	fs.Var(&to, "to", "a recipient (repeat the flag, or separate with commas)")
	subject := fs.String("subject", "Hello from maillab", "the Subject: header")
	text := fs.String("body", "", "the message text")
	file := fs.String("file", "", `read the message text from this file ("-": standard input)`)
	user := fs.String("user", "", "log in with SMTP AUTH as this user")
	password := fs.String("password", "", "the password for --user")
	starttls := fs.String("starttls", "optional", "required, optional or off")
	profile := fs.String("profile", "smtplib", "which real client to behave like: "+smtp.ProfileNames())
	helo := fs.String("helo", "", "the name to send with EHLO (default: this machine's name)")
	cf := clientFlags(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	problem := ""
	switch {
	case fs.NArg() > 0:
		problem = "unexpected argument " + fs.Arg(0)
	case *server == "" || *from == "" || len(to) == 0:
		problem = "--server, --from and --to are required"
	case *text != "" && *file != "":
		problem = "give --body or --file, not both"
	case *starttls != "required" && *starttls != "optional" && *starttls != "off":
		problem = "--starttls " + *starttls + ": want required, optional or off"
	case *user != "" && *password == "":
		problem = "--user needs --password"
	case strings.ContainsAny(*from+*subject+strings.Join(to, ""), "\r\n"):
		problem = "a line break in --from, --to or --subject would add header lines"
	}
	if problem == "" {
		problem = cf.check()
	}
	if problem != "" {
		fmt.Fprintf(stderr, "maillab send: %s\n", problem)
		fs.Usage()
		return exitUsage
	}
	body := *text
	if *file != "" {
		b, err := readFileOrStdin(*file)
		if err != nil {
			fmt.Fprintf(stderr, "maillab send: %v\n", err)
			return exitLocal
		}
		body = string(b)
	}
	if *helo == "" {
		*helo, _ = os.Hostname()
	}
	sess := smtp.Session{Helo: *helo, User: *user, Password: *password, StartTLS: *starttls,
		Messages: []smtp.Envelope{{From: *from, To: to, Message: composeMessage(*from, to, *subject, body, time.Now()), ID: 1}}}
	c, err := smtp.NewClient(*profile, sess)
	if err != nil {
		fmt.Fprintf(stderr, "maillab send: %v\n", err)
		return exitUsage
	}
	nc, err := cf.dial(*server, "25")
	if err != nil {
		fmt.Fprintf(stderr, "maillab send: %v\n", err)
		return exitTempFail // no server now may be a server later (sendmail says the same)
	}
	native.RunClient(nc, c, cf.options("smtp", "maillab send", *server, nc, stdout))
	return sendResults(stdout, c.Results(), cf.lang)
}

// sendResults prints what happened to each recipient and picks the exit status.
func sendResults(w io.Writer, results []smtp.Result, lang string) int {
	status := exitOK
	words := map[string]map[smtp.Outcome]string{
		"en": {smtp.Accepted: "accepted", smtp.Deferred: "deferred (temporary failure: try again later)", smtp.Failed: "failed (permanent)"},
		"zh": {smtp.Accepted: "已接受", smtp.Deferred: "暂缓（临时失败：稍后重试）", smtp.Failed: "失败（永久）"},
	}[lang]
	for _, r := range results {
		word, ok := words[r.Outcome]
		if !ok {
			word, r.Outcome = words[smtp.Deferred], smtp.Deferred // never decided: the session ended first
		}
		fmt.Fprintf(w, "# %s: %s — %s\n", r.Rcpt, word, r.Reply)
		switch {
		case r.Outcome == smtp.Failed:
			status = exitUnavailable
		case r.Outcome == smtp.Deferred && status == exitOK:
			status = exitTempFail
		}
	}
	return status
}

// composeMessage builds an RFC 5322 message with LF line ends (the client
// sends CRLF). A non-ASCII subject is encoded as RFC 2047 says.
func composeMessage(from string, to []string, subject, body string, now time.Time) []byte {
	var id [8]byte
	rand.Read(id[:])
	domain := "maillab.invalid"
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		domain = from[i+1:]
	}
	cte := "7bit"
	for i := 0; i < len(body); i++ {
		if body[i] >= 0x80 {
			cte = "8bit"
			break
		}
	}
	body = strings.ReplaceAll(body, "\r\n", "\n")
	if body != "" && !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	h := "From: " + from + "\n" +
		"To: " + strings.Join(to, ", ") + "\n" +
		"Subject: " + mime.QEncoding.Encode("utf-8", subject) + "\n" +
		"Date: " + now.Format(smtp.DateFormat) + "\n" +
		"Message-ID: <" + hex.EncodeToString(id[:]) + "@" + domain + ">\n" +
		"MIME-Version: 1.0\n" +
		"Content-Type: text/plain; charset=utf-8\n" +
		"Content-Transfer-Encoding: " + cte + "\n\n"
	return []byte(h + body)
}

func readFileOrStdin(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(name)
}

// listFlag collects a repeated flag; commas separate values too.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, a := range strings.Split(v, ",") {
		if a = strings.TrimSpace(a); a != "" {
			*l = append(*l, a)
		}
	}
	return nil
}

// commonClient holds the flags send and fetch share.
type commonClient struct {
	explain  *bool
	states   *bool
	insecure *bool
	timeout  *time.Duration
	lang     string
	langFlag *string
}

func clientFlags(fs *flag.FlagSet) *commonClient {
	return &commonClient{
		explain:  fs.Bool("explain", false, "explain every reply"),
		states:   fs.Bool("states", true, "show the client's state changes"),
		insecure: fs.Bool("insecure", false, "do not check the server's TLS certificate (always skipped on loopback)"),
		timeout:  fs.Duration("timeout", 0, "how long to wait for each reply (default: the RFC minimums, minutes)"),
		langFlag: fs.String("lang", "en", "language of the explanations: en or zh"),
	}
}

func (c *commonClient) check() string {
	c.lang = *c.langFlag
	if c.lang != "en" && c.lang != "zh" {
		return "--lang " + c.lang + ": want en or zh"
	}
	return ""
}

// dial connects to HOST:PORT, or HOST and the protocol's port.
func (c *commonClient) dial(server, port string) (net.Conn, error) {
	if _, _, err := net.SplitHostPort(server); err != nil {
		server = net.JoinHostPort(server, port)
	}
	return net.DialTimeout("tcp", server, 30*time.Second)
}

// options sets up RunClient to print each step as it happens.
func (c *commonClient) options(proto, client, server string, nc net.Conn, w io.Writer) native.ClientOptions {
	host, _, _ := net.SplitHostPort(server)
	if host == "" {
		host = server
	}
	conf := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	// A loopback server is this machine's own, typically maillab's
	// self-signed certificate: checking it would only get in the way.
	conf.InsecureSkipVerify = *c.insecure || native.Loopback(nc.RemoteAddr())
	return native.ClientOptions{Proto: proto, Client: client, Server: server, TLS: conf, Timeout: *c.timeout,
		OnStep: func(st trace.Step) {
			if st.Kind == trace.State && !*c.states {
				return
			}
			fmt.Fprintln(w, st.TranscriptLine())
			if *c.explain && st.Kind == trace.Reply && !st.More {
				writeExplanation(w, st, c.lang)
			}
		}}
}
