package explain

import "strings"

// POP3 explains a POP3 response. status is "+OK", "-ERR" or "+" (a SASL
// continuation during AUTH); respCode is the RFC 2449 response code without
// its brackets ("IN-USE", "LOGIN-DELAY", "SYS/TEMP", "AUTH", "UTF8") or "";
// verb is the command the response answers (USER, PASS, APOP, AUTH, STAT,
// LIST, RETR, DELE, NOOP, RSET, QUIT, TOP, UIDL, CAPA, STLS, UTF8), "GREETING"
// for the greeting, or "" when unknown.
//
// Where the meaning depends on the session's state (QUIT deletes marked
// messages only after a login), the entry explains both cases; POP3In picks
// one when the caller knows the state.
func POP3(lang string, status string, respCode string, verb string) Entry {
	return POP3In(lang, status, respCode, verb, "")
}

// POP3In is POP3 for a caller that knows the state the server was in when it
// received the command: "AUTHORIZATION" or "TRANSACTION" ("UPDATE" counts as
// TRANSACTION, since only QUIT from TRANSACTION reaches it). "" means unknown.
func POP3In(lang, status, respCode, verb, state string) Entry {
	lang = normLang(lang)
	status = strings.ToUpper(strings.TrimSpace(status))
	verb = strings.ToUpper(strings.TrimSpace(verb))
	state = normPOP3State(state)
	code := strings.ToUpper(strings.Trim(strings.TrimSpace(respCode), "[]"))

	cls, ok := pop3Class[status]
	if !ok {
		return Entry{
			Summary: t("Not a valid POP3 response", "不是合法的 POP3 应答").in(lang),
			Class: t("Every POP3 response starts with +OK or -ERR, in upper case (or \"+\" inside an AUTH exchange).",
				"每个 POP3 应答都以大写的 +OK 或 -ERR 开头（AUTH 交互中也可以是“+”）。").in(lang),
			Detail: t("The server broke the protocol: the client cannot tell whether the command succeeded.",
				"服务器违反了协议：客户端无法判断命令是否成功。").in(lang),
			Next: t("Treat it as a protocol error and close the connection. Without QUIT the session never reaches the UPDATE state, so nothing marked for deletion is removed.",
				"按协议错误处理，关闭连接。没有 QUIT，会话不会进入更新状态，因此标记删除的邮件不会被删除。").in(lang),
			RFC: "RFC 1939 §3",
		}
	}

	// Response codes are hierarchical: a client ignores the levels it does
	// not know (RFC 2449 §8), so "SYS/TEMP/DISK" is read as "SYS/TEMP".
	var row *pop3Reply
	used := code
	for {
		row = findPOP3(status, used, verb, state)
		if row != nil || used == "" {
			break
		}
		if i := strings.LastIndexByte(used, '/'); i >= 0 {
			used = used[:i]
		} else {
			used = ""
		}
	}

	e := Entry{Class: cls.in(lang)}
	if row != nil {
		e.Summary = row.summary.in(lang)
		e.Detail = row.detail.in(lang)
		e.Next = row.next.in(lang)
		e.RFC = row.rfc
	}
	if code != "" && used != code {
		e.Summary += " [" + code + "]"
		e.Detail = join(lang, e.Detail, t("The response code ["+code+"] is not one this lab knows; a client ignores the parts of a response code it does not understand (RFC 2449 §8).",
			"扩展应答码 ["+code+"] 不在本实验已知的范围内；客户端会忽略扩展应答码中它不理解的部分（RFC 2449 §8）。").in(lang))
	}
	return e
}

// POP3Greeting explains the +OK greeting when the caller knows whether it
// carries an APOP timestamp (<…@host>).
func POP3Greeting(lang string, apop bool) Entry {
	lang = normLang(lang)
	g := greetingPlain
	if apop {
		g = greetingAPOP
	}
	return Entry{
		Summary: g.summary.in(lang),
		Class:   pop3Class["+OK"].in(lang),
		Detail:  g.detail.in(lang),
		Next:    g.next.in(lang),
		RFC:     g.rfc,
	}
}

func normPOP3State(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	switch {
	case strings.HasPrefix(s, "AUTH"):
		return "AUTHORIZATION"
	case strings.HasPrefix(s, "TRANS"), s == "UPDATE":
		return "TRANSACTION"
	}
	return ""
}

// findPOP3 returns the most specific row: a row for the state beats a row for
// the command, which beats a generic row; among equals the first wins.
func findPOP3(status, code, verb, state string) *pop3Reply {
	var best *pop3Reply
	bestScore := -1
	for i := range pop3Replies {
		r := &pop3Replies[i]
		if r.status != status || r.code != code {
			continue
		}
		score := 0
		if r.state != "" {
			if r.state != state {
				continue
			}
			score += 2
		}
		if r.verbs != nil {
			if !hasVerb(r.verbs, verb) {
				continue
			}
			score++
		}
		if score > bestScore {
			best, bestScore = r, score
		}
	}
	return best
}

// pop3Class is the meaning of the status indicator (RFC 1939 §3; "+" is the
// SASL continuation of RFC 5034).
var pop3Class = map[string]text{
	"+OK": t("+OK: positive status indicator: the command succeeded.",
		"+OK：肯定状态指示，命令执行成功。"),
	"-ERR": t("-ERR: negative status indicator: the command failed, is unknown, or is not allowed in the current state.",
		"-ERR：否定状态指示，命令失败、无法识别，或在当前状态下不允许执行。"),
	"+": t("+: continuation: the server is in the middle of an AUTH (SASL) exchange and waits for the client's next line.",
		"+：继续，服务器正处在 AUTH（SASL）认证交互之中，等待客户端的下一行。"),
}
