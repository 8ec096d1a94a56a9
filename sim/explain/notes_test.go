package explain

import (
	"maps"
	"regexp"
	"strings"
	"testing"
)

// noteExamples are engine texts (sim/smtp, sim/pop3, sim/scenario,
// sim/native) with their exact Chinese. Every rule of noteRules is the
// first to match one of them (TestEveryNoteRuleHasAnExample), so a rule
// that is changed or shadowed by a new one shows up here.
var noteExamples = []struct{ en, zh string }{
	{"[00:00:00] connection 1: alice (smtplib) → mail.example.com (smtp)",
		"[00:00:00] 连接 1：alice (smtplib) → mail.example.com（smtp）"},
	{"[00:02:05] connection 3: 192.0.2.7:50312 → mail.example.com (smtp, implicit TLS)",
		"[00:02:05] 连接 3：192.0.2.7:50312 → mail.example.com（smtp，隐式 TLS）"},
	{"smtp, implicit TLS",
		"smtp，隐式 TLS"},
	{"connection 2 closed",
		"连接 2 已关闭"},
	{"connection 4 closed: too many connections",
		"连接 4 已关闭：连接数过多"},
	{"no reply for 10m0s: the client gives up (RFC 5321 §4.5.3.2)",
		"等了 10 分钟仍没有应答：客户端超时放弃（RFC 5321 §4.5.3.2）"},
	{"server: READY → MAIL",
		"服务器状态：READY → MAIL"},
	{"client: HELLO → STARTTLS",
		"客户端状态：HELLO → STARTTLS"},
	{"server: TRANSACTION → UPDATE",
		"服务器状态：TRANSACTION（事务状态） → UPDATE（更新状态）"},
	{"TLS handshake done: from here on the dialogue is encrypted; the client must send EHLO again (RFC 3207 §4.2)",
		"TLS 握手完成：此后的对话全部加密；客户端必须重新发送 EHLO（RFC 3207 §4.2）"},
	{"TLS handshake starts",
		"TLS 握手开始"},
	{"queued as FC65BD9295: from <> to <alice@example.com>",
		"已进入邮件队列，队列 ID FC65BD9295：发件人 <>（空发件人），收件人 <alice@example.com>"},
	{"queued as FC65BD9295: from <alice@example.com> to <bob@example.org>, <carol@example.org>",
		"已进入邮件队列，队列 ID FC65BD9295：发件人 <alice@example.com>，收件人 <bob@example.org>、<carol@example.org>"},
	{"the server drops the connection without a reply",
		"服务器不作应答，直接断开连接"},
	{"the server stops answering",
		"服务器停止应答"},
	{"the server stops answering (fault): the client will time out",
		"服务器停止应答（故障注入）：客户端将会超时"},
	{"the server waits 1m30s before answering",
		"服务器等待 1 分钟 30 秒后才应答"},
	{"the server closes the connection",
		"服务器关闭连接"},
	{"smtplib: not a reply line: the client cannot understand the server and gives up (RFC 5321 §4.2)",
		"smtplib：收到的不是应答行：客户端无法理解服务器，只能放弃（RFC 5321 §4.2）"},
	{"mta: the final dot was sent but no verdict came: the client must assume the message was not delivered and try again later; it may arrive twice (RFC 5321 §4.1.1.4)",
		"mta：数据结束标记（最后的“.”）已发出，却没有等到结果应答：客户端必须当作邮件没有投递成功，稍后重试；因此邮件可能会被投递两次（RFC 5321 §4.1.1.4）"},
	{"telnet: a reply nobody asked for: ignored",
		"telnet：收到一条没有对应命令的应答：忽略"},
	{"curl: 421: the server is closing the connection; the client sends nothing more and will try again later",
		"curl：421：服务器正在关闭连接；客户端不再发送任何命令，稍后再重试"},
	{"swaks: EHLO refused: the client falls back to HELO (RFC 5321 §3.2)",
		"swaks：EHLO 被拒绝：客户端退回使用 HELO（RFC 5321 §3.2）"},
	{"thunderbird: the server does not offer STARTTLS but this client requires it (RFC 3207 §4)",
		"thunderbird：服务器没有提供 STARTTLS，而这个客户端要求必须加密（RFC 3207 §4）"},
	{"smtplib: the server offers no AUTH mechanism this client can use; it goes on without logging in",
		"smtplib：服务器提供的 AUTH 认证机制中没有这个客户端能用的；客户端不进行身份认证，直接继续"},
	{"mta: STARTTLS refused: this client goes on without encryption (RFC 3207 §4)",
		"mta：STARTTLS 被拒绝：这个客户端不加密，继续以明文通信（RFC 3207 §4）"},
	{"smtplib: 535: smtplib tries the next mechanism it knows (LOGIN)",
		"smtplib：535：smtplib 改用它支持的下一种认证机制（LOGIN）"},
	{"mta: a second transaction for the recipients the server could not take in the first (452, RFC 5321 §4.5.3.1.10)",
		"mta：为第一个事务中服务器没能接收的收件人开启第二个事务（452，RFC 5321 §4.5.3.1.10）"},
	{"smtplib: recipient <bob@example.org> refused permanently (550); the client carries on with the others",
		"smtplib：收件人 <bob@example.org> 被永久拒绝（550），客户端继续处理其他收件人"},
	{"thunderbird: recipient <bob@example.org> refused for now (451); the client will try it again later (RFC 5321 §4.5.4.1)",
		"thunderbird：收件人 <bob@example.org> 暂时被拒绝（451），客户端稍后会对该收件人重试（RFC 5321 §4.5.4.1）"},
	{"TLS handshake done: from here on the dialogue is encrypted (RFC 2595 §4)",
		"TLS 握手完成：此后的对话全部加密（RFC 2595 §4）"},
	{"the client closes the connection",
		"客户端关闭连接"},
	{"smtplib: raises SMTPRecipientsRefused; the script catches it and calls quit()",
		"smtplib：抛出 SMTPRecipientsRefused 异常；脚本捕获该异常并调用 quit()"},
	{"smtplib: raises SMTPConnectError and closes the connection without QUIT",
		"smtplib：抛出 SMTPConnectError 异常，不发送 QUIT 就关闭连接"},
	{"smtplib: raises SMTPServerDisconnected",
		"smtplib：抛出 SMTPServerDisconnected 异常"},
	{"mua: shows its user an error: the server refused service at the greeting and closes the connection without QUIT",
		"mua：向用户显示错误：服务器在问候时拒绝提供服务，不发送 QUIT 就关闭连接"},
	{"curl: stops with exit 8",
		"curl：终止，退出码 8"},
	{"curl: stops with exit 56 (failure receiving network data)",
		"curl：终止，退出码 56（接收网络数据失败）"},
	{"telnet: the person reads the error: EHLO and HELO were refused",
		"telnet：输入命令的人看到错误：EHLO 和 HELO 都被拒绝"},
	{"swaks-pipeline: reports: the recipients were refused",
		"swaks-pipeline：报告错误：收件人被拒绝"},
	{"mta: records the error: the connection was closed",
		"mta：记下错误：连接已关闭"},
	{"<bob@example.org>: not sent (no reply within 5m0s (RFC 5321 §4.5.3.2)); a mail program does not queue: the user must send again later",
		"<bob@example.org>：没有发出（5 分钟内没有应答，参见 RFC 5321 §4.5.3.2）；邮件客户端没有邮件队列，不会自动重试：用户需要稍后重新发送"},
	{"<bob@example.org>: not sent (the connection dropped); a mail program does not queue: the user must send again later",
		"<bob@example.org>：没有发出（连接中断）；邮件客户端没有邮件队列，不会自动重试：用户需要稍后重新发送"},
	{"<bob@example.org>: not sent (the session ended before a verdict); a mail program does not queue: the user must send again later",
		"<bob@example.org>：没有发出（会话在得到结果应答之前就结束了）；邮件客户端没有邮件队列，不会自动重试：用户需要稍后重新发送"},
	{"<bob@example.org>: not sent (not sent: the client stopped); a mail program does not queue: the user must send again later",
		"<bob@example.org>：没有发出（客户端已中止发送）；邮件客户端没有邮件队列，不会自动重试：用户需要稍后重新发送"},
	{"<bob@example.org>: not sent (451 4.7.1 Greylisted, try again later); a mail program does not queue: the user must send again later",
		"<bob@example.org>：没有发出（451 4.7.1 Greylisted, try again later）；邮件客户端没有邮件队列，不会自动重试：用户需要稍后重新发送"},
	{"<nobody@example.org>: refused (550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in local recipient table); the program reports the error to its user, no bounce is needed",
		"<nobody@example.org>：被拒绝（550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in local recipient table）；程序直接向用户报告错误，不需要退信"},
	{"mail.example.com looks up the MX record of example.org in DNS: mx.example.org",
		"mail.example.com 在 DNS 中查询 example.org 的 MX 记录：mx.example.org"},
	{"DNS: nowhere.example has no MX record and no such host: the message cannot be routed",
		"DNS：nowhere.example 既没有 MX 记录，也没有同名主机：邮件无法路由"},
	{"mail.example.com: <alice@example.com> failed, but the message was a bounce (sender <>): it is not bounced again (RFC 5321 §6.1)",
		"mail.example.com：<alice@example.com> 投递失败，但这封邮件本身就是退信（空发件人 <>）：不会再为它发送退信（RFC 5321 §6.1）"},
	{"mail.example.com: <nobody@example.org>, <gone@example.org> failed permanently: the server sends a bounce (a DSN, RFC 3464) to <alice@example.com>",
		"mail.example.com：<nobody@example.org>、<gone@example.org> 永久性投递失败：服务器向 <alice@example.com> 发送退信，即投递状态通知（DSN，RFC 3464）"},
	{"alice (mta): bounce 1A2B3C4D5E queued for <dan@example.net>",
		"alice (mta)：退信 1A2B3C4D5E 已进入邮件队列，将发往 <dan@example.net>"},
	{"mx.example.org: delivered to bob's maildrop (bob@example.org)",
		"mx.example.org：已投递到 bob 的邮箱（bob@example.org）"},
	{"mail.example.com: the message FC65BD9295 waits in the queue for 30 min before the next try (RFC 5321 §4.5.4.1)",
		"mail.example.com：邮件 FC65BD9295 在邮件队列中等待 30 分钟，然后再次重试（RFC 5321 §4.5.4.1）"},
	{"mail.example.com: FC65BD9295 has been in the queue for 5 days: the server gives up (RFC 5321 §4.5.4.1)",
		"mail.example.com：FC65BD9295 在邮件队列中已停留 5 天：服务器放弃投递（RFC 5321 §4.5.4.1）"},
	{"mail.example.com: <bob@example.org>, <carol@example.org> deferred; the message stays in the queue and is tried again in 2 h (RFC 5321 §4.5.4.1)",
		"mail.example.com：<bob@example.org>、<carol@example.org> 的投递被推迟；邮件留在邮件队列中，2 小时后重试（RFC 5321 §4.5.4.1）"},
	{"poplib raises error_proto('-ERR EOF') and the script stops",
		"poplib 抛出 error_proto('-ERR EOF') 异常，脚本终止"},
	{"poplib raises error_proto('-ERR [AUTH] Authentication failed.') and the script stops; the socket is closed without QUIT",
		"poplib 抛出 error_proto('-ERR [AUTH] Authentication failed.') 异常，脚本终止；套接字没有发送 QUIT 就被关闭"},
	{"poplib raises TimeoutError (socket timeout) and the script stops",
		"poplib 抛出 TimeoutError 异常（套接字超时），脚本终止"},
	{"poplib's stls() raises error_proto('-ERR STLS not supported by server') and the script stops",
		"poplib 的 stls() 抛出 error_proto('-ERR STLS not supported by server') 异常，脚本终止"},
	{"the client cannot read the server's reply (not a POP3 status line) and closes the connection",
		"客户端读不懂服务器的应答（不是 POP3 状态行），关闭连接"},
	{"line too long",
		"行太长"},
	{"a line the client did not ask for",
		"收到一行客户端并没有请求的内容"},
	{"not a POP3 status line",
		"不是 POP3 状态行"},
	{"curl gives up: operation timed out (exit 28)",
		"curl 放弃：操作超时（退出码 28）"},
	{"curl stops: the server closed the connection",
		"curl 停止：服务器关闭了连接"},
	{"curl closes the connection without QUIT: the server refused service",
		"curl 不发送 QUIT 就关闭连接：服务器拒绝提供服务"},
	{"curl --ssl-reqd and no TLS: curl closes the connection (exit 64)",
		"curl 使用了 --ssl-reqd，却无法启用 TLS：curl 关闭连接（退出码 64）"},
	{"curl: login denied (exit 67); it tries no other method and closes without QUIT",
		"curl：登录被拒绝（退出码 67）；它不会尝试其他认证方式，不发送 QUIT 就关闭连接"},
	{"curl reports the error and logs out",
		"curl 报告错误并退出登录"},
	{"curl runs one URL per connection (pop3://host/ lists, pop3://host/1 fetches message 1, -X DELE deletes); the lab folds them into one session",
		"curl 每个连接只处理一个 URL（pop3://host/ 列出邮件，pop3://host/1 取回第 1 封邮件，-X DELE 删除邮件）；本实验把它们合并成一个会话"},
	{"the mail program gives up waiting and shows a connection error",
		"邮件客户端不再等待，显示连接错误"},
	{"the mail program shows that the connection was lost",
		"邮件客户端提示连接已中断"},
	{"the mail program shows the server's refusal and closes the connection",
		"邮件客户端显示服务器的拒绝信息，然后关闭连接"},
	{"the account requires TLS and the server offers no STLS: the mail program will not send the password",
		"该账户要求使用 TLS，而服务器不提供 STLS：邮件客户端不会发送密码"},
	{"the mail program shows the server's message, logs out and asks the user for the password again",
		"邮件客户端显示服务器的消息，退出登录，并请用户重新输入密码"},
	{"the mail program shows the error and logs out",
		"邮件客户端显示错误并退出登录"},
	{"the client starts the TLS handshake; it sends nothing until it is done",
		"客户端开始 TLS 握手；握手完成之前不发送任何内容"},
	{"STLS was refused; TLS is optional for this job, so the client goes on in plaintext",
		"STLS 被拒绝；这次任务中 TLS 是可选的，所以客户端继续以明文通信"},
	{"the maildrop is locked by another session ([IN-USE], RFC 2449 §8.1.2): the password was right, try again later",
		"邮箱已被另一个会话锁定（[IN-USE]，RFC 2449 §8.1.2）：密码是正确的，请稍后再试"},
	{"message 2 (uid 1772442000.a040) was downloaded in an earlier session: skipped (UIDL, RFC 1939 §7)",
		"第 2 封邮件（UID 1772442000.a040）在之前的会话中已经下载过：跳过（UIDL，RFC 1939 §7）"},
	{"message 1 is kept on the server (leave messages on server)",
		"第 1 封邮件保留在服务器上（“在服务器上保留邮件”选项）"},
	{"the mail program reports RETR 1 failed and goes on with the next message",
		"邮件客户端报告 RETR 1 失败，继续处理下一封邮件"},
	{"the server could not remove every marked message (RFC 1939 §6)",
		"服务器没能删除全部已标记的邮件（RFC 1939 §6）"},
	{"2 messages marked with DELE stay on the server: the session never reached UPDATE (RFC 1939 §6)",
		"用 DELE 标记的 2 封邮件仍留在服务器上：会话始终没有进入更新状态（UPDATE，RFC 1939 §6）"},
	{"server discards 12 octets sent after STLS before the TLS handshake (RFC 2595 §4)",
		"服务器丢弃客户端在 STLS 之后、TLS 握手完成之前发送的 12 个字节（RFC 2595 §4）"},
	{"autologout: the server closes the connection without a response and removes nothing (RFC 1939 §3)",
		"自动登出：服务器不作应答就关闭连接，不删除任何邮件（RFC 1939 §3）"},
	{"1 message marked for deletion stays in the maildrop: no QUIT, so no UPDATE state (RFC 1939 §6)",
		"标记为删除的 1 封邮件仍留在邮箱中：没有 QUIT，就不会进入更新状态（UPDATE，RFC 1939 §6）"},
	{"UPDATE: removed 2 messages from bob's maildrop (uids 1772442000.798a, 1772442000.008c)",
		"UPDATE（更新状态）：已从 bob 的邮箱中删除 2 封邮件（UID：1772442000.798a、1772442000.008c）"},
	{"TLS 1.3 established (TLS_AES_128_GCM_SHA256): from here on the dialogue is encrypted",
		"TLS 1.3 连接已建立（TLS_AES_128_GCM_SHA256）：此后的对话全部加密"},
	{"TLS 1.3 established (TLS_AES_128_GCM_SHA256); the server's certificate was verified",
		"TLS 1.3 连接已建立（TLS_AES_128_GCM_SHA256）；服务器的证书已通过验证"},
	{"TLS 1.2 established (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256); the server's certificate was not verified",
		"TLS 1.2 连接已建立（TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256）；服务器的证书没有经过验证"},
	{"TLS handshake failed: remote error: tls: bad certificate",
		"TLS 握手失败：remote error: tls: bad certificate"},
	{"no reply within 30s: the client gives up",
		"30 秒内没有应答：客户端超时放弃"},
	{"the server closed the connection",
		"服务器关闭了连接"},
	{"the connection broke: read tcp 127.0.0.1:2525->127.0.0.1:50312: read: connection reset by peer",
		"连接中断：read tcp 127.0.0.1:2525->127.0.0.1:50312: read: connection reset by peer"},
	{"the connection broke while sending: write: broken pipe",
		"发送时连接中断：write: broken pipe"},
	{"the server sent more than 1 MB without a line end: the client gives up",
		"服务器发送了超过 1 MB 的数据却没有行结束符：客户端放弃"},
	{"this client has no TLS configuration: it cannot start TLS",
		"这个客户端没有 TLS 配置：无法启用 TLS"},
	{"the client does not read its replies: the server gives up on it",
		"客户端不读取应答：服务器放弃这个连接"},
	{"the server stopped answering and the client did not give up within 5m0s: the server closes the connection",
		"服务器已停止应答，而客户端在 5 分钟内没有放弃：服务器关闭连接"},
	{"the client closed the connection",
		"客户端关闭了连接"},
	{"login throttle: 3 failed logins from 192.0.2.7: the server waits 2s before answering",
		"登录限速：来自 192.0.2.7 的登录已失败 3 次：服务器等待 2 秒后才应答"},
	{"native mode caps a delay at 10s (the rule asked for 2m0s)",
		"本机模式最多只延迟 10 秒（规则要求 2 分钟）"},
	{"the server has no certificate: the TLS handshake cannot start",
		"服务器没有证书：无法开始 TLS 握手"},
	{"the server is shutting down",
		"服务器正在关闭"},
	{"internal error in the server, the session is closed: runtime error: index out of range [3] with length 3",
		"服务器内部错误，会话已关闭：runtime error: index out of range [3] with length 3"},
	{"delivered to bob's Maildir as 1772442000.M1P2.mail (with Return-Path: and Delivered-To: added at the top)",
		"已投递到 bob 的 Maildir，文件名为 1772442000.M1P2.mail（并在邮件头最前面加上了 Return-Path: 和 Delivered-To:）"},
	{"the lab keeps the first steps of a long session only: later lines of text are not shown",
		"会话太长时，本实验只保留前面的步骤：之后的文本行不再显示"},
	{"the server waits 20s before answering (fault)",
		"服务器等待 20 秒后才应答（故障注入）"},
	{"mail.example.com: delivered to alice's maildrop (alice@example.com)",
		"mail.example.com：已投递到 alice 的邮箱（alice@example.com）"},
	{"not a reply line: the client cannot understand the server and gives up (RFC 5321 §4.2)",
		"收到的不是应答行：客户端无法理解服务器，只能放弃（RFC 5321 §4.2）"},
	{"the final dot was sent but no verdict came: the client must assume the message was not delivered and try again later; it may arrive twice (RFC 5321 §4.1.1.4)",
		"数据结束标记（最后的“.”）已发出，却没有等到结果应答：客户端必须当作邮件没有投递成功，稍后重试；因此邮件可能会被投递两次（RFC 5321 §4.1.1.4）"},
	{"a reply nobody asked for: ignored",
		"收到一条没有对应命令的应答：忽略"},
	{"421: the server is closing the connection; the client sends nothing more and will try again later",
		"421：服务器正在关闭连接；客户端不再发送任何命令，稍后再重试"},
	{"EHLO refused: the client falls back to HELO (RFC 5321 §3.2)",
		"EHLO 被拒绝：客户端退回使用 HELO（RFC 5321 §3.2）"},
	{"the server does not offer STARTTLS but this client requires it (RFC 3207 §4)",
		"服务器没有提供 STARTTLS，而这个客户端要求必须加密（RFC 3207 §4）"},
	{"the server offers no AUTH mechanism this client can use; it goes on without logging in",
		"服务器提供的 AUTH 认证机制中没有这个客户端能用的；客户端不进行身份认证，直接继续"},
	{"STARTTLS refused: this client goes on without encryption (RFC 3207 §4)",
		"STARTTLS 被拒绝：这个客户端不加密，继续以明文通信（RFC 3207 §4）"},
	{"535: smtplib tries the next mechanism it knows (PLAIN)",
		"535：smtplib 改用它支持的下一种认证机制（PLAIN）"},
	{"a second transaction for the recipients the server could not take in the first (452, RFC 5321 §4.5.3.1.10)",
		"为第一个事务中服务器没能接收的收件人开启第二个事务（452，RFC 5321 §4.5.3.1.10）"},
	{"recipient <bob@example.org> refused permanently (550); the client carries on with the others",
		"收件人 <bob@example.org> 被永久拒绝（550），客户端继续处理其他收件人"},
	{"recipient <bob@example.org> refused for now (450); the client will try it again later (RFC 5321 §4.5.4.1)",
		"收件人 <bob@example.org> 暂时被拒绝（450），客户端稍后会对该收件人重试（RFC 5321 §4.5.4.1）"},
	{"raises SMTPHeloError",
		"抛出 SMTPHeloError 异常"},
	{"shows its user an error: the message was refused",
		"向用户显示错误：邮件内容被拒绝"},
	{"stops with exit 55",
		"终止，退出码 55"},
	{"stops with exit 64 (SSL required but not available)",
		"终止，退出码 64（要求使用 SSL/TLS，但无法启用）"},
	{"the person reads the error: the sender was refused",
		"输入命令的人看到错误：发件人被拒绝"},
	{"reports: STARTTLS is not possible",
		"报告错误：无法启用 STARTTLS 加密"},
	{"records the error: the server refused service at the greeting",
		"记下错误：服务器在问候时拒绝提供服务"},
	{"no reply within 2m0s (RFC 5321 §4.5.3.2)",
		"2 分钟内没有应答，参见 RFC 5321 §4.5.3.2"},
	{"the connection dropped",
		"连接中断"},
	{"the session ended before a verdict",
		"会话在得到结果应答之前就结束了"},
	{"not sent: the client stopped",
		"客户端已中止发送"},
}

