package main

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net"
	"os"
	"strings"
	"syscall"
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

// sendOptions are the flags of `maillab send`.
type sendOptions struct {
	server, from, subject, body, file string
	to                                listFlag
	user, password, starttls          string
	profile, helo                     string
	client                            *commonClient
}

// sendFlags is send's FlagSet (the help test lists its flags from here).
func sendFlags(o *sendOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	fs.StringVar(&o.server, "server", "", "the SMTP server, HOST:PORT (port 25 if none is given)")
	fs.StringVar(&o.from, "from", "", "the sender (MAIL FROM and the From: header)")
	fs.Var(&o.to, "to", "a recipient (repeat the flag, or separate with commas)")
	fs.StringVar(&o.subject, "subject", "Hello from maillab", "the Subject: header")
	fs.StringVar(&o.body, "body", "", "the message text")
	fs.StringVar(&o.file, "file", "", `read the message text from this file ("-": standard input)`)
	fs.StringVar(&o.user, "user", "", "log in with SMTP AUTH as this user")
	fs.StringVar(&o.password, "password", "", "the password for --user")
	fs.StringVar(&o.starttls, "starttls", "optional", "required, optional or off")
	fs.StringVar(&o.profile, "profile", "smtplib", "which real client to behave like: "+smtp.ProfileNames())
	fs.StringVar(&o.helo, "helo", "", "the name to send with EHLO (default: this machine's name)")
	o.client = clientFlags(fs)
	return fs
}

// cmdSend is `maillab send`.
func cmdSend(args []string, stdout, stderr io.Writer) int {
	var o sendOptions
	fs := sendFlags(&o)
	setUsage(fs, "send", cliLang(args), stderr)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	cf, to := o.client, o.to
	problem := cf.check()
	lang := cf.lang
	switch {
	case problem != "":
	case fs.NArg() > 0:
		problem = cliMsg(lang, "argUnexpected", fs.Arg(0))
	case o.server == "" || o.from == "" || len(to) == 0:
		problem = cliMsg(lang, "sendRequired")
	case o.body != "" && o.file != "":
		problem = cliMsg(lang, "bodyOrFile")
	case o.starttls != "required" && o.starttls != "optional" && o.starttls != "off":
		problem = cliMsg(lang, "starttlsValue", o.starttls)
	case o.user != "" && o.password == "":
		problem = cliMsg(lang, "userNeedsPassword")
	case strings.ContainsAny(o.from+o.subject+strings.Join(to, ""), "\r\n"):
		problem = cliMsg(lang, "headerInjection")
	}
	if problem != "" {
		fmt.Fprintf(stderr, "maillab send: %s\n", problem)
		fs.Usage()
		return exitUsage
	}
	body := o.body
	if o.file != "" {
		b, err := readFileOrStdin(o.file)
		if err != nil {
			fmt.Fprintf(stderr, "maillab send: %v\n", err)
			return exitLocal
		}
		body = string(b)
	}
	if o.helo == "" {
		o.helo, _ = os.Hostname()
	}
	sess := smtp.Session{Helo: o.helo, User: o.user, Password: o.password, StartTLS: o.starttls,
		Messages: []smtp.Envelope{{From: o.from, To: to, Message: composeMessage(o.from, to, o.subject, body, time.Now()), ID: 1}}}
	c, err := smtp.NewClient(o.profile, sess)
	if err != nil {
		fmt.Fprintf(stderr, "maillab send: %v\n", err)
		return exitUsage
	}
	nc, err := cf.dial(o.server, "25")
	if err != nil {
		fmt.Fprintf(stderr, "maillab send: %s\n", dialProblem(lang, o.server, err))
		return exitTempFail // no server now may be a server later (sendmail says the same)
	}
	native.RunClient(nc, c, cf.options("smtp", "maillab send", o.server, nc, stdout))
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
		langFlag: fs.String("lang", "", "language of the notes, the explanations and the errors: en or zh (default: the terminal's LANG)"),
	}
}

// check reads --lang into c.lang; a value that is neither en nor zh is
// the problem it returns, and the messages that follow are in English.
func (c *commonClient) check() string {
	lang, err := outputLang(*c.langFlag)
	if err != nil {
		c.lang = "en"
		return err.Error()
	}
	c.lang = lang
	return ""
}

// dial connects to HOST:PORT, or HOST and the protocol's port.
func (c *commonClient) dial(server, port string) (net.Conn, error) {
	if _, _, err := net.SplitHostPort(server); err != nil {
		server = net.JoinHostPort(server, port)
	}
	return net.DialTimeout("tcp", server, 30*time.Second)
}

// dialProblem says why server could not be reached, in lang: the usual
// reasons in plain words, anything else as Go words it.
func dialProblem(lang, server string, err error) string {
	reason := err.Error()
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		reason = textIn([2]string{"connection refused: no server listens on that address and port",
			"连接被拒绝：那个地址和端口上没有服务器在监听"}, lang)
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		reason = textIn([2]string{"the network or the host cannot be reached", "网络或主机不可达"}, lang)
	case strings.Contains(reason, "no such host"):
		reason = textIn([2]string{"no such host: the name is not in DNS (or /etc/hosts)",
			"找不到这个主机：DNS（或 /etc/hosts）中没有这个名字"}, lang)
	case errors.As(err, &ne) && ne.Timeout():
		reason = textIn([2]string{"no answer (a firewall may be dropping the connection)",
			"没有回应（可能有防火墙丢弃了连接）"}, lang)
	}
	return cliMsg(lang, "dial", server, reason)
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
