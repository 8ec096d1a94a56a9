package explain

// advice is what a correct client does when a command gets a reply of some
// class, whatever the exact code (PROTOCOL.md §4). It is used for codes this
// package does not know (RFC 5321 §4.2.1: act on the first digit) and for
// rows of smtpReplies that leave next empty because the reaction depends on
// the command rather than on the code (a 450 to RCPT defers one recipient, a
// 450 after the final dot defers the whole message).
type advice struct {
	class   int      // first digit of the reply code
	verbs   []string // commands it applies to; nil: any command
	context text     // added to a generic row's Detail: what the reply means at this point
	next    text
	rfc     string
}

// smtpAdvice is searched in order; the first row whose class and verbs match
// wins, so each class ends with a row for any command.
var smtpAdvice = []advice{
	// 2yz: positive completion.
	{class: 2,
		next: t("Go on with the next step of the dialogue.",
			"继续会话的下一步。"),
		rfc: "RFC 5321 §4.2.1"},

	// 3yz: positive intermediate.
	{class: 3,
		next: t("Send what the server is waiting for: the message text after 354, the next SASL response after 334.",
			"发送服务器正在等待的内容：354 之后发送邮件内容，334 之后发送下一条认证应答。"),
		rfc: "RFC 5321 §4.2.1"},

	// 4yz: transient failure.
	{class: 4, verbs: verbs("GREETING"),
		context: t("The server refused the session before it began.",
			"服务器在会话开始之前就拒绝了它。"),
		next: t("Close the connection and try again later, or try the domain's next MX host; the message stays in the queue.",
			"关闭连接，稍后再试，或者改用该域的下一个 MX 主机；邮件留在邮件队列中。"),
		rfc: "RFC 5321 §4.5.4.1"},
	{class: 4, verbs: verbs("MAIL"),
		context: t("No transaction was started.",
			"事务没有开始。"),
		next: t("Abort this transaction (RSET), keep the whole message in the queue and retry later; retries must be spaced out, typically by 30 minutes or more.",
			"放弃本次事务（发送 RSET），整封邮件留在邮件队列中稍后重试；重试之间要有间隔，通常不少于 30 分钟。"),
		rfc: "RFC 5321 §4.5.4.1"},
	{class: 4, verbs: verbs("RCPT"),
		context: t("Only this recipient is affected; recipients already accepted stay accepted.",
			"只影响这一个收件人，之前已接受的收件人仍然有效。"),
		next: t("Keep this recipient in the queue and retry it later (RFC 5321 §4.5.4.1). Carry on with the other recipients and send DATA if at least one was accepted.",
			"把这个收件人留在邮件队列中，稍后重试（RFC 5321 §4.5.4.1）。其他收件人照常继续；只要至少有一个收件人被接受，就发送 DATA。"),
		rfc: "RFC 5321 §4.5.4.1"},
	{class: 4, verbs: verbs("DATA"),
		context: t("No 354 came, so the server is not reading message text.",
			"没有收到 354，服务器并没有开始读取邮件内容。"),
		next: t("Do not send the message text. Send RSET, keep the message in the queue and retry later.",
			"不要发送邮件内容。发送 RSET，邮件留在邮件队列中稍后重试。"),
		rfc: "RFC 5321 §4.1.1.4"},
	{class: 4, verbs: verbs("EOD"),
		context: t("A reply after the final dot covers the whole message: it was accepted for no recipient, and the server must not deliver it.",
			"数据结束标记之后的应答针对整封邮件：邮件没有为任何收件人接受，服务器也不得投递它。"),
		next: t("Keep the message in the queue for every recipient and retry later: the client is still responsible for it.",
			"把邮件按全部收件人留在邮件队列中，稍后重试：这封邮件仍由客户端负责。"),
		rfc: "RFC 5321 §4.2.5"},
	{class: 4, verbs: verbs("BDAT"),
		context: t("The server still reads and throws away the chunk's octets.",
			"服务器仍会读完并丢弃这个数据块的字节。"),
		next: t("Stop sending chunks, send RSET, keep the message in the queue and retry later.",
			"停止发送数据块，发送 RSET，邮件留在邮件队列中稍后重试。"),
		rfc: "RFC 3030 §2"},
	{class: 4, verbs: verbs("AUTH"),
		next: t("Authentication did not happen, for a temporary reason: try again later. Do not ask the user for a new password.",
			"由于临时原因，身份认证没有完成：稍后再试。不要让用户重新输入密码。"),
		rfc: "RFC 4954 §6"},
	{class: 4, verbs: verbs("STARTTLS"),
		next: t("Local policy decides: continue without encryption, retry later, or give up. Never send a password in plaintext just because TLS failed.",
			"由本地策略决定：不加密继续、稍后重试或放弃。不要因为 TLS 失败就用明文发送密码。"),
		rfc: "RFC 3207 §4"},
	{class: 4,
		next: t("Wait and send the same command again later; retries must be spaced out (RFC 5321 §4.5.4.1).",
			"等一段时间后再发送同样的命令；重试之间要有间隔（RFC 5321 §4.5.4.1）。"),
		rfc: "RFC 5321 §4.2.1"},

	// 5yz: permanent failure.
	{class: 5, verbs: verbs("GREETING"),
		context: t("The server refuses this session.",
			"服务器拒绝了这次会话。"),
		next: t("Send QUIT and close. Treat it as a permanent failure for this host: try the domain's other MX hosts, or bounce the message to the sender.",
			"发送 QUIT 并关闭连接。对这台主机按永久性失败处理：尝试该域的其他 MX 主机，或者给发件人退信。"),
		rfc: "RFC 5321 §3.1"},
	{class: 5, verbs: verbs("EHLO", "HELO"),
		next: t("If the server does not know EHLO, greet with HELO instead; if it refuses your greeting for another reason, fix the domain argument or QUIT. No mail can be sent before a greeting is accepted.",
			"如果服务器不认识 EHLO，就改用 HELO；如果是其他原因拒绝了问候，就修正域名参数或发送 QUIT。问候被接受之前无法发送邮件。"),
		rfc: "RFC 5321 §4.1.1.1"},
	{class: 5, verbs: verbs("MAIL"),
		context: t("No transaction was started.",
			"事务没有开始。"),
		next: t("Send RSET. The message cannot be sent this way: do not repeat the same MAIL FROM; bounce the message to the sender (a DSN), unless the sender is the null sender <>.",
			"发送 RSET。这封邮件无法这样发出：不要重复同样的 MAIL FROM；给发件人发退信（DSN），除非发件人是空发件人 <>。"),
		rfc: "RFC 5321 §4.2.1"},
	{class: 5, verbs: verbs("RCPT"),
		context: t("Only this recipient is refused; recipients already accepted are unaffected and the transaction goes on.",
			"只有这个收件人被拒绝，已接受的收件人不受影响，事务继续进行。"),
		next: t("Mark this recipient as failed (report it to the sender in a bounce) and carry on with the others. If no recipient was accepted, send RSET instead of DATA.",
			"把这个收件人标记为失败（之后在退信中告知发件人），继续处理其他收件人。如果没有任何收件人被接受，就发送 RSET 而不是 DATA。"),
		rfc: "RFC 5321 §3.3"},
	{class: 5, verbs: verbs("DATA"),
		context: t("No 354 came, so the server is not reading message text.",
			"没有收到 354，服务器并没有开始读取邮件内容。"),
		next: t("Do not send the message text; send RSET.",
			"不要发送邮件内容，发送 RSET。"),
		rfc: "RFC 5321 §3.3"},
	{class: 5, verbs: verbs("EOD"),
		context: t("A reply after the final dot covers the whole message: it was refused for every recipient.",
			"数据结束标记之后的应答针对整封邮件：所有收件人都被拒绝了。"),
		next: t("Remove the message from the queue and send a bounce (DSN) to the sender; do not resend it unchanged.",
			"把邮件移出邮件队列，给发件人发退信（DSN）；不要原样重发。"),
		rfc: "RFC 5321 §4.2.5"},
	{class: 5, verbs: verbs("BDAT"),
		context: t("The server still reads and throws away the chunk's octets.",
			"服务器仍会读完并丢弃这个数据块的字节。"),
		next: t("Stop sending chunks and send RSET; the message failed, so bounce it to the sender.",
			"停止发送数据块并发送 RSET；邮件发送失败，给发件人退信。"),
		rfc: "RFC 3030 §2"},
	{class: 5, verbs: verbs("AUTH"),
		next: t("Do not repeat the same credentials with the same mechanism. Fix the cause (another mechanism, correct credentials, STARTTLS first), or go on without authentication if the server allows it.",
			"不要用同一机制重复同样的凭据。先解决问题（换一种机制、改正凭据、先执行 STARTTLS），或者在服务器允许时不认证继续。"),
		rfc: "RFC 4954 §4"},
	{class: 5, verbs: verbs("STARTTLS"),
		next: t("The session stays unencrypted. Continue without TLS only if your policy allows it; otherwise QUIT.",
			"会话仍是明文。只有本地策略允许时才不加密继续，否则发送 QUIT。"),
		rfc: "RFC 3207 §4"},
	{class: 5, verbs: verbs("VRFY", "EXPN"),
		next: t("Nothing to undo: VRFY and EXPN only ask for information. When you send mail, the reply to RCPT TO is what counts.",
			"无需处理：VRFY 和 EXPN 只是查询信息。真正发信时，以 RCPT TO 的应答为准。"),
		rfc: "RFC 5321 §3.5"},
	{class: 5,
		next: t("Do not send the same command again unchanged: correct it, or give up this step.",
			"不要原样重发同一条命令：先改正它，或者放弃这一步。"),
		rfc: "RFC 5321 §4.2.1"},
}

// adviceFor returns the advice for a reply of this class to verb.
func adviceFor(class int, verb string) (advice, bool) {
	for _, a := range smtpAdvice {
		if a.class == class && (a.verbs == nil || hasVerb(a.verbs, verb)) {
			return a, true
		}
	}
	return advice{}, false
}
