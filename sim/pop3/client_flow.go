package pop3

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"maillab/sim/machine"
	"maillab/sim/trace"
)

// The client's dialogue, one handler per kind of response. Where the
// profiles differ, the comment says what the real program does
// (PROTOCOL.md §3.2, §3.4 and shared/wire/).

func (c *Client) onGreeting(line string, ok bool) {
	if !ok {
		// poplib: POP3() raises error_proto; curl closes at once, no QUIT (exit 8).
		c.note(c.says("greeting"))
		c.setState(CFailed).Action = machine.CloseConn
		return
	}
	if open := strings.LastIndexByte(line, '<'); open >= 0 {
		if end := strings.IndexByte(line[open:], '>'); end > 0 {
			c.timestamp = line[open : open+end+1]
		}
	}
	if c.profile == ProfileCurl {
		c.note("curl runs one URL per connection (pop3://host/ lists, pop3://host/1 fetches message 1, -X DELE deletes); the lab folds them into one session")
	}
	if c.profile == ProfilePoplib && c.job.STLS == TLSOff {
		c.setState(CLogin)
		c.login()
		return
	}
	// curl and mail programs ask first; poplib only because stls() does.
	c.setState(CCapa)
	c.send("CAPA", "CAPA")
}

func (c *Client) onCapa(ok bool, body []string) {
	if ok {
		c.caps = map[string]string{}
		for _, l := range body {
			tag, args, _ := strings.Cut(l, " ")
			c.caps[upperASCII(tag)] = args
		}
	}
	_, stls := c.caps["STLS"]
	switch {
	case c.job.STLS != TLSOff && !c.tls && stls:
		c.setState(CSTLS)
		c.send("STLS", "STLS")
	case c.job.STLS == TLSRequired && !c.tls:
		if c.err == nil {
			c.err = ErrNoTLS
		}
		c.note(c.says("no-stls"))
		c.giveUpOrQuit()
	default:
		// No CAPA is no failure: the client logs in without knowing the
		// extensions (RFC 2449 §5), as poplib's script does when it only
		// tried stls() because TLS was optional.
		c.err = nil
		c.setState(CLogin)
		c.login()
	}
}

func (c *Client) onSTLS(line string, ok bool) {
	switch {
	case ok:
		c.add(trace.Step{Kind: trace.Note, Proto: proto, ClientState: c.state, RFC: "RFC 2595 §4",
			Text: "the client starts the TLS handshake; it sends nothing until it is done"}).Action = machine.StartTLS
	case c.job.STLS == TLSRequired:
		c.note(c.says("stls-refused"))
		c.giveUpOrQuit()
	default:
		c.err = nil
		c.note("STLS was refused; TLS is optional for this job, so the client goes on in plaintext")
		c.setState(CLogin)
		c.login()
	}
}

// login picks the mechanism. curl: SASL (PLAIN is all it can use here) >
// APOP when the greeting has a timestamp > USER/PASS (PROTOCOL.md §3.4).
// poplib's login is user()/pass_(); a mail program's default is USER/PASS.
func (c *Client) login() {
	if c.profile == ProfileCurl {
		if slices.Contains(strings.Fields(upperASCII(c.caps["SASL"])), "PLAIN") {
			c.send("AUTH", "AUTH PLAIN") // no initial response without --sasl-ir
			return
		}
		if c.timestamp != "" {
			sum := md5.Sum([]byte(c.timestamp + c.job.Password))
			c.send("APOP", "APOP "+c.job.User+" "+hex.EncodeToString(sum[:]))
			return
		}
	}
	c.send("USER", "USER "+c.job.User)
}

func (c *Client) onLogin(verb, line, status string) {
	switch {
	case verb == "USER" && status == "+OK":
		c.send("PASS", "PASS "+c.job.Password)
	case verb == "AUTH" && status == "+":
		c.send("AUTH", base64.StdEncoding.EncodeToString([]byte("\x00"+c.job.User+"\x00"+c.job.Password)))
	case status == "+OK":
		c.setState(CSurvey)
		c.survey()
	default:
		if _, code := statusOf(line); code == "IN-USE" {
			c.note("the maildrop is locked by another session ([IN-USE], RFC 2449 §8.1.2): the password was right, try again later")
		}
		c.note(c.says("login-failed"))
		c.giveUpOrQuit()
	}
}

// survey asks what is in the maildrop.
func (c *Client) survey() {
	switch c.profile {
	case ProfilePoplib:
		c.send("STAT", "STAT")
	case ProfileCurl:
		c.send("LIST", "LIST")
	default:
		c.send("UIDL", "UIDL")
	}
}