func TestNoteExamples(t *testing.T) {
	for _, x := range noteExamples {
		if got := Note("zh", x.en); got != x.zh {
			t.Errorf("Note(zh, %q)\n got: %s\nwant: %s", x.en, got, x.zh)
		}
		if got := Note("en", x.en); got != x.en {
			t.Errorf("Note(en, %q) = %q, want the text itself", x.en, got)
		}
		if !hasCJK(x.zh) {
			t.Errorf("%q: no Chinese in %q", x.en, x.zh)
		}
	}
}

// The rule that translates text at the top level, or -1.
func topRule(text string) int {
	for i, r := range noteRules() {
		if m := r.re().FindStringSubmatch(text); m != nil {
			if _, ok := r.expand(noteRules(), m, 0); ok {
				return i
			}
		}
	}
	return -1
}

func TestEveryNoteRuleHasAnExample(t *testing.T) {
	used := map[int]bool{}
	for _, x := range noteExamples {
		used[topRule(x.en)] = true
	}
	for i, r := range noteRules() {
		if !used[i] {
			t.Errorf("noteRules[%d] %s: no example uses it (add one to noteExamples, or it is shadowed by an earlier rule)", i, r.pattern)
		}
	}
}

// Every template names only groups its pattern has, and uses every group,
// so nothing the English says is silently dropped.
func TestNoteTemplates(t *testing.T) {
	checkTemplates(t, "noteRules", noteRules())
	checkTemplates(t, "problemRules", problemRules())
	checkTemplates(t, "strictProblems", strictProblems())
}

