package scenario

import (
	"time"

	"maillab/sim/pop3"
	"maillab/sim/trace"
)

// fetch runs the POP3 download of the spec's fetch entry.
func (w *world) fetch() {
	f := w.spec.Fetch
	h := w.hosts[f.Server]
	c, err := pop3.NewClient(f.Client, pop3.Job{User: f.User, Password: f.Password, Delete: f.Delete, STLS: f.STLS})
	if err != nil {
		w.note(err.Error())
		return
	}
	clientName := f.User + " (" + f.Client + ")"
	serverName := f.Server + " POP3"
	w.tr.AddActor(trace.Actor{Name: clientName, Role: "mua", Desc: f.User + "'s mail program reading with POP3"})
	w.tr.AddActor(trace.Actor{Name: serverName, Role: "pop3"})
	w.advance(time.Minute) // bob checks his mail a little later
	w.conns++
	tlsMode := h.spec.TLS
	if tlsMode == "" {
		tlsMode = "optional"
	}
	srv := pop3.NewServer(pop3.Config{Hostname: h.cfg.Hostname, Users: h.cfg.Users, APOP: bool(h.spec.APOP), TLS: tlsMode,
		Store: h.store, Faults: w.faults, Peer: "192.0.2.20", Conn: w.conns})
	l := &link{w: w, conn: w.conns, proto: "pop3", client: c, server: srv, clientName: clientName, serverName: serverName, serverHost: f.Server,
		timeout: func() time.Duration { return 10 * time.Minute }}
	l.run()
}
