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

const fetchUsage = `usage: maillab fetch --server HOST:PORT --user NAME --password SECRET
                     [--delete] [--stls] [--out FOLDER] [--profile poplib|curl|mua]
                     [--explain] [--lang en|zh]

Reads a maildrop over real POP3 with maillab's client and prints the
dialogue, the messages included. With --out each message is also saved
as FOLDER/<number>-<uid>.eml. With --delete each message is marked with
DELE; the server removes them only when QUIT is answered (RFC 1939 §6).
--stls requires TLS (STLS) before the password is sent; the server's
certificate is checked except on loopback or with --insecure.

Exit status:
  0   the session ended with +OK to QUIT
  75  temporary failure (-ERR [IN-USE] or [SYS/TEMP], a dropped
      connection, a timeout, no server): try again later
  69  permanent failure (a wrong password, no STLS when --stls asks for it)
  2   bad flags; 1 a local error (--out cannot be written)

Flags:
`

func cmdFetch(args []string) int { return runFetch(args, os.Stdout, os.Stderr) }

// runFetch is `maillab fetch`, writing to the given streams (for tests).
func runFetch(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fetch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, fetchUsage); fs.PrintDefaults() }
	server := fs.String("server", "", "the POP3 server, HOST:PORT (port 110 if none is given)")
	user := fs.String("user", "", "the maildrop's user")
	password := fs.String("password", "", "the password")
	del := fs.Bool("delete", false, "delete the messages once read (DELE, removed at QUIT)")
	stls := fs.Bool("stls", false, "require TLS (STLS) before logging in")
	out := fs.String("out", "", "save the messages in this folder")
	profile := fs.String("profile", pop3.ProfilePoplib, "which real client to behave like: "+strings.Join(pop3.Profiles(), ", "))
	cf := clientFlags(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	problem := ""
	switch {
	case fs.NArg() > 0:
		problem = "unexpected argument " + fs.Arg(0)
	case *server == "" || *user == "" || *password == "":
		problem = "--server, --user and --password are required"
	}
	if problem == "" {
		problem = cf.check()
	}
	if problem != "" {
		fmt.Fprintf(stderr, "maillab fetch: %s\n", problem)
		fs.Usage()
		return exitUsage
	}
	job := pop3.Job{User: *user, Password: *password, Delete: *del, STLS: pop3.TLSOff}
	if *stls {
		job.STLS = pop3.TLSRequired
	}
	c, err := pop3.NewClient(*profile, job)
	if err != nil {
		fmt.Fprintf(stderr, "maillab fetch: %v\n", err)
		return exitUsage
	}
	nc, err := cf.dial(*server, "110")
	if err != nil {
		fmt.Fprintf(stderr, "maillab fetch: %v\n", err)
		return exitTempFail
	}
	native.RunClient(nc, c, cf.options("pop3", "maillab fetch", *server, nc, stdout))
	got := c.Retrieved()
	summary := map[string]string{"en": "# %d retrieved, %d deleted\n", "zh": "# 取回 %d 封，删除 %d 封\n"}[cf.lang]
	fmt.Fprintf(stdout, summary, len(got), c.Deleted())
	if *out != "" {
		if err := saveMessages(*out, got, stdout, cf.lang); err != nil {
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
