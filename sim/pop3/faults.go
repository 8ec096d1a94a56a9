package pop3

import (
	"maillab/sim/fault"
	"maillab/sim/machine"
	"maillab/sim/trace"
)

// check asks the fault injector about a line (or fault.Connect) and, when a
// rule fires, remembers it so every event it causes carries its name.
func (s *Server) check(line string) *fault.Outcome {
	if s.cfg.Faults == nil {
		return nil
	}
	user := s.user // from USER, until PASS
	if s.sess != nil {
		user = s.sess.user
	}
	o := s.cfg.Faults.CheckAs(proto, s.cfg.Hostname, user, line)
	if o != nil {
		s.fault = o.Rule
		if e := s.last(); e != nil && e.Received {
			e.Step.Fault = o.Rule
		}
	}
	return o
}

// applyFault acts on a fired rule for a command line. It reports whether
// the command is finished (true) or must still run normally (a delay).
func (s *Server) applyFault(o *fault.Outcome, verb string) bool {
	switch o.Kind {
	case fault.Reply:
		// The command is not executed and the state stays as it was; only
		// a SASL exchange ends, because a -ERR ends AUTH (RFC 5034 §4) and
		// the client will not send another response line.
		if s.state == AuthExchange {
			s.setState(Authorization)
		}
		s.reply(verb, o.Reply, commandRFC(verb))
		return true
	case fault.Drop:
		s.dropped()
		return true
	case fault.Timeout:
		s.hang()
		return true
	case fault.Delay:
		s.wait(o)
	}
	return false
}

// dropped ends the session as a dropped connection does: no reply, no
// UPDATE, the lock released (RFC 1939 §6).
func (s *Server) dropped() {
	s.add(trace.Step{Kind: trace.Note, Proto: proto, ServerState: s.state, Fault: s.fault,
		Text: "the server drops the connection without a reply (fault)"})
	s.endWithoutUpdate("Disconnected: Connection closed", true)
}

// hang stops the server answering: the client's timer will run out. The
// session ends later through Timeout or Lost, which release the lock.
func (s *Server) hang() {
	s.hung = true
	s.add(trace.Step{Kind: trace.Note, Proto: proto, ServerState: s.state, Fault: s.fault,
		Text: "the server stops answering (fault): the client will time out"}).Action = machine.Hang
}

// wait pauses before the normal answer.
func (s *Server) wait(o *fault.Outcome) {
	e := s.add(trace.Step{Kind: trace.Wait, Proto: proto, ServerState: s.state, Fault: s.fault,
		Text: "the server waits " + o.Delay.String() + " before answering (fault)"})
	e.Action = machine.Wait
	e.Delay = o.Delay
}

// closeConn moves to CLOSED and asks the driver to close the connection
// once the lines before it are written.
func (s *Server) closeConn(logText string) {
	s.setState(Closed).Action = machine.CloseConn
	s.log(s.disconnectLog(logText, 0))
}
