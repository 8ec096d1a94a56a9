package pop3

import "maillab/sim/machine"

// This file is the POP3 state machine as data: every (state, command) pair
// the server accepts and where it leads, and the same for the client
// profiles. The server answers -ERR to any command that has no entry for the
// current state (RFC 1939 §3: "-ERR" for a command given in the wrong
// state), and the page draws both state diagrams from these tables, so the
// diagram a student sees cannot drift from what the machine does. The
// transcript tests check that every state change the machines make is one
// of these rows.

// Server states. RFC 1939 §3 names AUTHORIZATION, TRANSACTION and UPDATE;
// the others make the moments between them visible.
const (
	Authorization = "AUTHORIZATION" // after the greeting, until a login succeeds (RFC 1939 §4)
	AuthExchange  = "AUTH"          // "+ " sent to AUTH, waiting for the client's SASL response (RFC 5034 §4)
	TLSHandshake  = "TLS"           // "+OK" sent to STLS, the handshake has not finished (RFC 2595 §4)
	Transaction   = "TRANSACTION"   // logged in, maildrop locked (RFC 1939 §5)
	Update        = "UPDATE"        // QUIT from TRANSACTION: marked messages are removed (RFC 1939 §6)
	Closed        = "CLOSED"        // the session is over
)

// Things that move a machine but are not command lines. They appear in the
// Command column of the tables in parentheses, so they can never collide
// with a real verb.
const (
	OnConnect   = "(connect)"     // the connection opens and the greeting is sent
	OnGreeting  = "(greeting)"    // the client read the greeting
	OnTLSReady  = "(tls ready)"   // the TLS handshake finished
	OnUpdated   = "(update done)" // the UPDATE state finished its work
	OnLost      = "(lost)"        // the connection dropped without QUIT
	OnTimeout   = "(autologout)"  // the inactivity timer ran out (RFC 1939 §3)
	OnDropFault = "(drop)"        // a "drop" fault closed the connection
	OnBadReply  = "(bad reply)"   // the client could not parse what the server sent
)

// Transition is one row of a state table: in state From, Command answered
// with Reply leads to state To. Reply is "+OK", "-ERR", "+" (a SASL
// continuation) or "" when nothing is sent.
type Transition struct {
	From    string `json:"from"`
	Command string `json:"command"`
	Reply   string `json:"reply"`
	To      string `json:"to"`
	RFC     string `json:"rfc"`
}

// serverTable is the server's table. Only outcomes that change the state,
// or that show a command is valid in a state, are listed; a -ERR that leaves
// the state alone (bad password, no such message) needs no row.
var serverTable = []Transition{
	{"", OnConnect, "+OK", Authorization, "RFC 1939 §4"},
	{Authorization, OnConnect, "-ERR", Closed, "RFC 1939 §4"}, // a "connect" fault refuses service

	{Authorization, "CAPA", "+OK", Authorization, "RFC 2449 §5"},
	{Authorization, "USER", "+OK", Authorization, "RFC 1939 §7"},
	{Authorization, "PASS", "+OK", Transaction, "RFC 1939 §7"},
	{Authorization, "APOP", "+OK", Transaction, "RFC 1939 §7"},
	{Authorization, "AUTH", "+", AuthExchange, "RFC 5034 §4"},
	{Authorization, "AUTH", "+OK", Transaction, "RFC 5034 §4"}, // with an initial response
	{Authorization, "STLS", "+OK", TLSHandshake, "RFC 2595 §4"},
	{Authorization, "UTF8", "+OK", Authorization, "RFC 6856 §2.1"},
	{Authorization, "QUIT", "+OK", Closed, "RFC 1939 §4"},

	// The client's SASL response line is reported with the verb AUTH.
	{AuthExchange, "AUTH", "+OK", Transaction, "RFC 5034 §4"},
	{AuthExchange, "AUTH", "-ERR", Authorization, "RFC 5034 §4"},

	{TLSHandshake, OnTLSReady, "", Authorization, "RFC 2595 §4"},

	{Transaction, "STAT", "+OK", Transaction, "RFC 1939 §5"},
	{Transaction, "LIST", "+OK", Transaction, "RFC 1939 §5"},
	{Transaction, "RETR", "+OK", Transaction, "RFC 1939 §5"},
	{Transaction, "DELE", "+OK", Transaction, "RFC 1939 §5"},
	{Transaction, "NOOP", "+OK", Transaction, "RFC 1939 §5"},
	{Transaction, "RSET", "+OK", Transaction, "RFC 1939 §5"},
	{Transaction, "TOP", "+OK", Transaction, "RFC 1939 §7"},
	{Transaction, "UIDL", "+OK", Transaction, "RFC 1939 §7"},
	{Transaction, "CAPA", "+OK", Transaction, "RFC 2449 §5"},
	{Transaction, "QUIT", "", Update, "RFC 1939 §6"},

	{Update, OnUpdated, "+OK", Closed, "RFC 1939 §6"},
	{Update, OnUpdated, "-ERR", Closed, "RFC 1939 §6"},

	// However the session ends without QUIT, nothing is removed (RFC 1939 §6).
	{Authorization, OnLost, "", Closed, "RFC 1939 §6"},
	{AuthExchange, OnLost, "", Closed, "RFC 1939 §6"},
	{TLSHandshake, OnLost, "", Closed, "RFC 1939 §6"},
	{Transaction, OnLost, "", Closed, "RFC 1939 §6"},
	{Authorization, OnTimeout, "", Closed, "RFC 1939 §3"},
	{AuthExchange, OnTimeout, "", Closed, "RFC 1939 §3"},
	{TLSHandshake, OnTimeout, "", Closed, "RFC 1939 §3"},
	{Transaction, OnTimeout, "", Closed, "RFC 1939 §3"},
	{Authorization, OnDropFault, "", Closed, "RFC 1939 §6"},
	{AuthExchange, OnDropFault, "", Closed, "RFC 1939 §6"},
	{Transaction, OnDropFault, "", Closed, "RFC 1939 §6"},
}