func (c *Client) onSurvey(verb, line string, ok bool, body []string) {
	if !ok {
		c.note(c.says("failed"))
		c.giveUpOrQuit()
		return
	}
	if verb == "STAT" {
		c.send("LIST", "LIST")
		return
	}
	for _, l := range body {
		num, val, _ := strings.Cut(l, " ")
		n, err := strconv.Atoi(num)
		if err != nil {
			continue
		}
		if verb == "UIDL" {
			c.uids[n] = val
			if slices.Contains(c.job.Seen, val) {
				c.note("message " + num + " (uid " + val + ") was downloaded in an earlier session: skipped (UIDL, RFC 1939 §7)")
				continue
			}
		}
		c.queue = append(c.queue, n)
	}
	c.fetchNext()
}

// fetchNext retrieves the next queued message, or logs out.
func (c *Client) fetchNext() {
	if len(c.queue) == 0 {
		c.quit()
		return
	}
	c.current, c.queue = c.queue[0], c.queue[1:]
	c.setState(CFetch)
	c.send("RETR", "RETR "+strconv.Itoa(c.current))
}

func (c *Client) onFetch(verb, line string, ok bool, body []string) {
	n := strconv.Itoa(c.current)
	switch {
	case ok && verb == "RETR":
		var msg []byte
		for _, l := range body {
			msg = append(msg, l...)
			msg = append(msg, '\n')
		}
		c.retrieved = append(c.retrieved, Retrieved{Number: c.current, UID: c.uids[c.current], Size: c.bodySize, Message: msg})
		if c.job.Delete {
			c.send("DELE", "DELE "+n)
			return
		}
		if c.profile == ProfileMUA {
			c.note("message " + n + " is kept on the server (leave messages on server)")
		}
		c.fetchNext()
	case ok:
		c.marked++
		c.fetchNext()
	case c.profile == ProfileMUA:
		c.err = nil
		c.note("the mail program reports " + verb + " " + n + " failed and goes on with the next message")
		c.fetchNext()
	default:
		c.note(c.says("failed"))
		c.giveUpOrQuit()
	}
}

func (c *Client) quit() {
	c.setState(CQuit)
	c.send("QUIT", "QUIT")
}

func (c *Client) onQuit(ok bool) {
	if !ok {
		c.note("the server could not remove every marked message (RFC 1939 §6)")
		c.setState(CFailed).Action = machine.CloseConn
		return
	}
	c.deleted = c.marked
	c.setState(CDone).Action = machine.CloseConn
}

// giveUpOrQuit ends a session that failed.
//
// poplib: a script that does not catch error_proto just ends; Python closes
// the socket and no QUIT is sent (the QUIT in
// wire/pop3_bad_password_and_lock.txt is there only because that script
// caught the error and called quit()).
//
// curl: greeting, CAPA, STLS and login all belong to curl's connect phase,
// and a failure there closes the connection without QUIT, as observed for
// a refused greeting and for --ssl-reqd without STLS (PROTOCOL.md §3.3,
// §3.4). A failure after login (LIST, RETR, DELE) ends with QUIT, as
// curl's SMTP transfer does after MAIL 451.
//
// A mail program logs out politely with QUIT.
func (c *Client) giveUpOrQuit() {
	connectPhase := c.state == CGreeting || c.state == CCapa || c.state == CSTLS || c.state == CLogin
	if c.profile == ProfilePoplib || (c.profile == ProfileCurl && connectPhase) {
		c.setState(CFailed).Action = machine.CloseConn
		return
	}
	c.quit()
}

// says is what each profile does or prints in a situation, for the notes.
func (c *Client) says(situation string) string {
	reply := ""
	if e, ok := c.err.(*Error); ok {
		reply = e.Reply
	}
	switch c.profile {
	case ProfilePoplib:
		switch situation {
		case "timeout":
			return "poplib raises TimeoutError (socket timeout) and the script stops"
		case "lost":
			return "poplib raises error_proto('-ERR EOF') and the script stops"
		case "no-stls":
			return "poplib's stls() raises error_proto('-ERR STLS not supported by server') and the script stops"
		}
		return "poplib raises error_proto('" + reply + "') and the script stops; the socket is closed without QUIT"
	case ProfileCurl:
		switch situation {
		case "timeout":
			return "curl gives up: operation timed out (exit 28)"
		case "lost":
			return "curl stops: the server closed the connection"
		case "greeting":
			return "curl closes the connection without QUIT: the server refused service"
		case "no-stls", "stls-refused":
			return "curl --ssl-reqd and no TLS: curl closes the connection (exit 64)"
		case "login-failed":
			return "curl: login denied (exit 67); it tries no other method and closes without QUIT"
		}
		return "curl reports the error and logs out"
	}
	switch situation {
	case "timeout":
		return "the mail program gives up waiting and shows a connection error"
	case "lost":
		return "the mail program shows that the connection was lost"
	case "greeting":
		return "the mail program shows the server's refusal and closes the connection"
	case "no-stls", "stls-refused":
		return "the account requires TLS and the server offers no STLS: the mail program will not send the password"
	case "login-failed":
		return "the mail program shows the server's message, logs out and asks the user for the password again"
	}
	return "the mail program shows the error and logs out"
}
