package explain

import (
	"strings"
	"sync"
)

// Problem returns a problem in a lesson, a course or a scenario (the
// message of lessons.Problem or scenario.Error, without its file:line:col)
// in lang. The engine and the linter write them in English; for "zh" they
// are rewritten in Chinese by problemRules. What the author typed (keys,
// quoted values, ids, addresses, file names, reply lines) stays as it is,
// so the message still points at the text to fix. A message no rule knows
// keeps its English, with the known prefixes ("scenario: ", "exercise: "…)
// translated: a new message shows up untranslated rather than garbled
// (lessons/problems_zh_test.go and sim/scenario/problems_zh_test.go find
// them).
func Problem(lang, msg string) string {
	if normLang(lang) != "zh" {
		return msg
	}
	if zh, ok := problemRules().translate(msg, 0); ok {
		return zh
	}
	return msg
}

// ProblemZH is the Chinese of msg and whether every part of it was
// translated (the tests want true for every message the code can write).
func ProblemZH(msg string) (string, bool) {
	return strictProblems().translate(msg, 0)
}

// Problem patterns share these pieces besides notePieces'.
var problemPieces = strings.NewReplacer(
	// A Go-quoted string (%q): what the author wrote, kept as it is.
	"{Q}", `(?P<q>"(?:[^"\\]|\\.)*")`,
	"{Q2}", `(?P<q2>"(?:[^"\\]|\\.)*")`,
	"{KEY}", `(?P<key>[a-z0-9_]+)`,
	"{FILE}", `(?P<file>[^\s"]+)`,
	"{FILE2}", `(?P<file2>[^\s"]+)`,
	"{LANG}", `(?P<lang>en|zh)`,
	"{KEYS}", `(?P<listkeys>[a-z0-9_]+(?:, [a-z0-9_]+)*)`,
)

// problemRule compiles a problem pattern; "." matches a newline too, as
// some messages end with an example over several lines.
func problemRule(pattern, zh string) *noteRule {
	return rule("(?s)"+problemPieces.Replace(pattern), zh)
}

// problemRules is compiled on first use, not at start-up: the page needs
// it only when a lesson or a scenario has a mistake.
var problemRules = sync.OnceValue(func() ruleSet { return buildProblemRules(false) })

// strictProblems is the same table with every "opt" group required to
// translate, for ProblemZH.
var strictProblems = sync.OnceValue(func() ruleSet { return buildProblemRules(true) })

func buildProblemRules(strict bool) ruleSet {
	rs := make(ruleSet, 0, len(problemTable))
	for _, r := range problemTable {
		pattern, zh := r[0], r[1]
		if strict {
			pattern = strings.ReplaceAll(pattern, "(?P<opt", "(?P<sub")
			zh = strings.ReplaceAll(zh, "${opt", "${sub")
		}
		rs = append(rs, problemRule(pattern, zh))
	}
	return rs
}

