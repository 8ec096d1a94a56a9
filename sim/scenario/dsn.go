package scenario

import (
	"fmt"
	"strings"

	"maillab/sim/trace"
)

// failure is one recipient a message could not be delivered to.
type failure struct {
	rcpt, status, diagnostic, remote string
}

// bounce sends one delivery status notification (RFC 3464) back to the
// sender of a message, listing every recipient it failed for, from
// MAILER-DAEMON with the null sender <>, so that a bounce can never cause
// another bounce (RFC 5321 §6.1, §4.5.5). A message that is itself a bounce
// is dropped instead.
func (w *world) bounce(h *host, q *queued, fails []failure) {
	if len(fails) == 0 {
		return
	}
	var who []string
	for _, f := range fails {
		who = append(who, "<"+f.rcpt+">")
	}
	if q.from == "" || q.dsn {
		w.note(h.name + ": " + strings.Join(who, ", ") + " failed, but the message was a bounce (sender <>): it is not bounced again (RFC 5321 §6.1)")
		return
	}
	w.note(h.name + ": " + strings.Join(who, ", ") + " failed permanently: the server sends a bounce (a DSN, RFC 3464) to <" + q.from + ">")
	qid := h.qids()
	action := "failed"
	var b strings.Builder
	fmt.Fprintf(&b, "From: MAILER-DAEMON@%s (Mail Delivery System)\n", h.cfg.Hostname)
	fmt.Fprintf(&b, "To: %s\n", q.from)
	fmt.Fprintf(&b, "Subject: Undelivered Mail Returned to Sender\n")
	fmt.Fprintf(&b, "Date: %s\n", w.now.Format("Mon, 02 Jan 2006 15:04:05 -0700"))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\n", qid, h.cfg.Hostname)
	b.WriteString("MIME-Version: 1.0\n")
	fmt.Fprintf(&b, "Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"%s.dsn\"\n\n", qid)
	fmt.Fprintf(&b, "--%s.dsn\nContent-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n", qid)
	fmt.Fprintf(&b, "This is the mail system at host %s.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n", h.cfg.Hostname)
	for _, f := range fails {
		fmt.Fprintf(&b, "<%s>: %s\n", f.rcpt, f.diagnostic)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "--%s.dsn\nContent-Description: Delivery report\nContent-Type: message/delivery-status\n\n", qid)
	fmt.Fprintf(&b, "Reporting-MTA: dns; %s\nX-Postfix-Queue-ID: %s\nArrival-Date: %s\n\n", h.cfg.Hostname, q.qid, w.start.Add(q.arrived).Format("Mon, 02 Jan 2006 15:04:05 -0700"))
	for _, f := range fails {
		fmt.Fprintf(&b, "Final-Recipient: rfc822; %s\nAction: %s\nStatus: %s\n", f.rcpt, action, toPermanent(f.status))
		if f.remote != "" {
			fmt.Fprintf(&b, "Remote-MTA: dns; %s\n", f.remote)
		}
		fmt.Fprintf(&b, "Diagnostic-Code: smtp; %s\n\n", f.diagnostic)
	}
	fmt.Fprintf(&b, "--%s.dsn\nContent-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers\n\n", qid)
	head, _, _ := strings.Cut(string(q.data), "\n\n")
	b.WriteString(head + "\n\n")
	fmt.Fprintf(&b, "--%s.dsn--\n", qid)

	w.log(h.name, fmt.Sprintf("maillab/bounce[%d]: %s: sender non-delivery notification: %s", h.pid+4, q.qid, qid))
	data := []byte(b.String())
	if h.cfg.IsLocal(domainPart(q.from)) {
		w.deliverLocal(h, qid, "", q.from, data)
		return
	}
	h.queue = append(h.queue, &queued{qid: qid, from: "", rcpts: []string{q.from}, data: data, arrived: w.elapsed(), next: w.elapsed(), dsn: true, lastWhy: map[string]string{}})
	w.add(trace.Step{Kind: trace.Store, From: h.name, To: h.name, Text: h.name + ": bounce " + qid + " queued for <" + q.from + ">"})
}

// toPermanent: a DSN for a message given up after 4xx reports a 5.x.x
// status (Action: failed).
func toPermanent(status string) string {
	if strings.HasPrefix(status, "4.") {
		return "5." + status[2:]
	}
	return status
}
