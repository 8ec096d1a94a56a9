package smtp

import "time"

// Profile is how one real client program behaves on the wire. Each field is
// something observed of that program (PROTOCOL.md §3), so that a student who
// steps through a "smtplib" session sees the lines Python really sends.
type Profile struct {
	Name string
	Desc string
	// LowerVerbs: smtplib sends "ehlo", "mail FROM:", "rcpt TO:", "data",
	// "rset", "quit" in lower case (but AUTH and STARTTLS in upper case).
	LowerVerbs bool
	// SizeParam is the spelling of the SIZE parameter ("size=", "SIZE="), used
	// only when the server advertises SIZE; "" never sends it (swaks).
	SizeParam string
	// Body8BitMIME adds BODY=8BITMIME when 8BITMIME is advertised (Thunderbird, Postfix).
	Body8BitMIME bool
	// AuthOrder is the client's preference among mechanisms the server offers.
	AuthOrder []string
	// PlainIR sends AUTH PLAIN with the initial response (smtplib, Thunderbird);
	// without it the client waits for "334 " (curl).
	PlainIR bool
	// LoginIR sends the user name with AUTH LOGIN (smtplib: "AUTH LOGIN dXNlcg==").
	LoginIR bool
	// AuthFallback tries the next mechanism after a 535 (smtplib does; curl does not).
	AuthFallback bool
	// StartTLS is the default STARTTLS policy: required, optional or off.
	StartTLS string
	// Pipeline sends MAIL, RCPT… and DATA in one write when PIPELINING is
	// advertised (RFC 2920; Postfix's smtp client, swaks --pipeline).
	Pipeline bool
	// QuitOnRejectedGreeting: after a 554 greeting the program sends QUIT
	// (RFC 5321 §3.1); smtplib and curl just close.
	QuitOnRejectedGreeting bool
	// StopOnFirstRcptFailure: curl gives up at the first refused RCPT and
	// sends QUIT (exit 55) unless --mail-rcpt-allowfails.
	StopOnFirstRcptFailure bool
	// AbortsOnError: a library that raises an exception on an error reply;
	// the script ends and the socket is closed without QUIT (smtplib).
	AbortsOnError bool
	// Queues: an MTA keeps the message and retries 4xx later (RFC 5321
	// §4.5.4.1) and bounces 5xx to the sender (RFC 3464). A mail program
	// instead shows the error to its user.
	Queues bool
	// Error describes, for the trace, how the program reports a failure.
	Error func(kind string) string
}

// Profiles are the client programs a scenario can choose.
var Profiles = map[string]Profile{
	"smtplib": {
		Name: "smtplib", Desc: "Python's smtplib (CPython 3.11)",
		LowerVerbs: true, SizeParam: "size=", AuthOrder: []string{"CRAM-MD5", "PLAIN", "LOGIN"},
		PlainIR: true, LoginIR: true, AuthFallback: true, StartTLS: "off", AbortsOnError: true,
		Error: func(kind string) string { return "raises " + smtplibErrors[kind] },
	},
	"thunderbird": {
		Name: "thunderbird", Desc: "Thunderbird (a mail program: submission with STARTTLS and AUTH)",
		SizeParam: "SIZE=", Body8BitMIME: true, AuthOrder: []string{"PLAIN", "LOGIN"}, PlainIR: true,
		StartTLS: "required", QuitOnRejectedGreeting: true,
		Error: func(kind string) string { return "shows its user an error: " + errorPhrases[kind] },
	},
	"curl": {
		Name: "curl", Desc: "curl 7.88 smtp:// upload",
		SizeParam: "SIZE=", AuthOrder: []string{"CRAM-MD5", "PLAIN", "LOGIN"}, StartTLS: "off",
		StopOnFirstRcptFailure: true,
		Error:                  func(kind string) string { return "stops with " + curlErrors[kind] },
	},
	"telnet": {
		Name: "telnet", Desc: "a person typing commands in telnet or nc",
		AuthOrder: []string{"PLAIN", "LOGIN"}, PlainIR: true, StartTLS: "off", QuitOnRejectedGreeting: true,
		Error: func(kind string) string { return "the person reads the error: " + errorPhrases[kind] },
	},
	"swaks": {
		Name: "swaks", Desc: "swaks 20201014 (the SMTP test tool)",
		AuthOrder: []string{"CRAM-MD5", "LOGIN", "PLAIN"}, StartTLS: "off", QuitOnRejectedGreeting: true,
		Error: func(kind string) string { return "reports: " + errorPhrases[kind] },
	},
	"mta": {
		Name: "mta", Desc: "a mail server relaying to the next hop (Postfix's smtp client)",
		SizeParam: "SIZE=", Body8BitMIME: true, AuthOrder: []string{"PLAIN", "LOGIN"}, PlainIR: true,
		StartTLS: "optional", Pipeline: true, QuitOnRejectedGreeting: true, Queues: true,
		Error: func(kind string) string { return "records the error: " + errorPhrases[kind] },
	},
}

func init() {
	// swaks --pipeline sends MAIL, the RCPTs and DATA in one write (wire/swaks_pipeline.txt).
	sp := Profiles["swaks"]
	sp.Name, sp.Desc, sp.Pipeline = "swaks-pipeline", "swaks --pipeline", true
	Profiles["swaks-pipeline"] = sp

	// "mua" is the generic name for a mail program; it behaves like Thunderbird.
	p := Profiles["thunderbird"]
	p.Name, p.Desc = "mua", "a mail program (MUA) submitting with STARTTLS and AUTH"
	Profiles["mua"] = p
}

// errorPhrases say in words what went wrong, for the programs whose own
// message is not a fixed string.
var errorPhrases = map[string]string{
	"greeting":   "the server refused service at the greeting",
	"helo":       "EHLO and HELO were refused",
	"auth":       "the login failed",
	"starttls":   "STARTTLS is not possible",
	"sender":     "the sender was refused",
	"recipients": "the recipients were refused",
	"data":       "the message was refused",
	"closed":     "the connection was closed",
}

var smtplibErrors = map[string]string{
	"greeting":   "SMTPConnectError",
	"helo":       "SMTPHeloError",
	"auth":       "SMTPAuthenticationError",
	"starttls":   "SMTPNotSupportedError",
	"sender":     "SMTPSenderRefused",
	"recipients": "SMTPRecipientsRefused",
	"data":       "SMTPDataError",
	"closed":     "SMTPServerDisconnected",
}

var curlErrors = map[string]string{
	"greeting":   "exit 8 (weird server reply)",
	"helo":       "exit 8",
	"auth":       "exit 67 (login denied)",
	"starttls":   "exit 64 (SSL required but not available)",
	"sender":     "exit 55 (failed sending data)",
	"recipients": "exit 55 (failed sending data)",
	"data":       "exit 55",
	"closed":     "exit 56 (failure receiving network data)",
}

// Timeouts a client waits for each reply, the minimums of RFC 5321 §4.5.3.2.
var replyTimeouts = map[string]time.Duration{
	"GREETING": 5 * time.Minute,  // §4.5.3.2.1
	"MAIL":     5 * time.Minute,  // §4.5.3.2.2
	"RCPT":     5 * time.Minute,  // §4.5.3.2.3
	"DATA":     2 * time.Minute,  // §4.5.3.2.4
	"EOD":      10 * time.Minute, // §4.5.3.2.6
}
