package lessons

import (
	"regexp"
	"strconv"
	"strings"

	"maillab/sim/trace"
)

// Goal is what an exercise asks for: every check must hold on the
// student's trace. The page sends it as JSON (data-goal) with these names.
type Goal struct {
	Delivered    []string `json:"delivered,omitempty"`     // recipients whose maildrop got the message
	NotDelivered []string `json:"not_delivered,omitempty"` // recipients whose maildrop did not
	SawReply     []string `json:"saw_reply,omitempty"`     // "550", "550 5.1.1", "-ERR", "-ERR [IN-USE]"
	RetriedAfter []string `json:"retried_after,omitempty"` // a 4xx code, then a new connection by the same client
	POP3Deleted  *int     `json:"pop3_deleted,omitempty"`  // messages removed in a POP3 UPDATE, exactly
	CommandsUsed []string `json:"commands_used,omitempty"` // verbs the client sent
}

// Checks lists the names of the goal checks, as written in an exercise.
var Checks = []string{"delivered", "not_delivered", "saw_reply", "retried_after", "pop3_deleted", "commands_used"}

// Unmet is one goal check that the trace does not satisfy, with a message
// for the student in English and in Chinese.
type Unmet struct {
	Check string // the check's name, as in Checks
	Want  string // the value that is not met ("bob@example.org", "550 5.1.1", "STARTTLS, AUTH")
	EN    string
	ZH    string
}

// Msg returns the message in lang ("en" or "zh").
func (u Unmet) Msg(lang string) string {
	if lang == "zh" {
		return u.ZH
	}
	return u.EN
}

// CheckGoal checks a trace against a goal and returns the checks not met,
// in the order of Checks; none means the exercise is done.
func CheckGoal(goal Goal, tr *trace.Trace) []Unmet {
	var out []Unmet
	for _, item := range goal.items() {
		if !item.holds(tr) {
			out = append(out, item.unmet())
		}
	}
	return out
}

// goalItem is one check with one value (commands_used keeps its list).
type goalItem struct {
	check string
	value string
	n     int      // pop3_deleted
	verbs []string // commands_used
}

func (g Goal) items() []goalItem {
	var out []goalItem
	for _, a := range g.Delivered {
		out = append(out, goalItem{check: "delivered", value: a})
	}
	for _, a := range g.NotDelivered {
		out = append(out, goalItem{check: "not_delivered", value: a})
	}
	for _, r := range g.SawReply {
		out = append(out, goalItem{check: "saw_reply", value: r})
	}
	for _, r := range g.RetriedAfter {
		out = append(out, goalItem{check: "retried_after", value: r})
	}
	if g.POP3Deleted != nil {
		out = append(out, goalItem{check: "pop3_deleted", n: *g.POP3Deleted, value: strconv.Itoa(*g.POP3Deleted)})
	}
	if len(g.CommandsUsed) > 0 {
		out = append(out, goalItem{check: "commands_used", verbs: g.CommandsUsed, value: strings.Join(g.CommandsUsed, ", ")})
	}
	return out
}

// Checklist describes the goal as a list a student reads, in lang.
func (g Goal) Checklist(lang string) []string {
	var out []string
	for _, it := range g.items() {
		out = append(out, it.describe(lang))
	}
	return out
}

func (it goalItem) describe(lang string) string {
	zh := lang == "zh"
	switch it.check {
	case "delivered":
		if zh {
			return it.value + " 的邮箱收到邮件"
		}
		return "the message arrives in " + it.value + "'s maildrop"
	case "not_delivered":
		if zh {
			return it.value + " 的邮箱没有收到邮件"
		}
		return "the message does not arrive in " + it.value + "'s maildrop"
	case "saw_reply":
		if zh {
			return "出现应答 " + it.value
		}
		return "a " + it.value + " reply appears"
	case "retried_after":
		if zh {
			return "收到 " + it.value + " 之后，客户端重新连接再试一次"
		}
		return "after a " + it.value + " reply, the client connects again and retries"
	case "pop3_deleted":
		switch {
		case zh && it.n == 0:
			return "POP3 会话结束时没有邮件被删除"
		case zh:
			return "POP3 在 UPDATE 状态删除了 " + it.value + " 封邮件"
		case it.n == 0:
			return "no message is removed from the maildrop by POP3"
		case it.n == 1:
			return "POP3 removes 1 message from the maildrop (UPDATE state)"
		}
		return "POP3 removes " + it.value + " messages from the maildrop (UPDATE state)"
	case "commands_used":
		if zh {
			return "客户端发送了命令 " + strings.Join(it.verbs, "、")
		}
		return "the client sends " + it.value
	}
	return it.check + ": " + it.value
}

