package pop3

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"maillab/sim/machine"
)

// pump wires a client and a server together in memory: it moves the bytes
// each one sends to the other, runs the TLS handshake when both asked for
// it, and turns a close on one side into Lost on the other. It is the
// smallest driver the machine contract allows, and it records the
// transcript as it goes.
type pump struct {
	t       *testing.T
	profile string
	srv     *Server
	cli     *Client
	now     time.Time
	r       renderer
	out     []string

	toClient, toServer   []byte
	srvClosed, cliClosed bool
	srvTLS, cliTLS       bool
	hung                 bool
}

func newPump(t *testing.T, profile string, cfg Config, job Job) *pump {
	t.Helper()
	cli, err := NewClient(profile, job)
	if err != nil {
		t.Fatal(err)
	}
	return &pump{t: t, profile: profile, srv: NewServer(cfg), cli: cli, now: start}
}

func (p *pump) server(evs []machine.Event) {
	for _, e := range evs {
		checkServerEvent(p.t, "pump server", e)
		p.out = append(p.out, p.r.render("server ", e, false)...)
		if e.Sends() {
			p.toClient = append(p.toClient, e.Step.Text+"\r\n"...)
		}
		switch e.Action {
		case machine.CloseConn:
			p.srvClosed = true
		case machine.StartTLS:
			p.srvTLS = true
		case machine.Hang:
			p.hung = true
		case machine.Wait:
			p.now = p.now.Add(e.Delay)
		}
	}
}

func (p *pump) client(evs []machine.Event) {
	for _, e := range evs {
		checkClientEvent(p.t, p.profile, e)
		p.out = append(p.out, p.r.render("client ", e, false)...)
		if e.Sends() {
			p.toServer = append(p.toServer, e.Step.Text+"\r\n"...)
		}
		switch e.Action {
		case machine.CloseConn:
			p.cliClosed = true
		case machine.StartTLS:
			p.cliTLS = true
		}
	}
}

// run plays the whole session. Bytes already written are delivered before
// a close is noticed, as TCP does.
func (p *pump) run() {
	p.server(p.srv.Start(p.now))
	for i := 0; i < 10000; i++ {
		switch {
		case len(p.toClient) > 0 && !p.cliClosed:
			b := p.toClient
			p.toClient = nil
			p.client(p.cli.Feed(p.now, b))
		case len(p.toServer) > 0 && !p.srvClosed:
			b := p.toServer
			p.toServer = nil
			p.server(p.srv.Feed(p.now, b))
		case p.srvTLS && p.cliTLS:
			p.srvTLS, p.cliTLS = false, false
			p.out = append(p.out, "[tls] handshake done")
			p.server(p.srv.TLSReady(p.now))
			p.client(p.cli.TLSReady(p.now))
		case p.cliClosed && !p.srvClosed:
			p.srvClosed = true
			p.server(p.srv.Lost(p.now))
		case p.srvClosed && !p.cliClosed:
			p.cliClosed = true
			p.client(p.cli.Lost(p.now, false))
		case p.hung && !p.cliClosed:
			p.now = p.now.Add(10 * time.Minute) // the client's timer runs out
			p.client(p.cli.Lost(p.now, true))
		default:
			return
		}
	}
	p.t.Fatal("pump: the session does not end")
}

// runPump plays a -- client -- section against the archive's server and
// returns the transcript with the client's results and the maildrops.
func runPump(t *testing.T, ar *txtar.Archive) []byte {
	w := newWorld(t, ar)
	profile := ProfilePoplib
	job := Job{User: "bob", Password: "secret"}
	var show []string
	for _, line := range strings.Split(string(findSection(ar, "client").Data), "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch key {
		case "profile":
			profile = val
		case "user":
			job.User = val
		case "password":
			job.Password = val
		case "delete":
			job.Delete = val == "true"
		case "stls":
			job.STLS = val
		case "seen":
			job.Seen = strings.Fields(val)
		case "show":
			show = strings.Fields(val) // maildrops to show at the end
		default:
			t.Fatalf("client: unknown key %q", key)
		}
	}
	cfg := w.cfg
	cfg.Conn = 1
	p := newPump(t, profile, cfg, job)
	p.run()
	for _, m := range p.cli.Retrieved() {
		uid := ""
		if m.UID != "" {
			uid = " uid=" + m.UID
		}
		p.out = append(p.out, "[result] retrieved message "+strconv.Itoa(m.Number)+uid+" size="+strconv.FormatInt(m.Size, 10)+
			" ("+strconv.Itoa(len(m.Message))+" octets with LF ends)")
	}
	errText := "none"
	if err := p.cli.Err(); err != nil {
		errText = err.Error()
	}
	p.out = append(p.out, "[result] deleted "+strconv.Itoa(p.cli.Deleted())+", error: "+errText)
	for _, u := range show {
		p.out = append(p.out, w.maildropLine(u))
	}
	return []byte(strings.Join(p.out, "\n") + "\n")
}
