package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"maillab/sim/native"
	"maillab/sim/pop3"
)

// fetchOptions are the flags of `maillab fetch`.
type fetchOptions struct {
	server, user, password string
	del, stls              bool
	out, profile           string
	client                 *commonClient
}

// fetchFlags is fetch's FlagSet (the help test lists its flags from here).
func fetchFlags(o *fetchOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("fetch", flag.ContinueOnError)
	fs.StringVar(&o.server, "server", "", "the POP3 server, HOST:PORT (port 110 if none is given)")
	fs.StringVar(&o.user, "user", "", "the maildrop's user")
	fs.StringVar(&o.password, "password", "", "the password")
	fs.BoolVar(&o.del, "delete", false, "delete the messages once read (DELE, removed at QUIT)")
	fs.BoolVar(&o.stls, "stls", false, "require TLS (STLS) before logging in")
	fs.StringVar(&o.out, "out", "", "save the messages in this folder")
	fs.StringVar(&o.profile, "profile", pop3.ProfilePoplib, "which real client to behave like: "+strings.Join(pop3.Profiles(), ", "))
	o.client = clientFlags(fs)
	return fs
}

// cmdFetch is `maillab fetch`.
func cmdFetch(args []string, stdout, stderr io.Writer) int {
	var o fetchOptions
	fs := fetchFlags(&o)
	setUsage(fs, "fetch", cliLang(args), stderr)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	cf := o.client
	problem := cf.check()
	lang := cf.lang
	switch {
	case problem != "":
	case fs.NArg() > 0:
		problem = cliMsg(lang, "argUnexpected", fs.Arg(0))
	case o.server == "" || o.user == "" || o.password == "":
		problem = cliMsg(lang, "fetchRequired")
	}
	if problem != "" {
		fmt.Fprintf(stderr, "maillab fetch: %s\n", problem)
		fs.Usage()
		return exitUsage
	}
	job := pop3.Job{User: o.user, Password: o.password, Delete: o.del, STLS: pop3.TLSOff}
	if o.stls {
		job.STLS = pop3.TLSRequired
	}
	c, err := pop3.NewClient(o.profile, job)
	if err != nil {
		fmt.Fprintf(stderr, "maillab fetch: %v\n", err)
		return exitUsage
	}
	nc, err := cf.dial(o.server, "110")
	if err != nil {
		fmt.Fprintf(stderr, "maillab fetch: %s\n", dialProblem(lang, o.server, err))
		return exitTempFail
	}
	native.RunClient(nc, c, cf.options("pop3", "maillab fetch", o.server, nc, stdout))
	got := c.Retrieved()
	summary := map[string]string{"en": "# %d retrieved, %d deleted\n", "zh": "# 取回 %d 封，删除 %d 封\n"}[cf.lang]
	fmt.Fprintf(stdout, summary, len(got), c.Deleted())
	if o.out != "" {
		if err := saveMessages(o.out, got, stdout, cf.lang); err != nil {
			fmt.Fprintf(stderr, "maillab fetch: %v\n", err)
			return exitLocal
		}
	}
	return fetchStatus(c.Err())
}

// fetchStatus maps how the session ended to an exit status.
func fetchStatus(err error) int {
	var perr *pop3.Error
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, pop3.ErrLost), errors.Is(err, pop3.ErrTimeout):
		return exitTempFail
	case errors.As(err, &perr):
		// RFC 2449 §8 and RFC 3206: these codes mean "not now", the rest
		// (a wrong password, [AUTH], [SYS/PERM]) will not fix themselves.
		switch code := strings.ToUpper(perr.RespCode()); {
		case code == "IN-USE", code == "LOGIN-DELAY", strings.HasPrefix(code, "SYS/TEMP"):
			return exitTempFail
		}
	}
	return exitUnavailable
}

// saveMessages writes each message as FOLDER/<number>-<uid>.eml. A UID
// comes from the server, so only safe characters of it reach a file name.
func saveMessages(dir string, msgs []pop3.Retrieved, w io.Writer, lang string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for _, m := range msgs {
		name := strconv.Itoa(m.Number)
		if uid := safeName(m.UID); uid != "" {
			name += "-" + uid
		}
		path := filepath.Join(dir, name+".eml")
		if err := os.WriteFile(path, m.Message, 0o600); err != nil {
			return err
		}
		fmt.Fprintf(w, map[string]string{"en": "# saved %s\n", "zh": "# 已保存 %s\n"}[lang], path)
	}
	return nil
}

// safeName keeps letters, digits, '.', '_' and '-' (no leading dot): a
// UID of "../../x" must not leave the folder.
func safeName(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
			b = append(b, c)
		case c == '.' && len(b) > 0:
			b = append(b, c)
		}
	}
	if len(b) > 80 {
		b = b[:80]
	}
	return string(b)
}
