//go:build js && wasm

// Command bootwasm is the smallest page program: it renders a sequence
// diagram and a transcript with web/view into the page and marks the page
// ready. The browser test of package web runs it to check boot.js, the
// handler's headers and the views together in a real browser, before the
// real page program (wasm/) exists.
package main

import (
	"time"

	"github.com/hack-pad/safejs"

	"maillab/sim/machine"
	"maillab/sim/trace"
	"maillab/web/view"
)

func main() {
	lang := "en"
	if boot, err := safejs.Global().Get("maillabBoot"); err == nil && !boot.IsUndefined() {
		if l, err := boot.Get("lang"); err == nil {
			if s, err := l.String(); err == nil {
				lang = s
			}
		}
	}
	tr := &trace.Trace{
		Actors: []trace.Actor{{Name: "alice's MUA", Role: "mua"}, {Name: "mail.example.com", Role: "msa"}},
		Steps: []trace.Step{
			{Kind: trace.Connect, Conn: 1, From: "alice's MUA", To: "mail.example.com", Text: "port 587"},
			{Kind: trace.Reply, Conn: 1, From: "mail.example.com", To: "alice's MUA", ByServer: true, Text: "220 mail.example.com ESMTP maillab", Code: 220, ReplyTo: "GREETING"},
			{Kind: trace.Command, Conn: 1, From: "alice's MUA", To: "mail.example.com", Text: "MAIL FROM:<alice@example.com>", Verb: "MAIL"},
			{Kind: trace.Reply, Conn: 1, From: "mail.example.com", To: "alice's MUA", ByServer: true, Text: "250 2.1.0 Ok", Code: 250, Enhanced: "2.1.0", ReplyTo: "MAIL"},
			{Kind: trace.Command, Conn: 1, From: "alice's MUA", To: "mail.example.com", Text: "RCPT TO:<nobody@example.com>", Verb: "RCPT"},
			{Kind: trace.Reply, Conn: 1, From: "mail.example.com", To: "alice's MUA", ByServer: true, Text: "550 5.1.1 <nobody@example.com>: Recipient address rejected", Code: 550, Enhanced: "5.1.1", ReplyTo: "RCPT", Fault: "fault 1", At: time.Second},
		},
		Log:       []trace.LogLine{{At: time.Second, Host: "mail.example.com", Text: "postfix/submission/smtpd[2041]: NOQUEUE: reject: RCPT from client.example.com[192.0.2.10]: 550 5.1.1 <nobody@example.com>: Recipient address rejected"}},
		Mailboxes: []trace.Mailbox{{Host: "mail.example.com", User: "bob", Messages: []trace.Message{{UID: "1", From: "alice@example.com", To: []string{"bob@example.com"}, Raw: "Received: from client.example.com\n\tby mail.example.com; Mon, 2 Mar 2026 09:00:01 +0000\nSubject: Hi\n\nHello.\n"}}}},
	}
	doc, err := safejs.Global().Get("document")
	if err != nil {
		panic(err)
	}
	set := func(id, html string) {
		el, err := doc.Call("getElementById", id)
		if err != nil || el.IsNull() {
			panic("no #" + id)
		}
		if err := el.Set("innerHTML", html); err != nil {
			panic(err)
		}
	}
	set("seq", view.SequenceDiagram(tr, 5, lang))
	set("transcript", view.Transcript(tr, 5, lang))
	set("explain-body", view.Explanation(tr.Steps[5], lang))
	set("envelope", view.Envelope(tr, 5, lang))
	set("log", view.ServerLog(tr, 5, lang))
	set("maildrops", view.Maildrops(tr, lang))
	table := []machine.Transition{
		{From: "INIT", Event: "EHLO", To: "READY"}, {From: "READY", Event: "MAIL", To: "MAIL"},
		{From: "MAIL", Event: "RCPT", To: "RCPT"}, {From: "RCPT", Event: "RCPT", To: "RCPT"},
		{From: "RCPT", Event: "DATA", To: "DATA"}, {From: "DATA", Event: "end-of-data", To: "READY"},
		{From: "READY", Event: "QUIT", To: "CLOSED"},
	}
	set("state-server", view.StateDiagram(table, "RCPT", "RCPT", "RCPT", lang))
	set("state-client", view.StateDiagram(table, "RCPT", "MAIL", "RCPT", lang))
	root, _ := doc.Get("documentElement")
	ds, _ := root.Get("dataset")
	ds.Set("ready", "1")
	select {}
}