func (it goalItem) unmet() Unmet {
	u := Unmet{Check: it.check, Want: it.value}
	switch it.check {
	case "delivered":
		u.EN = "the message has not arrived in " + it.value + "'s maildrop"
		u.ZH = it.value + " 的邮箱还没有收到邮件"
	case "not_delivered":
		u.EN = "the message still arrives in " + it.value + "'s maildrop"
		u.ZH = "邮件仍然投递到了 " + it.value + " 的邮箱"
	case "saw_reply":
		u.EN = "no " + it.value + " reply in the session yet"
		u.ZH = "会话中还没有出现应答 " + it.value
	case "retried_after":
		u.EN = "no retry after a " + it.value + " reply: the client must get " + it.value + " and then connect again"
		u.ZH = "还没有在 " + it.value + " 之后重试：客户端要先收到 " + it.value + "，再重新连接"
	case "pop3_deleted":
		if it.n == 0 {
			u.EN = "POP3 removed messages from the maildrop; the goal is that none is removed"
			u.ZH = "POP3 删除了邮件；目标是一封也不删除"
		} else {
			u.EN = "POP3 has not removed exactly " + it.value + " message(s) from the maildrop (DELE marks, QUIT removes)"
			u.ZH = "POP3 删除的邮件数不是 " + it.value + " 封（DELE 只做标记，QUIT 之后才真正删除）"
		}
	case "commands_used":
		u.EN = "the client has not sent " + it.value + " yet"
		u.ZH = "客户端还没有发送 " + strings.Join(it.verbs, "、")
	}
	return u
}

func (it goalItem) holds(tr *trace.Trace) bool {
	switch it.check {
	case "delivered":
		return delivered(tr, it.value)
	case "not_delivered":
		return !delivered(tr, it.value)
	case "saw_reply":
		return len(repliesMatching(tr, it.value)) > 0
	case "retried_after":
		return retried(tr, it.value)
	case "pop3_deleted":
		return pop3Deleted(tr) == it.n
	case "commands_used":
		sent := verbsSent(tr)
		for _, v := range it.verbs {
			if !sent[strings.ToUpper(v)] {
				return false
			}
		}
		return true
	}
	return false
}

// delivered reports whether a message reached addr's maildrop: it is
// there at the end, or a delivery step says it was stored (it may have
// been downloaded and deleted with POP3 since).
func delivered(tr *trace.Trace, addr string) bool {
	for _, mb := range tr.Mailboxes {
		for _, m := range mb.Messages {
			for _, to := range m.To {
				if strings.EqualFold(to, addr) {
					return true
				}
			}
		}
	}
	want := "(" + strings.ToLower(addr) + ")"
	for _, st := range tr.Steps {
		if st.Kind != trace.Store || st.Proto == "pop3" {
			continue
		}
		t := strings.ToLower(st.Text)
		if strings.Contains(t, "delivered to ") && strings.HasSuffix(t, want) {
			return true
		}
	}
	return false
}

// replyPattern is a saw_reply value: an SMTP code with an optional
// enhanced code, or a POP3 status with an optional response code.
var replyPattern = regexp.MustCompile(`^(?:([2-5][0-5][0-9])(?: ([2-5]\.[0-9]{1,3}\.[0-9]{1,3}))?|(\+OK|-ERR)(?: \[([A-Za-z/-]+)\])?)$`)

// repliesMatching returns the indexes of the reply steps that match want.
func repliesMatching(tr *trace.Trace, want string) []int {
	m := replyPattern.FindStringSubmatch(strings.TrimSpace(want))
	if m == nil {
		return nil
	}
	code, _ := strconv.Atoi(m[1])
	var out []int
	for i, st := range tr.Steps {
		if st.Kind != trace.Reply {
			continue
		}
		switch {
		case m[1] != "":
			if st.Code == code && (m[2] == "" || st.Enhanced == m[2]) {
				out = append(out, i)
			}
		default:
			status := st.Status
			if status == "" {
				status, _, _ = strings.Cut(st.Text, " ")
			}
			if status == m[3] && (m[4] == "" || strings.EqualFold(strings.Trim(st.RespCode, "[]"), m[4])) {
				out = append(out, i)
			}
		}
	}
	return out
}

// retried: a reply matching want, and later a new connection from the same
// client to the same server.
func retried(tr *trace.Trace, want string) bool {
	for _, i := range repliesMatching(tr, want) {
		r := tr.Steps[i]
		for _, st := range tr.Steps[i+1:] {
			if st.Kind == trace.Connect && st.Conn != r.Conn && st.From == r.To && st.To == r.From {
				return true
			}
		}
	}
	return false
}

var removedPattern = regexp.MustCompile(`removed ([0-9]+) message`)

// pop3Deleted counts the messages POP3 sessions removed in their UPDATE
// state (RFC 1939 §6): DELE only marks, QUIT removes.
func pop3Deleted(tr *trace.Trace) int {
	n := 0
	for _, st := range tr.Steps {
		if st.Kind == trace.Store && st.Proto == "pop3" {
			if m := removedPattern.FindStringSubmatch(st.Text); m != nil {
				k, _ := strconv.Atoi(m[1])
				n += k
			}
		}
	}
	return n
}

// verbsSent is the set of command verbs clients sent, in upper case.
func verbsSent(tr *trace.Trace) map[string]bool {
	sent := map[string]bool{}
	for _, st := range tr.Steps {
		if st.Kind != trace.Command || st.ByServer {
			continue
		}
		v := st.Verb
		if v == "" {
			v, _, _ = strings.Cut(strings.TrimSpace(st.Text), " ")
		}
		sent[strings.ToUpper(v)] = true
	}
	return sent
}