// ServerTable returns the server's state table (a copy).
func ServerTable() []Transition { return append([]Transition(nil), serverTable...) }

// commandRFC is the section that governs a command, taken from the table.
// (Every verb the server knows has at least one row.)
func commandRFC(verb string) string {
	for _, t := range serverTable {
		if t.Command == verb {
			return t.RFC
		}
	}
	return "RFC 1939 §3"
}

// validIn reports whether the table has a row for verb in state.
func validIn(state, verb string) bool {
	for _, t := range serverTable {
		if t.From == state && t.Command == verb {
			return true
		}
	}
	return false
}

// statesFor lists the states in which verb is valid, for the -ERR text.
// The transient sub-states are left out: a student can only type a command
// in AUTHORIZATION or TRANSACTION.
func statesFor(verb string) []string {
	var out []string
	for _, t := range serverTable {
		if t.Command != verb || (t.From != Authorization && t.From != Transaction) {
			continue
		}
		dup := false
		for _, s := range out {
			dup = dup || s == t.From
		}
		if !dup {
			out = append(out, t.From)
		}
	}
	return out
}

// Client states: what the client is doing, named by phase so the diagram
// stays small (the command it waits on is in the trace already).
const (
	CGreeting = "GREETING" // connected, waiting for the greeting
	CCapa     = "CAPA"     // asked for the capability list (RFC 2449 §5)
	CSTLS     = "STLS"     // asked for TLS, or the handshake is running (RFC 2595 §4)
	CLogin    = "LOGIN"    // authenticating: USER/PASS, APOP or AUTH
	CSurvey   = "SURVEY"   // looking at the maildrop: STAT, LIST, UIDL
	CFetch    = "FETCH"    // RETR and DELE, one message at a time
	CQuit     = "QUIT"     // QUIT sent: the server enters UPDATE (RFC 1939 §6)
	CDone     = "DONE"     // the session ended with +OK to QUIT
	CFailed   = "FAILED"   // the program gave up, or the connection ended early
)

// Client profiles: real programs whose wire behaviour the client reproduces
// (PROTOCOL.md §3.2, §3.4 and the wire/ transcripts).
const (
	ProfilePoplib = "poplib" // Python's poplib in a short script
	ProfileCurl   = "curl"   // curl pop3:// (7.88)
	ProfileMUA    = "mua"    // a mail program set to "leave messages on server"
)

// Profiles lists the client profiles NewClient accepts.
func Profiles() []string { return []string{ProfilePoplib, ProfileCurl, ProfileMUA} }

