package explain

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Note returns a free-text step of a trace (the Text of a note, state,
// store, wait, tls or close step, or a connection header such as
// "[00:00:00] connection 1: alice (smtplib) → mail.example.com (smtp)")
// in lang. English is the engine's own text, returned unchanged; for "zh"
// the text is matched against noteRules, an ordered table of patterns, and
// rewritten in Chinese. Addresses, host names, queue ids, codes, reply
// lines, commands, state names and RFC sections stay as they are;
// durations get Chinese units ("30 min" → "30 分钟"). A text no rule
// knows is returned in English, so a new engine text shows up untranslated
// rather than garbled (sim/scenario/notes_zh_test.go finds them).
func Note(lang, text string) string {
	if normLang(lang) != "zh" {
		return text
	}
	noteCache.Lock()
	zh, ok := noteCache.m[text]
	noteCache.Unlock()
	if ok {
		return zh
	}
	zh = text
	if t, ok := noteZH(text, 0); ok {
		zh = t
	}
	noteCache.Lock()
	if noteCache.m == nil || len(noteCache.m) >= maxCachedNotes {
		noteCache.m = make(map[string]string)
	}
	noteCache.m[text] = zh
	noteCache.Unlock()
	return zh
}

// noteCache remembers translated notes: the page translates a trace's notes
// again for every view of every run (each fault the student adds), and the
// same few dozen texts come back each time; matching one against the table
// took about 0.15 ms in wasm.
var noteCache struct {
	sync.Mutex
	m map[string]string
}

// maxCachedNotes bounds the cache (native mode's notes name ever new
// connections); when full it starts again.
const maxCachedNotes = 4096

// noteRule is one row of the table: a pattern over the whole English text
// and its Chinese template. The template names the pattern's groups as
// ${name}; what a group becomes depends on its name's prefix:
//
//	sub…   an embedded sentence, translated by the table itself (the rule
//	       fails if it cannot be)
//	opt…   translated if the table knows it, else kept
//	why…   a reason: a reply line ("451 4.7.1 …", "-ERR …") is kept,
//	       anything else is translated if the table knows it
//	dur…   a duration: "30 min", "2 h", "5 days" or Go's "1m30s"
//	list…  "<a>, <b>": kept, joined with "、"
//	st…    a state name, with the Chinese name of POP3's three states
//	kind…  the kind of error a client program reports (errorKinds)
//	curl…  curl's wording of an exit code (curlReasons)
//	each…  "a; b; c": every part translated, joined with "；"
//	yt…    a kind of YAML value in go-yaml's words (yamlKinds)
//	why    see above
//
// Any other group is copied as it is.
type noteRule struct {
	pattern string // anchored, with the pieces filled in
	prefix  string // literal text every match starts with ("" = not known)
	zh      string

	once     sync.Once
	compiled *regexp.Regexp
}

// re is the rule's pattern, compiled the first time a text could match it:
// a page in Chinese translates a few dozen notes, and compiling all the
// patterns it never needs took longer than translating.
func (r *noteRule) re() *regexp.Regexp {
	r.once.Do(func() { r.compiled = regexp.MustCompile(r.pattern) })
	return r.compiled
}

// ruleSet is a table of rules tried in order (noteRules, problemRules).
type ruleSet []*noteRule

// Pieces the patterns share, written {NAME} in them.
var notePieces = strings.NewReplacer(
	// An actor that prefixes a remark: a host, a profile, "alice (mta)".
	"{WHO}", `(?P<who>[A-Za-z0-9._-]+(?: \([A-Za-z0-9-]+\))?)`,
	"{RFC}", `(?P<rfc>RFC \d+(?: §[0-9.]*[0-9])?)`,
	"{DUR}", `(?P<dur>\d[0-9.hmsµn]*(?: (?:h|min|s|days?))?)`,
	"{DUR2}", `(?P<dur2>\d[0-9.hmsµn]*(?: (?:h|min|s|days?))?)`,
	"{ADDRS}", `(?P<list><[^<>]*>(?:, <[^<>]*>)*)`,
	"{QID}", `(?P<qid>[0-9A-Za-z]+)`,
	"{HOST}", `(?P<host>[A-Za-z0-9._-]+)`,
	"{STATE}", `(?P<st>[A-Z][A-Z0-9_-]*)`,
	"{STATE2}", `(?P<st2>[A-Z][A-Z0-9_-]*)`,
	"{N}", `(?P<n>\d+)`,
)

func rule(pattern, zh string) *noteRule {
	// A typo in a pattern panics where it is first compiled; the tests
	// compile every rule (TestNoteTemplates).
	p := "^" + notePieces.Replace(pattern) + "$"
	return &noteRule{pattern: p, prefix: literalPrefix(p), zh: zh}
}

// literalPrefix is the plain ASCII text an anchored pattern starts with: up
// to the first group, class, escape of a letter, repetition (which makes
// the character before it optional) or non-ASCII character.
func literalPrefix(p string) string {
	p = strings.TrimPrefix(p, "^")
	p = strings.TrimPrefix(p, "(?s)")
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p) && strings.IndexByte(`()[]{}.*+?|^$\\`, p[i+1]) >= 0:
			if i+2 < len(p) && strings.IndexByte("*+?{", p[i+2]) >= 0 {
				return b.String()
			}
			i++
			b.WriteByte(p[i])
		case strings.IndexByte(`\\()[]{}.*+?|^$`, c) >= 0, c >= 0x80:
			return b.String()
		default:
			if i+1 < len(p) && strings.IndexByte("*+?{", p[i+1]) >= 0 {
				return b.String()
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// noteRules is tried in order; the first rule whose pattern matches the
// whole text and whose groups all translate wins. Specific rules come
// before the general ones at the end (a "(fault)" suffix, "who: …").
// The table is compiled on first use, not when the program starts: its
// hundred-odd patterns took about 5 ms natively and several times that in
// the page's wasm, on every page load, for readers of English who never
// need them.
var noteRules = sync.OnceValue(func() ruleSet {
	return ruleSet{
		// --- connections (sim/scenario/link.go, terminal.go; sim/native) ---
		rule(`\[(?P<t>\d+:\d\d:\d\d)\] connection {N}: (?P<from>.+) → (?P<to>.+) \((?P<opt>[^()]*)\)`, "[${t}] 连接 ${n}：${from} → ${to}（${opt}）"),
		rule(`(?P<proto>[a-z0-9]+), implicit TLS`, "${proto}，隐式 TLS"),
		rule(`connection {N} closed`, "连接 ${n} 已关闭"),
		rule(`connection {N} closed: too many connections`, "连接 ${n} 已关闭：连接数过多"),
		rule(`no reply for {DUR}: the client gives up \({RFC}\)`, "等了 ${dur}仍没有应答：客户端超时放弃（${rfc}）"),

		// --- states (sim/smtp, sim/pop3) ---
		rule(`server: {STATE} → {STATE2}`, "服务器状态：${st} → ${st2}"),
		rule(`client: {STATE} → {STATE2}`, "客户端状态：${st} → ${st2}"),

		// --- the SMTP server (sim/smtp/server.go) ---
		rule(`TLS handshake done: from here on the dialogue is encrypted \({RFC}\)`,
			"TLS 握手完成：此后的对话全部加密（${rfc}）"),
		rule(`TLS handshake done: from here on the dialogue is encrypted; the client must send EHLO again \({RFC}\)`,
			"TLS 握手完成：此后的对话全部加密；客户端必须重新发送 EHLO（${rfc}）"),
		rule(`TLS handshake starts`, "TLS 握手开始"),
		rule(`queued as {QID}: from <> to {ADDRS}`, "已进入邮件队列，队列 ID ${qid}：发件人 <>（空发件人），收件人 ${list}"),
		rule(`queued as {QID}: from <(?P<from>[^<>]*)> to {ADDRS}`, "已进入邮件队列，队列 ID ${qid}：发件人 <${from}>，收件人 ${list}"),
		rule(`the server drops the connection without a reply`, "服务器不作应答，直接断开连接"),
		rule(`the server stops answering`, "服务器停止应答"),
		rule(`the server stops answering \(fault\): the client will time out`, "服务器停止应答（故障注入）：客户端将会超时"),
		rule(`the server waits {DUR} before answering`, "服务器等待 ${dur}后才应答"),
		rule(`the server closes the connection`, "服务器关闭连接"),

		// --- the SMTP client (sim/smtp/client.go, profiles.go) ---
		rule(`not a reply line: the client cannot understand the server and gives up \({RFC}\)`,
			"收到的不是应答行：客户端无法理解服务器，只能放弃（${rfc}）"),
		rule(`the final dot was sent but no verdict came: the client must assume the message was not delivered and try again later; it may arrive twice \({RFC}\)`,
			"数据结束标记（最后的“.”）已发出，却没有等到结果应答：客户端必须当作邮件没有投递成功，稍后重试；因此邮件可能会被投递两次（${rfc}）"),
		rule(`a reply nobody asked for: ignored`, "收到一条没有对应命令的应答：忽略"),
		rule(`421: the server is closing the connection; the client sends nothing more and will try again later`,
			"421：服务器正在关闭连接；客户端不再发送任何命令，稍后再重试"),
		rule(`EHLO refused: the client falls back to HELO \({RFC}\)`, "EHLO 被拒绝：客户端退回使用 HELO（${rfc}）"),
		rule(`the server does not offer STARTTLS but this client requires it \({RFC}\)`,
			"服务器没有提供 STARTTLS，而这个客户端要求必须加密（${rfc}）"),
		rule(`the server offers no AUTH mechanism this client can use; it goes on without logging in`,
			"服务器提供的 AUTH 认证机制中没有这个客户端能用的；客户端不进行身份认证，直接继续"),
		rule(`STARTTLS refused: this client goes on without encryption \({RFC}\)`,
			"STARTTLS 被拒绝：这个客户端不加密，继续以明文通信（${rfc}）"),
		rule(`535: (?P<prog>\S+) tries the next mechanism it knows \((?P<mech>[A-Z0-9-]+)\)`,
			"535：${prog} 改用它支持的下一种认证机制（${mech}）"),
		rule(`a second transaction for the recipients the server could not take in the first \((?P<code>\d{3}), {RFC}\)`,
			"为第一个事务中服务器没能接收的收件人开启第二个事务（${code}，${rfc}）"),
		rule(`recipient <(?P<rcpt>[^<>]*)> refused permanently \((?P<code>\d{3})\); the client carries on with the others`,
			"收件人 <${rcpt}> 被永久拒绝（${code}），客户端继续处理其他收件人"),
		rule(`recipient <(?P<rcpt>[^<>]*)> refused for now \((?P<code>\d{3})\); the client will try it again later \({RFC}\)`,
			"收件人 <${rcpt}> 暂时被拒绝（${code}），客户端稍后会对该收件人重试（${rfc}）"),
		rule(`the client closes the connection`, "客户端关闭连接"),
		// What a program does on an error (Profile.Error), and what follows.
		rule(`(?P<sub>.+); the script catches it and calls quit\(\)`, "${sub}；脚本捕获该异常并调用 quit()"),
		rule(`(?P<sub>.+) and closes the connection without QUIT`, "${sub}，不发送 QUIT 就关闭连接"),
		rule(`raises (?P<exc>[A-Za-z]+)`, "抛出 ${exc} 异常"),
		rule(`shows its user an error: (?P<kind>[A-Za-z/ ]+)`, "向用户显示错误：${kind}"),
		rule(`stops with exit (?P<code>\d+)`, "终止，退出码 ${code}"),
		rule(`stops with exit (?P<code>\d+) \((?P<curl>[^()]+)\)`, "终止，退出码 ${code}（${curl}）"),
		rule(`the person reads the error: (?P<kind>[A-Za-z/ ]+)`, "输入命令的人看到错误：${kind}"),
		rule(`reports: (?P<kind>[A-Za-z/ ]+)`, "报告错误：${kind}"),
		rule(`records the error: (?P<kind>[A-Za-z/ ]+)`, "记下错误：${kind}"),
		// Reasons a recipient was not sent (smtp.Result.Reply when no reply decided it).
		rule(`no reply within {DUR} \({RFC}\)`, "${dur}内没有应答，参见 ${rfc}"),
		rule(`the connection dropped`, "连接中断"),
		rule(`the session ended before a verdict`, "会话在得到结果应答之前就结束了"),
		rule(`not sent: the client stopped`, "客户端已中止发送"),

		// --- the scenario's world (sim/scenario/world.go, dsn.go) ---
		rule(`<(?P<rcpt>[^<>]*)>: not sent \((?P<why>.*)\); a mail program does not queue: the user must send again later`,
			"<${rcpt}>：没有发出（${why}）；邮件客户端没有邮件队列，不会自动重试：用户需要稍后重新发送"),
		rule(`<(?P<rcpt>[^<>]*)>: refused \((?P<why>.*)\); the program reports the error to its user, no bounce is needed`,
			"<${rcpt}>：被拒绝（${why}）；程序直接向用户报告错误，不需要退信"),
		rule(`{HOST} looks up the MX record of (?P<dom>[A-Za-z0-9._-]+) in DNS: (?P<mx>[A-Za-z0-9._-]+)`,
			"${host} 在 DNS 中查询 ${dom} 的 MX 记录：${mx}"),
		rule(`DNS: (?P<dom>[A-Za-z0-9._-]+) has no MX record and no such host: the message cannot be routed`,
			"DNS：${dom} 既没有 MX 记录，也没有同名主机：邮件无法路由"),
		rule(`{WHO}: {ADDRS} failed, but the message was a bounce \(sender <>\): it is not bounced again \({RFC}\)`,
			"${who}：${list} 投递失败，但这封邮件本身就是退信（空发件人 <>）：不会再为它发送退信（${rfc}）"),
		rule(`{WHO}: {ADDRS} failed permanently: the server sends a bounce \(a DSN, RFC 3464\) to <(?P<from>[^<>]*)>`,
			"${who}：${list} 永久性投递失败：服务器向 <${from}> 发送退信，即投递状态通知（DSN，RFC 3464）"),
		rule(`{WHO}: bounce {QID} queued for <(?P<to>[^<>]*)>`, "${who}：退信 ${qid} 已进入邮件队列，将发往 <${to}>"),
		rule(`{WHO}: delivered to (?P<user>[^ ']+)'s maildrop \((?P<rcpt>[^()]*)\)`, "${who}：已投递到 ${user} 的邮箱（${rcpt}）"),
		rule(`{WHO}: the message {QID} waits in the queue for {DUR} before the next try \({RFC}\)`,
			"${who}：邮件 ${qid} 在邮件队列中等待 ${dur}，然后再次重试（${rfc}）"),
		rule(`{WHO}: {QID} has been in the queue for {DUR}: the server gives up \({RFC}\)`,
			"${who}：${qid} 在邮件队列中已停留 ${dur}：服务器放弃投递（${rfc}）"),
		rule(`{WHO}: {ADDRS} deferred; the message stays in the queue and is tried again in {DUR} \({RFC}\)`,
			"${who}：${list} 的投递被推迟；邮件留在邮件队列中，${dur}后重试（${rfc}）"),

		// --- the POP3 client (sim/pop3/client.go, client_flow.go) ---
		rule(`poplib raises error_proto\('(?P<q>.*)'\) and the script stops`, "poplib 抛出 error_proto('${q}') 异常，脚本终止"),
		rule(`poplib raises error_proto\('(?P<q>.*)'\) and the script stops; the socket is closed without QUIT`,
			"poplib 抛出 error_proto('${q}') 异常，脚本终止；套接字没有发送 QUIT 就被关闭"),
		rule(`poplib raises TimeoutError \(socket timeout\) and the script stops`, "poplib 抛出 TimeoutError 异常（套接字超时），脚本终止"),
		rule(`poplib's stls\(\) raises error_proto\('(?P<q>.*)'\) and the script stops`, "poplib 的 stls() 抛出 error_proto('${q}') 异常，脚本终止"),
		rule(`the client cannot read the server's reply \((?P<why>[^()]*)\) and closes the connection`, "客户端读不懂服务器的应答（${why}），关闭连接"),
		rule(`line too long`, "行太长"),
		rule(`a line the client did not ask for`, "收到一行客户端并没有请求的内容"),
		rule(`not a POP3 status line`, "不是 POP3 状态行"),
		rule(`curl gives up: operation timed out \(exit (?P<code>\d+)\)`, "curl 放弃：操作超时（退出码 ${code}）"),
		rule(`curl stops: the server closed the connection`, "curl 停止：服务器关闭了连接"),
		rule(`curl closes the connection without QUIT: the server refused service`, "curl 不发送 QUIT 就关闭连接：服务器拒绝提供服务"),
		rule(`curl --ssl-reqd and no TLS: curl closes the connection \(exit (?P<code>\d+)\)`,
			"curl 使用了 --ssl-reqd，却无法启用 TLS：curl 关闭连接（退出码 ${code}）"),
		rule(`curl: login denied \(exit (?P<code>\d+)\); it tries no other method and closes without QUIT`,
			"curl：登录被拒绝（退出码 ${code}）；它不会尝试其他认证方式，不发送 QUIT 就关闭连接"),
		rule(`curl reports the error and logs out`, "curl 报告错误并退出登录"),
		rule(`curl runs one URL per connection \(pop3://host/ lists, pop3://host/1 fetches message 1, -X DELE deletes\); the lab folds them into one session`,
			"curl 每个连接只处理一个 URL（pop3://host/ 列出邮件，pop3://host/1 取回第 1 封邮件，-X DELE 删除邮件）；本实验把它们合并成一个会话"),
		rule(`the mail program gives up waiting and shows a connection error`, "邮件客户端不再等待，显示连接错误"),
		rule(`the mail program shows that the connection was lost`, "邮件客户端提示连接已中断"),
		rule(`the mail program shows the server's refusal and closes the connection`, "邮件客户端显示服务器的拒绝信息，然后关闭连接"),
		rule(`the account requires TLS and the server offers no STLS: the mail program will not send the password`,
			"该账户要求使用 TLS，而服务器不提供 STLS：邮件客户端不会发送密码"),
		rule(`the mail program shows the server's message, logs out and asks the user for the password again`,
			"邮件客户端显示服务器的消息，退出登录，并请用户重新输入密码"),
		rule(`the mail program shows the error and logs out`, "邮件客户端显示错误并退出登录"),
		rule(`the client starts the TLS handshake; it sends nothing until it is done`, "客户端开始 TLS 握手；握手完成之前不发送任何内容"),
		rule(`STLS was refused; TLS is optional for this job, so the client goes on in plaintext`,
			"STLS 被拒绝；这次任务中 TLS 是可选的，所以客户端继续以明文通信"),
		rule(`the maildrop is locked by another session \(\[IN-USE\], {RFC}\): the password was right, try again later`,
			"邮箱已被另一个会话锁定（[IN-USE]，${rfc}）：密码是正确的，请稍后再试"),
		rule(`message {N} \(uid (?P<uid>[^()]+)\) was downloaded in an earlier session: skipped \(UIDL, {RFC}\)`,
			"第 ${n} 封邮件（UID ${uid}）在之前的会话中已经下载过：跳过（UIDL，${rfc}）"),
		rule(`message {N} is kept on the server \(leave messages on server\)`, "第 ${n} 封邮件保留在服务器上（“在服务器上保留邮件”选项）"),
		rule(`the mail program reports (?P<verb>[A-Z]+) {N} failed and goes on with the next message`,
			"邮件客户端报告 ${verb} ${n} 失败，继续处理下一封邮件"),
		rule(`the server could not remove every marked message \({RFC}\)`, "服务器没能删除全部已标记的邮件（${rfc}）"),
		rule(`{N} messages? marked with DELE stays? on the server: the session never reached UPDATE \({RFC}\)`,
			"用 DELE 标记的 ${n} 封邮件仍留在服务器上：会话始终没有进入更新状态（UPDATE，${rfc}）"),

		// --- the POP3 server (sim/pop3/server.go, faults.go, update.go) ---
		rule(`server discards {N} octets sent after STLS before the TLS handshake \({RFC}\)`,
			"服务器丢弃客户端在 STLS 之后、TLS 握手完成之前发送的 ${n} 个字节（${rfc}）"),
		rule(`autologout: the server closes the connection without a response and removes nothing \({RFC}\)`,
			"自动登出：服务器不作应答就关闭连接，不删除任何邮件（${rfc}）"),
		rule(`{N} messages? marked for deletion stays? in the maildrop: no QUIT, so no UPDATE state \({RFC}\)`,
			"标记为删除的 ${n} 封邮件仍留在邮箱中：没有 QUIT，就不会进入更新状态（UPDATE，${rfc}）"),
		rule(`UPDATE: removed {N} messages? from (?P<user>[^ ']+)'s maildrop \(uids (?P<list>[^()]*)\)`,
			"UPDATE（更新状态）：已从 ${user} 的邮箱中删除 ${n} 封邮件（UID：${list}）"),

		// --- native mode (sim/native) ---
		rule(`(?P<ver>.+?) established \((?P<suite>[^()]*)\): from here on the dialogue is encrypted`,
			"${ver} 连接已建立（${suite}）：此后的对话全部加密"),
		rule(`(?P<ver>.+?) established \((?P<suite>[^()]*)\); the server's certificate was verified`,
			"${ver} 连接已建立（${suite}）；服务器的证书已通过验证"),
		rule(`(?P<ver>.+?) established \((?P<suite>[^()]*)\); the server's certificate was not verified`,
			"${ver} 连接已建立（${suite}）；服务器的证书没有经过验证"),
		rule(`TLS handshake failed: (?P<err>.+)`, "TLS 握手失败：${err}"),
		rule(`no reply within {DUR}: the client gives up`, "${dur}内没有应答：客户端超时放弃"),
		rule(`the server closed the connection`, "服务器关闭了连接"),
		rule(`the connection broke: (?P<err>.+)`, "连接中断：${err}"),
		rule(`the connection broke while sending: (?P<err>.+)`, "发送时连接中断：${err}"),
		rule(`the server sent more than 1 MB without a line end: the client gives up`, "服务器发送了超过 1 MB 的数据却没有行结束符：客户端放弃"),
		rule(`this client has no TLS configuration: it cannot start TLS`, "这个客户端没有 TLS 配置：无法启用 TLS"),
		rule(`the client does not read its replies: the server gives up on it`, "客户端不读取应答：服务器放弃这个连接"),
		rule(`the server stopped answering and the client did not give up within {DUR}: the server closes the connection`,
			"服务器已停止应答，而客户端在 ${dur}内没有放弃：服务器关闭连接"),
		rule(`the client closed the connection`, "客户端关闭了连接"),
		rule(`login throttle: {N} failed logins from (?P<ip>\S+): the server waits {DUR} before answering`,
			"登录限速：来自 ${ip} 的登录已失败 ${n} 次：服务器等待 ${dur}后才应答"),
		rule(`native mode caps a delay at {DUR} \(the rule asked for {DUR2}\)`, "本机模式最多只延迟 ${dur}（规则要求 ${dur2}）"),
		rule(`the server has no certificate: the TLS handshake cannot start`, "服务器没有证书：无法开始 TLS 握手"),
		rule(`the server is shutting down`, "服务器正在关闭"),
		rule(`internal error in the server, the session is closed: (?P<err>.+)`, "服务器内部错误，会话已关闭：${err}"),
		rule(`delivered to (?P<user>[^ ']+)'s Maildir as (?P<uid>\S+) \(with Return-Path: and Delivered-To: added at the top\)`,
			"已投递到 ${user} 的 Maildir，文件名为 ${uid}（并在邮件头最前面加上了 Return-Path: 和 Delivered-To:）"),
		rule(`the lab keeps the first steps of a long session only: later lines of text are not shown`,
			"会话太长时，本实验只保留前面的步骤：之后的文本行不再显示"),

		// --- general forms, last ---
		rule(`(?P<sub>.+) \(fault\)`, "${sub}（故障注入）"),
		rule(`{WHO}: (?P<sub>.+)`, "${who}：${sub}"),
	}
})

// errorKinds are the situations Profile.Error names (sim/smtp/profiles.go).
var errorKinds = map[string]string{
	"the server refused service at the greeting": "服务器在问候时拒绝提供服务",
	"EHLO and HELO were refused":                 "EHLO 和 HELO 都被拒绝",
	"the login failed":                           "身份认证失败",
	"STARTTLS is not possible":                   "无法启用 STARTTLS 加密",
	"the sender was refused":                     "发件人被拒绝",
	"the recipients were refused":                "收件人被拒绝",
	"the message was refused":                    "邮件内容被拒绝",
	"the connection was closed":                  "连接已关闭",
}

// curlReasons are curl's words for its exit codes (sim/smtp/profiles.go).
var curlReasons = map[string]string{
	"weird server reply":             "服务器应答异常",
	"login denied":                   "登录被拒绝",
	"SSL required but not available": "要求使用 SSL/TLS，但无法启用",
	"failed sending data":            "发送数据失败",
	"failure receiving network data": "接收网络数据失败",
}

// pop3States are the Chinese names of RFC 1939's states (GLOSSARY-zh.md).
var pop3States = map[string]string{
	"AUTHORIZATION": "认证状态",
	"TRANSACTION":   "事务状态",
	"UPDATE":        "更新状态",
}

// maxNoteDepth bounds the nesting of translated groups.
const maxNoteDepth = 6

// noteZH translates text with the first note rule that fits.
func noteZH(text string, depth int) (string, bool) {
	return noteRules().translate(text, depth)
}

// translate renders text with the first rule of rs that fits.
func (rs ruleSet) translate(text string, depth int) (string, bool) {
	if depth > maxNoteDepth || text == "" {
		return "", false
	}
	for _, r := range rs {
		if !strings.HasPrefix(text, r.prefix) {
			continue
		}
		m := r.re().FindStringSubmatch(text)
		if m == nil {
			continue
		}
		if out, ok := r.expand(rs, m, depth); ok {
			return out, true
		}
	}
	return "", false
}

// expand fills the rule's template with the groups of a match.
func (r *noteRule) expand(rs ruleSet, m []string, depth int) (string, bool) {
	vals := map[string]string{}
	for i, name := range r.re().SubexpNames() {
		if name == "" || i >= len(m) {
			continue
		}
		v, ok := rs.group(name, m[i], depth)
		if !ok {
			return "", false
		}
		vals[name] = v
	}
	var b strings.Builder
	tpl := r.zh
	for {
		i := strings.Index(tpl, "${")
		if i < 0 {
			b.WriteString(tpl)
			break
		}
		j := strings.IndexByte(tpl[i:], '}')
		if j < 0 {
			b.WriteString(tpl)
			break
		}
		b.WriteString(tpl[:i])
		b.WriteString(vals[tpl[i+2:i+j]])
		tpl = tpl[i+j+1:]
	}
	return b.String(), true
}

// group renders one group of a match (see noteRule); sub, opt and why
// groups are translated by the same rule set.
func (rs ruleSet) group(name, v string, depth int) (string, bool) {
	switch {
	case strings.HasPrefix(name, "sub"):
		return rs.translate(v, depth+1)
	case strings.HasPrefix(name, "opt"):
		if zh, ok := rs.translate(v, depth+1); ok {
			return zh, true
		}
		return v, true
	case strings.HasPrefix(name, "why"):
		if isReplyLine(v) {
			return v, true
		}
		if zh, ok := rs.translate(v, depth+1); ok {
			return zh, true
		}
		return v, true
	case strings.HasPrefix(name, "yt"):
		zh, ok := yamlKinds[v]
		return zh, ok
	case strings.HasPrefix(name, "each"):
		// "a; b; c": each part translated, joined with "；".
		parts := strings.Split(v, "; ")
		for i, p := range parts {
			zh, ok := rs.translate(p, depth+1)
			if !ok {
				return "", false
			}
			parts[i] = zh
		}
		return strings.Join(parts, "；"), true
	case strings.HasPrefix(name, "dur"):
		return durationZH(v)
	case strings.HasPrefix(name, "list"):
		return strings.ReplaceAll(v, ", ", "、"), true
	case strings.HasPrefix(name, "st"):
		if zh, ok := pop3States[v]; ok {
			return v + "（" + zh + "）", true
		}
		return v, true
	case strings.HasPrefix(name, "kind"):
		zh, ok := errorKinds[v]
		return zh, ok
	case strings.HasPrefix(name, "curl"):
		zh, ok := curlReasons[v]
		return zh, ok
	}
	return v, true
}

// isReplyLine: an SMTP reply ("451 4.7.1 …", "530 …") or a POP3 status line.
func isReplyLine(s string) bool {
	if len(s) >= 3 && s[0] >= '2' && s[0] <= '5' && isDigit(s[1]) && isDigit(s[2]) && (len(s) == 3 || s[3] == ' ' || s[3] == '-') {
		return true
	}
	return strings.HasPrefix(s, "+OK") || strings.HasPrefix(s, "-ERR")
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// durationZH writes a duration with Chinese units: the engine's "30 min",
// "2 h", "5 days", or Go's "1m30s", "2m0s", "500ms".
func durationZH(s string) (string, bool) {
	if n, unit, ok := strings.Cut(s, " "); ok {
		if _, err := strconv.ParseFloat(n, 64); err != nil {
			return "", false
		}
		zh, known := map[string]string{"h": "小时", "min": "分钟", "s": "秒", "day": "天", "days": "天"}[unit]
		if !known {
			return "", false
		}
		return n + " " + zh, true
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return "", false
	}
	if d == 0 {
		return "0 秒", true
	}
	if d < time.Second {
		if d%time.Millisecond == 0 {
			return strconv.Itoa(int(d/time.Millisecond)) + " 毫秒", true
		}
		return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " 秒", true
	}
	var parts []string
	if h := d / time.Hour; h > 0 {
		parts = append(parts, strconv.Itoa(int(h))+" 小时")
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		parts = append(parts, strconv.Itoa(int(m))+" 分钟")
		d -= m * time.Minute
	}
	if d > 0 {
		parts = append(parts, strconv.FormatFloat(d.Seconds(), 'f', -1, 64)+" 秒")
	}
	return strings.Join(parts, " "), true
}
