package explain

import (
	"strconv"
	"strings"
)

// SMTP explains an SMTP reply. lang is "en" or "zh" (anything else falls back
// to "en"); code is the three-digit reply code; enhanced is the enhanced
// status code ("5.1.1") or ""; verb is the upper-case command the reply
// answers: "MAIL", "RCPT", "DATA", "EOD" for the reply after the final dot,
// "GREETING" for the connect greeting, "EHLO", "HELO", "AUTH", "STARTTLS",
// "BDAT", "RSET", "NOOP", "QUIT", "VRFY", "EXPN", "HELP", or "" when unknown.
//
// Every code gets an answer: a code this package does not know is explained
// by its first digit, as RFC 5321 §4.2.1 and §4.3.2 tell clients to do, and
// an unknown enhanced code by its class and subject (RFC 3463).
func SMTP(lang string, code int, enhanced string, verb string) Entry {
	lang = normLang(lang)
	verb = strings.ToUpper(strings.TrimSpace(verb))
	enhanced = strings.TrimSpace(enhanced)
	class := code / 100
	if code < 200 || code > 599 {
		return invalidSMTP(lang, code, enhanced)
	}

	e := Entry{Class: classText[class].in(lang)}
	adv, _ := adviceFor(class, verb)
	row := findSMTP(code, enhanced, verb)
	if row == nil {
		e.Summary = unknownSummary(lang, code)
		e.Detail = join(lang, unknownDetail(lang, code), adv.context.in(lang))
		e.Next = adv.next.in(lang)
		e.RFC = "RFC 5321 §4.2.1"
	} else {
		e.Summary = row.summary.in(lang)
		e.Detail = row.detail.in(lang)
		if row.next.empty() {
			e.Next = adv.next.in(lang)
			if row.verbs == nil {
				e.Detail = join(lang, e.Detail, adv.context.in(lang))
			}
		} else {
			e.Next = row.next.in(lang)
		}
		e.RFC = row.rfc
		if e.RFC == "" {
			e.RFC = adv.rfc
		}
	}
	if enhanced != "" && (row == nil || row.enhanced != enhanced) {
		e.Summary += enhancedSuffix(lang, enhanced)
	}
	e.Detail = join(lang, e.Detail, enhancedNote(lang, class, enhanced))
	return e
}