// The client rows shared by every profile: the parts of the dialogue that
// RFC 1939 fixes whatever the program.
var clientCommon = []Transition{
	{"", OnConnect, "", CGreeting, "RFC 1939 §4"},
	{CGreeting, OnGreeting, "-ERR", CFailed, "RFC 1939 §4"},
	{CSTLS, "STLS", "+OK", CSTLS, "RFC 2595 §4"}, // the handshake runs
	{CLogin, "USER", "+OK", CLogin, "RFC 1939 §7"},
	{CFetch, "RETR", "+OK", CFetch, "RFC 1939 §5"},
	{CFetch, "DELE", "+OK", CFetch, "RFC 1939 §5"},
	{CFetch, "RETR", "+OK", CQuit, "RFC 1939 §6"},
	{CFetch, "DELE", "+OK", CQuit, "RFC 1939 §6"},
	{CQuit, "QUIT", "+OK", CDone, "RFC 1939 §6"},
	{CQuit, "QUIT", "-ERR", CFailed, "RFC 1939 §6"},
	{CGreeting, OnLost, "", CFailed, "RFC 1939 §6"},
	{CCapa, OnLost, "", CFailed, "RFC 1939 §6"},
	{CSTLS, OnLost, "", CFailed, "RFC 1939 §6"},
	{CLogin, OnLost, "", CFailed, "RFC 1939 §6"},
	{CSurvey, OnLost, "", CFailed, "RFC 1939 §6"},
	{CFetch, OnLost, "", CFailed, "RFC 1939 §6"},
	{CQuit, OnLost, "", CFailed, "RFC 1939 §6"},
	{CGreeting, OnBadReply, "", CFailed, "RFC 1939 §3"},
	{CCapa, OnBadReply, "", CFailed, "RFC 1939 §3"},
	{CSTLS, OnBadReply, "", CFailed, "RFC 1939 §3"},
	{CLogin, OnBadReply, "", CFailed, "RFC 1939 §3"},
	{CSurvey, OnBadReply, "", CFailed, "RFC 1939 §3"},
	{CFetch, OnBadReply, "", CFailed, "RFC 1939 §3"},
	{CQuit, OnBadReply, "", CFailed, "RFC 1939 §3"},
}