// problemTable is tried in order: specific messages first, the prefixes
// that nest another message ("exercise: …", "fault 2: …") last. Groups
// named sub… must translate, opt… are translated when the table knows
// them (see noteRule for the other prefixes).
var problemTable = [][2]string{
	// --- the front matter (lessons/frontmatter.go) ---
	{`no front matter: a lesson starts with a --- line, the keys id, title, lang, order, duration and objectives, and another --- line`,
		"没有头信息（front matter）：课文以一行 --- 开头，接着是键 id、title、lang、order、duration 和 objectives，再以一行 --- 结束"},
	{`the front matter is not closed: add a line --- after its last key`, "头信息（front matter）没有结束：在最后一个键之后加一行 ---"},
	{`front matter: {KEY} is given twice`, "头信息：键 ${key} 写了两次"},
	{`front matter: missing key id \(a short name such as smtp-session, the same in en and zh\)`, "头信息：缺少键 id（简短的名字，如 smtp-session，en 和 zh 两个版本相同）"},
	{`front matter: missing key title \(the lesson's title\)`, "头信息：缺少键 title（课文标题）"},
	{`front matter: missing key lang \(en or zh\)`, "头信息：缺少键 lang（en 或 zh）"},
	{`front matter: missing key order \(the lesson's place in the course: 1, 2, 3…\)`, "头信息：缺少键 order（课文在课程中的位置：1、2、3……）"},
	{`front matter: missing key duration \(minutes the lesson takes\)`, "头信息：缺少键 duration（学习这篇课文需要的分钟数）"},
	{`front matter: missing key objectives \(a list of what the student will be able to do\)`, "头信息：缺少键 objectives（列出学生学完后能做到的事）"},
	{`front matter: title is empty`, "头信息：title 是空的"},
	{`id {Q}: use lower-case letters, digits and - \(it goes into links\)`, "id ${q}：只能用小写字母、数字和 -（它会出现在链接中）"},
	{`lang {Q}: want en or zh`, "lang ${q}：应为 en 或 zh"},
	{`order must be 1 or more \(the lesson's place in the course\)`, "order 必须是 1 或更大的数（课文在课程中的位置）"},
	{`duration must be 1 or more \(minutes\)`, "duration 必须是 1 或更大的数（分钟）"},
	{`objectives is empty: list what the student will be able to do`, "objectives 是空的：列出学生学完后能做到的事"},
	{`requires: {Q} is not a lesson id`, "requires：${q} 不是课文的 id"},

	// --- YAML values (lessons/yamlpos.go) ---
	{`only one YAML document is allowed here \(remove the --- line\)`, "这里只能有一个 YAML 文档（删掉那行 ---）"},
	{`want key: value lines here`, "这里应为“键: 值”形式的行"},
	{`{KEY} reads as "key: value" because of the ": " in it: put it in quotes`,
		"${key} 中含有“: ”，被当成了“键: 值”：请给它加上引号"},
	{`{KEY} item {N} reads as "key: value" because of the ": " in it: put it in quotes`,
		"${key} 的第 ${n} 项中含有“: ”，被当成了“键: 值”：请给它加上引号"},
	{`{KEY}: want a text or a list of texts`, "${key}：应为一段文字或一个文字列表"},
	{`{KEY} needs a value: a whole number`, "${key} 需要一个值：整数"},
	{`{KEY}: want a whole number, not (?P<v>.+)`, "${key}：应为整数，而不是 ${v}"},
	{`front matter: unknown key {Q} in the front matter: the keys are {KEYS}`, "头信息中没有键 ${q}：可用的键是 ${listkeys}"},
	{`unknown key {Q} in (?P<optwhere>[^:]+): the keys are {KEYS}`, "${optwhere}中没有键 ${q}：可用的键是 ${listkeys}"},
	{`the front matter`, "头信息"},
	{`an exercise`, "练习"},
	{`a transcript header`, "会话记录的头部"},
	{`course\.yaml`, "course.yaml 文件"},

	// --- the course (lessons/course.go) ---
	{`no lessons here: a course folder has en/ and zh/ folders of \.md files`, "这里没有课文：课程文件夹里有 en/ 和 zh/ 两个文件夹，其中是 .md 文件"},
	{`cannot read: (?P<v>.+)`, "无法读取：${v}"},
	{`cannot render: (?P<v>.+)`, "无法渲染：${v}"},
	{`lang is {LANG} but the file is in the (?P<dir>[a-z]+)/ folder`, "lang 是 ${lang}，但文件在 ${dir}/ 文件夹中"},
	{`id {Q} is also the id of {FILE}`, "id ${q} 已是 ${file} 的 id"},
	{`order {N} is also the order of {FILE}`, "order ${n} 已是 ${file} 的 order"},
	{`requires {Q}: a lesson cannot require itself`, "requires ${q}：课文不能要求先学它自己"},
	{`requires {Q}: no {LANG} lesson has that id`, "requires ${q}：没有哪篇 ${lang} 课文的 id 是它"},
	{`no {LANG} lesson has id {Q}: every lesson is written in en/ and zh/`, "没有 id 为 ${q} 的 ${lang} 课文：每篇课文都要在 en/ 和 zh/ 中各写一份"},
	{`order {N} differs from {FILE} \(order (?P<n2>\d+)\)`, "order ${n} 与 ${file} 不同（那里是 order ${n2}）"},
	{`scenario {Q} is not in {FILE}: the languages must have the same scenarios`, "场景 ${q} 不在 ${file} 中：各语言版本的场景必须相同"},
	{`exercise {Q} is not in {FILE}: the languages must have the same exercises`, "练习 ${q} 不在 ${file} 中：各语言版本的练习必须相同"},
	{`scenario {Q} of {FILE} is missing here`, "这里缺少 ${file} 中的场景 ${q}"},
	{`exercise {Q} of {FILE} is missing here`, "这里缺少 ${file} 中的练习 ${q}"},
	{`empty link`, "空链接"},
	{`link {Q} points outside the course folder`, "链接 ${q} 指向课程文件夹之外"},
	{`link {Q}: there is no file {FILE}`, "链接 ${q}：没有文件 ${file}"},
	{`title: want a text, or one per language such as \{en: …, zh: …\}`, "title：应为一段文字，或每种语言一段，如 {en: …, zh: …}"},
	{`title: {Q} is not a language: use en and zh`, "title：${q} 不是一种语言：请用 en 和 zh"},
	{`order: no lesson has id {Q}`, "order：没有 id 为 ${q} 的课文"},
	{`lesson {Q} is not in course\.yaml's order: add it there, or remove order: to use each lesson's order key`,
		"课文 ${q} 不在 course.yaml 的 order 中：把它加进去，或者删掉 order:，改用各课文自己的 order 键"},

	{`"\*\*" is shown as it is: bold that ends right after punctuation such as "）" must be followed by a space or punctuation \(CommonMark\); write a backslash and a space after the closing \*\* \("\*\*…）\*\*\\ 的"\), or move the punctuation out of the bold`,
		"“**”会原样显示出来：紧跟在“）”这类标点之后结束的粗体，后面必须是空格或标点（CommonMark 的规则）；请在结束的 ** 后面写一个反斜杠加空格（“**…）**\\ 的”），或者把标点移到粗体之外"},

	// --- scenario and exercise blocks (lessons/blocks.go) ---
	{`id {Q}: use lower-case letters, digits and -`, "id ${q}：只能用小写字母、数字和 -"},
	{`id {Q} is used by another scenario of this lesson`, "id ${q} 已被本课文的另一个场景使用"},
	{`the engine cannot run it: (?P<optv>.+)`, "引擎无法运行它：${optv}"},
	{`id {Q}: use lower-case letters, digits and - \(the page remembers finished exercises by id\)`, "id ${q}：只能用小写字母、数字和 -（页面按 id 记住完成过的练习）"},
	{`start {Q}: want scenario \(the student changes a scenario\) or terminal \(the student types\)`,
		"start ${q}：应为 scenario（学生修改场景）或 terminal（学生自己输入命令）"},
	{`protocol {Q}: want smtp or pop3`, "protocol ${q}：应为 smtp 或 pop3"},
	{`missing key {KEY}`, "缺少键 ${key}"},
	{`missing key start \(scenario: the student changes a scenario; terminal: the student types\)`,
		"缺少键 start（scenario：学生修改场景；terminal：学生自己输入命令）"},
	{`task is empty: say what the student must do`, "task 是空的：写明学生要做什么"},
	{`scenario {Q}: no scenario block of this lesson has that id \(there are: (?P<ids>[^()]*)\)`, "scenario ${q}：本课文没有这个 id 的场景块（现有：${ids}）"},
	{`scenario {Q}: no scenario block of this lesson has that id`, "scenario ${q}：本课文没有这个 id 的场景块"},
	{`start: scenario needs scenario: the id of a scenario block of this lesson`, "start: scenario 需要键 scenario：本课文中某个场景块的 id"},
	{`{KEY} is only for start: terminal`, "${key} 只用于 start: terminal"},
	{`server {Q} is not one of the scenario's servers \((?P<list>[^()]*)\)`, "服务器 ${q} 不是该场景中的服务器（${list}）"},
	{`id {Q} is used by another exercise of this lesson`, "id ${q} 已被本课文的另一个练习使用"},
	{`goal: want checks, one per line, such as\n  goal:\n    delivered: bob@example\.org\n    saw_reply: 250`,
		"目标（goal）：应为若干检查项，每行一个，例如\n  goal:\n    delivered: bob@example.org\n    saw_reply: 250"},
	{`no checks: add at least one of {KEYS}`, "没有检查项：至少加上 ${listkeys} 中的一个"},
	{`{KEY}: {Q} is not an address like bob@example\.org`, "${key}：${q} 不是形如 bob@example.org 的地址"},
	{`saw_reply {Q}: want a reply code \(550\), a code and an enhanced code \("550 5\.1\.1"\), or a POP3 status \(-ERR, "-ERR \[IN-USE\]"\)`,
		"saw_reply ${q}：应为应答码（550）、应答码加增强状态码（\"550 5.1.1\"）或 POP3 状态（-ERR、\"-ERR [IN-USE]\"）"},
	{`retried_after {Q}: want a temporary \(4xx\) reply code such as 451 or "451 4\.7\.1": clients retry only after those`,
		"retried_after ${q}：应为临时性（4xx）应答码，如 451 或 \"451 4.7.1\"：客户端只在这类应答之后重试"},
	{`pop3_deleted must be 0 or more`, "pop3_deleted 必须是 0 或更大的数"},
	{`commands_used: {Q} is not a command verb such as EHLO or RETR`, "commands_used：${q} 不是命令动词（如 EHLO 或 RETR）"},
	{`unknown check {Q}: the checks are {KEYS}`, "没有检查项 ${q}：可用的检查项是 ${listkeys}"},
	{`solution: want faults: \(for start: scenario\) or lines: \(for start: terminal\)`,
		"答案（solution）：应为 faults:（用于 start: scenario）或 lines:（用于 start: terminal）"},
	{`faults are for start: scenario; a terminal solution lists the lines typed \(lines:\)`,
		"faults 用于 start: scenario；终端练习的答案列出输入的各行（lines:）"},
	{`lines are for start: terminal; a scenario solution lists the faults to add \(faults:\)`,
		"lines 用于 start: terminal；场景练习的答案列出要添加的故障（faults:）"},
	{`unknown key {Q}: a solution has faults: \(start: scenario\) or lines: \(start: terminal\)`,
		"没有键 ${q}：答案中只能有 faults:（start: scenario）或 lines:（start: terminal）"},
	{`fault {N}: server {Q} is not one of the scenario's servers \((?P<list>[^()]*)\)`, "故障 ${n}：服务器 ${q} 不是该场景中的服务器（${list}）"},

	// --- exercises and transcripts checked by running them (lessons/replay.go) ---
	{`the engine cannot start it: (?P<optv>.+)`, "引擎无法启动它：${optv}"},
	{`the goal is already met before the student does anything: make it need the student's change`,
		"学生还什么都没做，目标就已经达成：请让目标依赖学生的修改"},
	{`the solution cannot run: (?P<optv>.+)`, "答案无法运行：${optv}"},
	{`the solution does not meet the goal: (?P<each>.+)`, "答案没有达成目标：${each}"},
	{`delivered: the message has not arrived in (?P<a>\S+)'s maildrop`, "delivered：${a} 的邮箱还没有收到邮件"},
	{`not_delivered: the message still arrives in (?P<a>\S+)'s maildrop`, "not_delivered：邮件仍然投递到了 ${a} 的邮箱"},
	{`saw_reply: no (?P<v>.+) reply in the session yet`, "saw_reply：会话中还没有出现应答 ${v}"},
	{`retried_after: no retry after a (?P<v>.+) reply: the client must get .+ and then connect again`, "retried_after：还没有在 ${v} 之后重试：客户端要先收到 ${v}，再重新连接"},
	{`pop3_deleted: POP3 removed messages from the maildrop; the goal is that none is removed`, "pop3_deleted：POP3 删除了邮件；目标是一封也不删除"},
	{`pop3_deleted: POP3 has not removed exactly {N} message\(s\) from the maildrop \(DELE marks, QUIT removes\)`, "pop3_deleted：POP3 删除的邮件数不是 ${n} 封（DELE 只做标记，QUIT 之后才真正删除）"},
	{`commands_used: the client has not sent (?P<v>.+) yet`, "commands_used：客户端还没有发送 ${v}"},
	{`{Q} is not a dialogue line: start it with "C: " \(client\) or "S: " \(server\)`, "${q} 不是对话行：以 \"C: \"（客户端）或 \"S: \"（服务器）开头"},
	{`no dialogue: write the lines as "C: EHLO pc\.example\.com" and "S: 250 …"`, "没有对话：按 \"C: EHLO pc.example.com\" 和 \"S: 250 …\" 的形式写各行"},
	{`(?P<optv>.+) \(header lines such as illustrative: true come before the C: and S: lines\)`, "${optv}（illustrative: true 这样的头部行要写在 C: 和 S: 行之前）"},
	{`the engine cannot open the connection: (?P<optv>.+)`, "引擎无法建立连接：${optv}"},
	{`the server sends {Q} before this line`, "在这一行之前，服务器先发送 ${q}"},
	{`the server has closed the connection before this line`, "在这一行之前，服务器已经关闭了连接"},
	{`the server sends nothing here: it waits for the client`, "服务器在这里不发送任何内容：它在等客户端"},
	{`the server sends nothing more: it has closed the connection`, "服务器不再发送任何内容：它已关闭连接"},
	{`the server sends {Q} here, not {Q2}`, "服务器在这里发送的是 ${q}，而不是 ${q2}"},
	{`the dialogue stops here, but the server still sends {Q}`, "对话在这里结束了，但服务器还会发送 ${q}"},
	{`no scenario {Q} in lesson (?P<id>\S+)`, "课文 ${id} 中没有场景 ${q}"},

	// --- scenarios (sim/scenario/spec.go) ---
	{`client {Q} is not a known program: use one of (?P<list>.+)`, "客户端 ${q} 不是已知的程序：请用 ${list} 之一"},
	{`start {Q} is not a time like 2026-03-02T09:00:00Z`, "start ${q} 不是形如 2026-03-02T09:00:00Z 的时间"},
	{`no servers: add a servers: entry such as\n(?P<v>.+)`, "没有服务器：加上 servers: 项，例如\n${v}"},
	{`server {Q} is not one of the servers listed under servers: \((?P<list>[^()]*)\)`, "服务器 ${q} 不在 servers: 列出的服务器中（${list}）"},
	{`relayhost {Q} is not one of the servers`, "relayhost ${q} 不是场景中的服务器"},
	{`MX host {Q} for (?P<dom>\S+) is not one of the servers`, "${dom} 的 MX 主机 ${q} 不是场景中的服务器"},
	{`message {N} has no recipient: add to: \[someone@example\.org\]`, "第 ${n} 封邮件没有收件人：加上 to: [someone@example.org]"},
	{`from {Q} is not an address like alice@example\.com`, "from ${q} 不是形如 alice@example.com 的地址"},
	{`{Q} is not an address like bob@example\.org`, "${q} 不是形如 bob@example.org 的地址"},
	{`starttls {Q}: want required, optional or off`, "starttls ${q}：应为 required、optional 或 off"},
	{`auth needs a user \(and a password\)`, "auth 需要用户名（和密码）"},
	{`fetch server {Q} is not one of the servers`, "fetch 的服务器 ${q} 不是场景中的服务器"},
	{`fetch client {Q}: use one of (?P<list>.+)`, "fetch 的客户端 ${q}：请用 ${list} 之一"},
	{`fetch needs a user`, "fetch 需要用户名"},
	{`fault {N}: server {Q} is not one of the servers`, "故障 ${n}：服务器 ${q} 不是场景中的服务器"},
	{`no server (?P<host>\S+)`, "没有服务器 ${host}"},
	{`want an address or a list of addresses`, "应为一个地址或地址列表"},
	{`want on or off, not (?P<v>.+)`, "应为 on 或 off，而不是 ${v}"},
	{`unknown key {Q} \(see SPEC\.md for the keys\)`, "没有键 ${q}（可用的键见 SPEC.md）"},
	{`unknown key {Q}`, "没有键 ${q}"},

	// --- server settings (sim/smtp/config.go) ---
	{`(?P<key>auth|tls): {Q} is not off, optional or required`, "${key}：${q} 应为 off、optional 或 required"},
	{`bare_lf: {Q} is not normalize or reject`, "bare_lf：${q} 应为 normalize 或 reject"},
	{`max_recipients: {N} is below 100, the minimum a server must accept \({RFC}\)`, "max_recipients：${n} 小于 100，这是服务器必须接受的最小值（${rfc}）"},
	{`max_message_bytes: must not be negative`, "max_message_bytes：不能是负数"},
	{`max_message_bytes: {N} is below 65536, the minimum a server must accept \({RFC}\)`, "max_message_bytes：${n} 小于 65536，这是服务器必须接受的最小值（${rfc}）"},

	// --- fault rules (sim/fault/fault.go) ---
	{`a rule must not contain control characters such as CR or LF`, "规则中不能有 CR、LF 之类的控制字符"},
	{`when is empty: give a command line such as "RCPT TO:<bob@example\.com>", or connect, or end-of-data`,
		"when 是空的：写一行命令，如 \"RCPT TO:<bob@example.com>\"，或者 connect、end-of-data"},
	{`protocol {Q}: want smtp or pop3`, "protocol ${q}：应为 smtp 或 pop3"},
	{`nth and times must not be negative`, "nth 和 times 不能是负数"},
	{`then {Q}: delay needs a positive duration such as "delay 30s" or "delay 5m"`, "then ${q}：delay 需要一个正的时长，如 \"delay 30s\" 或 \"delay 5m\""},
	{`then {Q}: a POP3 fault reply must start with -ERR \(or be drop, timeout, delay 30s\)`, "then ${q}：POP3 的故障应答必须以 -ERR 开头（或者是 drop、timeout、delay 30s）"},
	{`want a reply line such as "550 5\.1\.1 User unknown", or drop, timeout, delay 30s`, "应为一行应答，如 \"550 5.1.1 User unknown\"，或者 drop、timeout、delay 30s"},
	{`a fault must be a failure: the code must start with 4 \(temporary\) or 5 \(permanent\)`, "故障必须是失败：应答码必须以 4（临时性）或 5（永久性）开头"},
	{`the second digit of a reply code is 0–5 \({RFC}\)`, "应答码的第二位是 0–5（${rfc}）"},
	{`enhanced status code (?P<esc>\S+) must have the same class as reply (?P<code>\d{3}) \({RFC}\)`, "增强状态码 ${esc} 必须与应答 ${code} 属于同一类（${rfc}）"},
	{`then {Q}: (?P<sub>.+)`, "then ${q}：${sub}"},

	// --- the live page's fault rules (cmd_serve_live.go) ---
	{`there are {N} fault rules already: remove some first`, "已经有 ${n} 条故障规则：请先删除一些"},
	{`(?P<key>when|then|server|protocol) is longer than {N} octets`, "${key} 超过了 ${n} 个八位组"},
	{`(?P<key>when|then|server|protocol) contains a control character \(CR, LF, NUL…\): a rule is one line`, "${key} 中有控制字符（CR、LF、NUL……）：一条规则只能是一行"},
	{`one rule per request`, "每个请求只能有一条规则"},
	{`there is no fault rule {N} \(removed already\?\)`, "没有编号为 ${n} 的故障规则（已经删除了？）"},

	// --- what the YAML parser says (github.com/goccy/go-yaml), the usual ones ---
	{`the YAML reader stopped on this text \((?P<v>.+)\): look at the tags \(!…\) and the indentation near your last change`,
		"YAML 读取器在这段文字上出错了（${v}）：请检查最近修改处附近的标签（!…）和缩进"},
	{`could not find flow mapping end token '\}'`, "找不到流式映射的结束符 '}'"},
	{`sequence end token '\]' not found`, "找不到序列的结束符 ']'"},
	{`could not find '\[' character corresponding to '\]'`, "找不到与 ']' 对应的 '['"},
	{`could not find '\{' character corresponding to '\}'`, "找不到与 '}' 对应的 '{'"},
	{`',' or '\]' must be specified`, "这里应为 ',' 或 ']'"},
	{`',' or '\}' must be specified`, "这里应为 ',' 或 '}'"},
	{`mapping value is not allowed in this context`, "这里不能出现“键: 值”（是不是多了一个“: ”，或缩进不对？）"},
	{`value is not allowed in this context(?:\. map key-value is pre-defined)?`, "这里不能出现值（缩进不对？）"},
	{`block sequence entries are not allowed in this context`, "这里不能出现“- ”列表项（缩进不对？）"},
	{`expected map key-value delimiter ':'`, "应为键与值之间的 ':'"},
	{`could not find value for mapping key`, "这个键没有值"},
	{`could not find map value`, "找不到映射的值"},
	{`unexpected key name`, "意外的键名"},
	{`unexpected map key`, "意外的映射键"},
	{`non-map value is specified`, "这里应为映射（键: 值），却给了别的值"},
	{`map key definition includes an implicit line break`, "键的定义中有换行"},
	{`found an invalid key for this map`, "这个映射中有无效的键"},
	{`key {Q} is given twice`, "键 ${q} 写了两次"},
	{`mapping key {Q} already defined at \[(?P<at>\d+:\d+)\]`, "键 ${q} 已在 [${at}] 定义过"},
	{`(?P<ytgot>[a-z]+(?: [a-z]+)?) was used where (?P<ytwant>[a-z]+(?: [a-z]+)?) is expected`, "这里应为${ytwant}，写的却是${ytgot}"},
	{`cannot unmarshal (?P<t>.+) into Go struct field (?P<f>\S+) of type (?P<want>\S+)`, "类型不对：${f} 需要 ${want}，这里给的是 ${t}"},
	{`cannot unmarshal (?P<t>.+) into Go value of type (?P<want>\S+)`, "类型不对：需要 ${want}，这里给的是 ${t}"},

	// --- prefixes that nest another message, last ---
	{`front matter: (?P<opt>.+)`, "头信息：${opt}"},
	{`scenario: (?P<opt>.+)`, "场景：${opt}"},
	{`exercise: goal: (?P<opt>.+)`, "练习：目标（goal）：${opt}"},
	{`exercise: solution: (?P<opt>.+)`, "练习：答案（solution）：${opt}"},
	{`exercise: (?P<opt>.+)`, "练习：${opt}"},
	{`transcript: header: (?P<opt>.+)`, "会话记录：头部：${opt}"},
	{`transcript: (?P<opt>.+)`, "会话记录：${opt}"},
	{`faults: (?P<opt>.+)`, "faults：${opt}"},
	{`fault {N}: (?P<opt>.+)`, "故障 ${n}：${opt}"},
	{`server (?P<host>[A-Za-z0-9._-]+): (?P<opt>.+)`, "服务器 ${host}：${opt}"},
	{`{KEY}: (?P<opt>.+)`, "${key}：${opt}"},
	{`{KEY} item {N}: (?P<opt>.+)`, "${key} 的第 ${n} 项：${opt}"},
}

// yamlKinds are the Chinese names of the kinds of YAML value go-yaml
// names in its type errors (ast.NodeType.YAMLName).
var yamlKinds = map[string]string{
	"int": "整数", "float": "小数", "string": "字符串", "boolean": "布尔值（true/false）",
	"null": "空值", "mapping": "映射（键: 值）", "sequence": "列表", "literal": "多行文字",
	"alias": "别名", "anchor": "锚点", "key": "键", "mapping value": "映射的值",
}