// findSMTP returns the most specific row for the reply, or nil.
func findSMTP(code int, enhanced, verb string) *smtpReply {
	var best *smtpReply
	bestScore := -1
	for i := range smtpReplies {
		r := &smtpReplies[i]
		if r.code != code {
			continue
		}
		score := 0
		if r.enhanced != "" {
			if r.enhanced != enhanced {
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

// classText is the meaning of the first digit (RFC 5321 §4.2.1).
var classText = map[int]text{
	2: t("2yz Positive completion: the requested action was carried out; the client may go on with its next request.",
		"2yz 肯定完成应答：请求的操作已经完成，客户端可以继续下一个请求。"),
	3: t("3yz Positive intermediate: the command was accepted, but the server needs more before it can act (the message text after 354, a SASL response after 334).",
		"3yz 肯定中间应答：命令已被接受，但服务器还需要更多信息才能完成（354 之后的邮件内容，334 之后的认证应答）。"),
	4: t("4yz Transient failure: the action was not taken, but the same command may succeed later, so the client retries.",
		"4yz 临时性失败：操作没有执行，但同样的命令稍后可能成功，客户端应当稍后重试。"),
	5: t("5yz Permanent failure: the action was not taken, and repeating the same request unchanged will fail again.",
		"5yz 永久性失败：操作没有执行，原样重发同一个请求仍会失败。"),
}

// unknownSummary names a code that has no row.
func unknownSummary(lang string, code int) string {
	c := strconv.Itoa(code)
	short := classShort[code/100].in(lang)
	if lang == "zh" {
		return "应答码 " + c + "（RFC 5321 未定义）：" + short
	}
	return "Reply code " + c + " (not defined in RFC 5321): " + short
}

var classShort = map[int]text{
	2: t("positive completion", "肯定完成"),
	3: t("positive intermediate", "肯定中间应答"),
	4: t("transient failure", "临时性失败"),
	5: t("permanent failure", "永久性失败"),
}

// unknownDetail explains an unknown code by its digits.
func unknownDetail(lang string, code int) string {
	c := strconv.Itoa(code)
	d1, d2 := byte('0'+code/100), byte('0'+code/10%10)
	if lang == "zh" {
		return "客户端遇到不认识的应答码时，只根据第一位数字行事（RFC 5321 §4.2.1、§4.3.2）。" +
			"第一位 " + string(d1) + "：" + Digit(lang, 1, d1) +
			"第二位 " + string(d2) + "：" + Digit(lang, 2, d2) +
			"（" + c + " 不是 RFC 5321 列出的代码，这里只能按数字解释。）"
	}
	return "A client that meets a code it does not know acts on the first digit alone (RFC 5321 §4.2.1, §4.3.2). " +
		"First digit " + string(d1) + ": " + Digit(lang, 1, d1) + " " +
		"Second digit " + string(d2) + ": " + Digit(lang, 2, d2) + " " +
		"(" + c + " is not a code RFC 5321 lists, so only its digits can be read.)"
}

// invalidSMTP explains a number that cannot be an SMTP reply code.
func invalidSMTP(lang string, code int, enhanced string) Entry {
	c := strconv.Itoa(code)
	e := Entry{
		Summary: t("Not a valid SMTP reply code: "+c, "不是合法的 SMTP 应答码："+c).in(lang),
		Class: t("Invalid class: a reply code has three digits and starts with 2, 3, 4 or 5.",
			"类别无效：应答码必须是三位数字，且首位是 2、3、4 或 5。").in(lang),
		Detail: t("Servers must not send codes that are not three digits or that start with anything but 2 to 5. A client should treat such a reply as a fatal error.",
			"服务器不得发送不是三位数、或首位不在 2 到 5 之间的应答码。客户端应把这样的应答当作致命错误。").in(lang),
		Next: t("Treat it as a fatal error: end the mail transaction and close the connection; keep the message in the queue.",
			"按致命错误处理：结束本次邮件事务并关闭连接；邮件留在邮件队列中。").in(lang),
		RFC: "RFC 5321 §4.2",
	}
	if enhanced != "" {
		e.Summary += enhancedSuffix(lang, enhanced)
	}
	return e
}

// enhancedSuffix adds the enhanced code's meaning to a summary.
func enhancedSuffix(lang, enhanced string) string {
	if lang == "zh" {
		return "；增强状态码 " + enhanced + "：" + Enhanced(lang, enhanced)
	}
	return "; enhanced code " + enhanced + ": " + Enhanced(lang, enhanced)
}

// enhancedNote points out an enhanced code that does not fit the reply code
// (RFC 2034 §4: the classes must agree; 3xx replies carry no code).
func enhancedNote(lang string, class int, enhanced string) string {
	if enhanced == "" {
		return ""
	}
	c, ok := parseEnhanced(enhanced)
	if !ok {
		return ""
	}
	if class == 3 {
		return t("Note: 3xx replies carry no enhanced status code (RFC 2034 §4).",
			"注意：3xx 应答不带增强状态码（RFC 2034 §4）。").in(lang)
	}
	if c.class == class {
		return ""
	}
	a, b := strconv.Itoa(c.class), strconv.Itoa(class)
	return t("Note: the enhanced code's class ("+a+") does not agree with the reply's first digit ("+b+"); RFC 2034 §4 requires them to match, and a client follows the three-digit code.",
		"注意：增强状态码的类别（"+a+"）与应答码的首位（"+b+"）不一致；RFC 2034 §4 要求二者相符，客户端应以三位应答码为准。").in(lang)
}

// Digit explains one digit of an SMTP reply code for the "anatomy of a reply
// code" widget (RFC 5321 §4.2.1). position is 1, 2 or 3; digit is an ASCII
// digit ('5') or its value (5). Other positions give "".
func Digit(lang string, position int, digit byte) string {
	lang = normLang(lang)
	if digit >= '0' && digit <= '9' {
		digit -= '0'
	}
	if digit > 9 {
		return t("Not a digit: reply codes are made of the digits 0–9.",
			"不是数字：应答码只由数字 0–9 组成。").in(lang)
	}
	switch position {
	case 1:
		if x, ok := firstDigit[digit]; ok {
			return x.in(lang)
		}
		return t(string('0'+digit)+"yz: not a valid first digit; a reply code starts with 2, 3, 4 or 5, and a client treats anything else as a fatal error (RFC 5321 §4.2).",
			string('0'+digit)+"yz：不是合法的首位数字；应答码首位只能是 2、3、4 或 5，客户端应把其他情况当作致命错误（RFC 5321 §4.2）。").in(lang)
	case 2:
		if x, ok := secondDigit[digit]; ok {
			return x.in(lang)
		}
		return t("x"+string('0'+digit)+"z: not valid; the second digit is 0 to 5 (RFC 5321 §4.2).",
			"x"+string('0'+digit)+"z：不合法；第二位只能是 0 到 5（RFC 5321 §4.2）。").in(lang)
	case 3:
		return t("xy"+string('0'+digit)+": the third digit gives a finer shade of meaning within the group named by the second digit; look the whole code up to know exactly what it says.",
			"xy"+string('0'+digit)+"：第三位在第二位所划分的类别之内给出更细的含义，要查整个应答码才能知道它的确切意思。").in(lang)
	}
	return ""
}

var firstDigit = map[byte]text{
	0: t("0yz: not used; a valid SMTP reply code starts with 2, 3, 4 or 5 (RFC 5321 §4.2).",
		"0yz：不使用；合法的 SMTP 应答码首位只能是 2、3、4 或 5（RFC 5321 §4.2）。"),
	1: t("1yz: not used in SMTP (FTP has positive preliminary replies, SMTP does not); a client treats it as a fatal error.",
		"1yz：SMTP 不使用（FTP 有“肯定预备应答”，SMTP 没有）；客户端应把它当作致命错误。"),
	2: t("2yz Positive completion: the request was carried out; the client may send its next command.",
		"2yz 肯定完成应答：请求已经完成，客户端可以发送下一条命令。"),
	3: t("3yz Positive intermediate: accepted so far, but the server waits for more (the message text after 354, a SASL response after 334).",
		"3yz 肯定中间应答：到目前为止已被接受，但服务器还在等待更多内容（354 之后的邮件内容，334 之后的认证应答）。"),
	4: t("4yz Transient negative completion: not done this time, but the same command may succeed later, so retry.",
		"4yz 临时性失败：这次没有执行，但同样的命令稍后可能成功，所以要重试。"),
	5: t("5yz Permanent negative completion: not done, and repeating the same request unchanged will fail again.",
		"5yz 永久性失败：没有执行，原样重发同一个请求仍会失败。"),
}

var secondDigit = map[byte]text{
	0: t("x0z Syntax: syntax errors, commands that fit no other group, and unimplemented or superfluous commands (500–504).",
		"x0z 语法：语法错误、不属于其他类别的命令，以及未实现或多余的命令（500–504）。"),
	1: t("x1z Information: replies to requests for information, such as status or help (211, 214).",
		"x1z 信息：对查询信息的请求的应答，例如系统状态或帮助（211、214）。"),
	2: t("x2z Connections: replies about the transmission channel (220, 221, 421).",
		"x2z 连接：与传输通道有关的应答（220、221、421）。"),
	3: t("x3z Unspecified by RFC 5321; the AUTH extension uses it (235, 334, 535).",
		"x3z RFC 5321 未作规定；AUTH 扩展使用了它（235、334、535）。"),
	4: t("x4z Unspecified by RFC 5321.",
		"x4z RFC 5321 未作规定。"),
	5: t("x5z Mail system: the state of the receiving mail system for this transfer (250, 354, 450, 550).",
		"x5z 邮件系统：接收方邮件系统在这次传输中的状态（250、354、450、550）。"),
}