// clientTables holds each profile's own rows.
var clientTables = map[string][]Transition{
	// poplib: USER/PASS, STAT, LIST, RETR (+DELE) each, QUIT. CAPA only
	// because stls() sends it first. Any -ERR raises error_proto and a
	// plain script ends there: the socket closes without QUIT.
	ProfilePoplib: {
		{CGreeting, OnGreeting, "+OK", CLogin, "RFC 1939 §4"},
		{CGreeting, OnGreeting, "+OK", CCapa, "RFC 2595 §4"},
		{CCapa, "CAPA", "+OK", CSTLS, "RFC 2595 §4"},
		{CCapa, "CAPA", "+OK", CLogin, "RFC 2449 §5"},   // STLS optional and not offered
		{CCapa, "CAPA", "+OK", CFailed, "RFC 2595 §4"},  // STLS required and not offered
		{CCapa, "CAPA", "-ERR", CFailed, "RFC 2449 §5"}, // STLS required: stls() raises
		{CCapa, "CAPA", "-ERR", CLogin, "RFC 2449 §5"},  // STLS optional: the script goes on
		{CSTLS, OnTLSReady, "", CLogin, "RFC 2595 §4"},  // poplib does not re-send CAPA
		{CSTLS, "STLS", "-ERR", CFailed, "RFC 2595 §4"},
		{CSTLS, "STLS", "-ERR", CLogin, "RFC 2595 §4"},
		{CLogin, "USER", "-ERR", CFailed, "RFC 1939 §7"},
		{CLogin, "PASS", "+OK", CSurvey, "RFC 1939 §7"},
		{CLogin, "PASS", "-ERR", CFailed, "RFC 1939 §7"},
		{CSurvey, "STAT", "+OK", CSurvey, "RFC 1939 §5"},
		{CSurvey, "STAT", "-ERR", CFailed, "RFC 1939 §5"},
		{CSurvey, "LIST", "+OK", CFetch, "RFC 1939 §5"},
		{CSurvey, "LIST", "+OK", CQuit, "RFC 1939 §5"}, // empty maildrop
		{CSurvey, "LIST", "-ERR", CFailed, "RFC 1939 §5"},
		{CFetch, "RETR", "-ERR", CFailed, "RFC 1939 §5"},
		{CFetch, "DELE", "-ERR", CFailed, "RFC 1939 §5"},
	},
	// curl: CAPA, then SASL PLAIN > APOP > USER/PASS, LIST, RETR (+DELE)
	// each, QUIT. A failure up to login closes without QUIT (curl's
	// connect phase); a later one ends with QUIT.
	ProfileCurl: {
		{CGreeting, OnGreeting, "+OK", CCapa, "RFC 2449 §5"},
		{CCapa, "CAPA", "+OK", CSTLS, "RFC 2595 §4"},
		{CCapa, "CAPA", "+OK", CLogin, "RFC 2449 §5"},
		{CCapa, "CAPA", "-ERR", CLogin, "RFC 2449 §5"},
		{CCapa, "CAPA", "+OK", CFailed, "RFC 2595 §4"}, // --ssl-reqd and no STLS: closes without QUIT
		{CSTLS, OnTLSReady, "", CCapa, "RFC 2595 §4"},  // curl asks for CAPA again over TLS
		{CSTLS, "STLS", "-ERR", CFailed, "RFC 2595 §4"},
		{CSTLS, "STLS", "-ERR", CLogin, "RFC 2595 §4"},
		{CLogin, "AUTH", "+", CLogin, "RFC 5034 §4"},
		{CLogin, "AUTH", "+OK", CSurvey, "RFC 5034 §4"},
		{CLogin, "AUTH", "-ERR", CFailed, "RFC 5034 §4"},
		{CLogin, "APOP", "+OK", CSurvey, "RFC 1939 §7"},
		{CLogin, "APOP", "-ERR", CFailed, "RFC 1939 §7"},
		{CLogin, "USER", "-ERR", CFailed, "RFC 1939 §7"},
		{CLogin, "PASS", "+OK", CSurvey, "RFC 1939 §7"},
		{CLogin, "PASS", "-ERR", CFailed, "RFC 1939 §7"},
		{CSurvey, "LIST", "+OK", CFetch, "RFC 1939 §5"},
		{CSurvey, "LIST", "+OK", CQuit, "RFC 1939 §5"},
		{CSurvey, "LIST", "-ERR", CQuit, "RFC 1939 §5"},
		{CFetch, "RETR", "-ERR", CQuit, "RFC 1939 §5"},
		{CFetch, "DELE", "-ERR", CQuit, "RFC 1939 §5"},
	},
	// mua: CAPA, STLS if offered and wanted (then CAPA again), USER/PASS,
	// UIDL, RETR of the messages it has not seen, DELE only if told to,
	// QUIT. A failed message is reported and skipped; a failed login ends
	// with QUIT.
	ProfileMUA: {
		{CGreeting, OnGreeting, "+OK", CCapa, "RFC 2449 §5"},
		{CCapa, "CAPA", "+OK", CSTLS, "RFC 2595 §4"},
		{CCapa, "CAPA", "+OK", CLogin, "RFC 2449 §5"},
		{CCapa, "CAPA", "-ERR", CLogin, "RFC 2449 §5"},
		{CCapa, "CAPA", "+OK", CQuit, "RFC 2595 §4"}, // TLS required and not offered
		{CCapa, "CAPA", "-ERR", CQuit, "RFC 2595 §4"},
		{CSTLS, OnTLSReady, "", CCapa, "RFC 2595 §4"}, // the old CAPA is discarded
		{CSTLS, "STLS", "-ERR", CQuit, "RFC 2595 §4"},
		{CSTLS, "STLS", "-ERR", CLogin, "RFC 2595 §4"},
		{CLogin, "USER", "-ERR", CQuit, "RFC 1939 §7"},
		{CLogin, "PASS", "+OK", CSurvey, "RFC 1939 §7"},
		{CLogin, "PASS", "-ERR", CQuit, "RFC 1939 §7"},
		{CSurvey, "UIDL", "+OK", CFetch, "RFC 1939 §7"},
		{CSurvey, "UIDL", "+OK", CQuit, "RFC 1939 §7"}, // nothing new
		{CSurvey, "UIDL", "-ERR", CQuit, "RFC 1939 §7"},
		{CFetch, "RETR", "-ERR", CFetch, "RFC 1939 §5"},
		{CFetch, "RETR", "-ERR", CQuit, "RFC 1939 §5"},
		{CFetch, "DELE", "-ERR", CFetch, "RFC 1939 §5"},
		{CFetch, "DELE", "-ERR", CQuit, "RFC 1939 §5"},
	},
}

// ClientTable returns the state table of one client profile (the shared
// rows and the profile's own), or nil for an unknown profile.
func ClientTable(profile string) []Transition {
	own, ok := clientTables[profile]
	if !ok {
		return nil
	}
	out := append([]Transition(nil), clientCommon...)
	return append(out, own...)
}

// ServerTransitions is ServerTable in the shape every state diagram uses.
func ServerTransitions() []machine.Transition { return toMachine(serverTable) }

// ClientTransitions is ClientTable(profile) in the shape every state diagram uses.
func ClientTransitions(profile string) []machine.Transition { return toMachine(ClientTable(profile)) }

// toMachine names each edge "COMMAND reply" ("PASS +OK"), or just the
// trigger for rows that answer nothing.
func toMachine(rows []Transition) []machine.Transition {
	out := make([]machine.Transition, 0, len(rows))
	for _, r := range rows {
		ev := r.Command
		if r.Reply != "" {
			ev += " " + r.Reply
		}
		out = append(out, machine.Transition{From: r.From, Event: ev, To: r.To})
	}
	return out
}