func checkTemplates(t *testing.T, name string, rules ruleSet) {
	ref := regexp.MustCompile(`\$\{(\w+)\}`)
	calls := regexp.MustCompile(`\w+\((?:'[^']*')?\)`)
	for i, r := range rules {
		groups := map[string]bool{}
		for _, n := range r.re().SubexpNames() {
			if n != "" {
				groups[n] = true
			}
		}
		unused := maps.Clone(groups)
		for _, m := range ref.FindAllStringSubmatch(r.zh, -1) {
			if !groups[m[1]] {
				t.Errorf("%s[%d] %s: template names ${%s}, which the pattern lacks", name, i, r.pattern, m[1])
			}
			delete(unused, m[1])
		}
		for n := range unused {
			t.Errorf("%s[%d] %s: group %q is not in the template", name, i, r.pattern, n)
		}
		if !hasCJK(r.zh) && !strings.ContainsAny(r.zh, "：，") {
			t.Errorf("%s[%d]: template %q has no Chinese", name, i, r.zh)
		}
		// Parentheses in Chinese prose are full-width; ASCII ones belong to code: quit(), error_proto('…').
		if code := calls.ReplaceAllString(r.zh, ""); strings.ContainsAny(code, "()") {
			t.Errorf("%s[%d]: template %q uses ASCII parentheses; Chinese text uses （）", name, i, r.zh)
		}
	}
}

func TestNoteLanguages(t *testing.T) {
	const en = "smtplib: recipient <bob@example.org> refused permanently (550); the client carries on with the others"
	const zh = "smtplib：收件人 <bob@example.org> 被永久拒绝（550），客户端继续处理其他收件人"
	for _, lang := range []string{"zh", "zh-CN", "zh_Hans", " ZH "} {
		if got := Note(lang, en); got != zh {
			t.Errorf("Note(%q) = %q, want %q", lang, got, zh)
		}
	}
	for _, lang := range []string{"en", "", "fr", "en-GB"} {
		if got := Note(lang, en); got != en {
			t.Errorf("Note(%q) = %q, want the English", lang, got)
		}
	}
}

// A text no rule knows stays English, whole: a half-translated sentence
// would be worse than an English one.
func TestNoteUnknownText(t *testing.T) {
	for _, en := range []string{
		"",
		"smtp",
		"something the engine says one day",
		"mail.example.com: something new happens",                               // a known prefix, an unknown rest
		"smtplib: raises SMTPDataError; the script catches it and does nothing", // a known start, an unknown end
		"<bob@example.org>: refused (550 5.1.1 User unknown); and something else",
		"mta: records the error: mystery",           // an error kind the table lacks
		"curl stops with exit 99 (a new complaint)", // a curl reason the table lacks
		"the server waits forever before answering", // not a duration
	} {
		if got := Note("zh", en); got != en {
			t.Errorf("Note(zh, %q) = %q, want it unchanged", en, got)
		}
	}
}

func TestDurationZH(t *testing.T) {
	for in, want := range map[string]string{
		"30 min": "30 分钟", "2 h": "2 小时", "5 days": "5 天", "1 day": "1 天", "45 s": "45 秒",
		"30s": "30 秒", "2m0s": "2 分钟", "1m30s": "1 分钟 30 秒", "1h0m0s": "1 小时", "1h30m0s": "1 小时 30 分钟",
		"26h0m5s": "26 小时 5 秒", "500ms": "500 毫秒", "1.5s": "1.5 秒", "0s": "0 秒",
	} {
		if got, ok := durationZH(in); !ok || got != want {
			t.Errorf("durationZH(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "forever", "3 weeks", "x min", "-5s"} {
		if got, ok := durationZH(in); ok {
			t.Errorf("durationZH(%q) = %q, want no reading", in, got)
		}
	}
}
