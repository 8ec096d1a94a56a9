package view

import (
	"sort"
	"strings"
)

// Langs are the languages the page speaks, as BCP 47 tags for <html lang>.
var Langs = []string{"en", "zh-CN"}

// T returns the label for key in lang ("en", or any Chinese tag such as
// "zh" or "zh-CN"). A key that is missing returns the key itself, so a
// forgotten label shows up on screen instead of as an empty button; the
// tests make sure that does not ship.
func T(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if langOf(lang) == "zh" {
		return m[1]
	}
	return m[0]
}

// Tf is T with named placeholders filled in: Tf(lang, "ctl.position",
// "n", "3", "total", "40") for "Step {n} of {total}". Word order differs
// between English and Chinese, so labels take names, not positions.
func Tf(lang, key string, kv ...string) string {
	s := T(lang, key)
	for i := 0; i+1 < len(kv); i += 2 {
		s = strings.ReplaceAll(s, "{"+kv[i]+"}", kv[i+1])
	}
	return s
}

// Messages returns every label in one language, for the page's boot script
// (which translates the static page before the wasm has loaded) and for the
// wasm's data-i18n pass.
func Messages(lang string) map[string]string {
	out := make(map[string]string, len(messages))
	for k := range messages {
		out[k] = T(lang, k)
	}
	return out
}

// Keys returns every label key, sorted.
func Keys() []string {
	keys := make([]string, 0, len(messages))
	for k := range messages {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// messages holds every user-facing label: {English, Chinese}. Chinese terms
// follow shared/GLOSSARY-zh.md exactly (时序图, 会话记录, 应答码, 增强状态码,
// 信封, 邮箱, 服务器日志, 故障注入 …). Keys are grouped by the part of the
// page they belong to.
var messages = map[string][2]string{
	// Units of virtual time.
	"unit.h":   {"h", "小时"},
	"unit.min": {"min", "分钟"},
	"unit.s":   {"s", "秒"},

	// Actor roles, under each lifeline.
	"role.mua":  {"mail program (MUA)", "邮件用户代理（MUA）"},
	"role.msa":  {"submission server (MSA)", "邮件提交代理（MSA）"},
	"role.mta":  {"mail server (MTA)", "邮件传输代理（MTA）"},
	"role.mda":  {"delivery agent (MDA)", "邮件投递代理（MDA）"},
	"role.pop3": {"POP3 server", "POP3 服务器"},

	// Sequence diagram.
	"seq.title":     {"Sequence diagram", "时序图"},
	"seq.connect":   {"connection {n}", "连接 {n}"},
	"seq.close":     {"connection {n} closed", "连接 {n} 已关闭"},
	"seq.tls":       {"encrypted from here", "从这里开始加密"},
	"seq.wait":      {"virtual time passes", "虚拟时间流逝"},
	"seq.fault":     {"caused by fault injection", "由故障注入引起"},
	"seq.encrypted": {"encrypted", "已加密"},
	"seq.empty":     {"Press Step (→) to start the session.", "按“下一步”（→）开始会话。"},
	"seq.more":      {"{n} more steps", "还有 {n} 步"},
	"seq.blank":     {"(empty line)", "（空行）"},
	"seq.eod":       {"end of data", "数据结束标记"},
	"seq.desc":      {"{n} of {total} steps shown", "已显示 {total} 步中的 {n} 步"},

	// State diagrams.
	"state.title":   {"State machine", "状态机"},
	"state.client":  {"Client state machine", "客户端状态机"},
	"state.server":  {"Server state machine", "服务器状态机"},
	"state.current": {"current state: {state}", "当前状态：{state}"},
	"state.last":    {"last transition: {from} → {to} on {event}", "上一次状态转换：{from} → {to}（{event}）"},
	"state.start":   {"start", "开始"},
	"state.loops":   {"stays in this state on", "保持当前状态的事件"},
	"state.empty":   {"No state table.", "没有状态表。"},
	"state.any":     {"from any state: {events} → {to}", "任何状态下：{events} → {to}"},

	// Transcript.
	"tr.title":     {"Transcript", "会话记录"},
	"tr.empty":     {"Nothing has been sent yet.", "还没有发送任何内容。"},
	"tr.explain":   {"Explain reply {code}", "解释应答码 {code}"},
	"tr.fault":     {"Inject a fault on: {line}", "对此行进行故障注入：{line}"},
	"tr.client":    {"client", "客户端"},
	"tr.server":    {"server", "服务器"},
	"tr.encrypted": {"encrypted", "已加密"},
	"tr.state":     {"{actor}: {change}", "{actor}：{change}"},

	// Envelope.
	"env.title":       {"Envelope", "信封"},
	"env.conn":        {"Connection {n} to {server}", "连接 {n} → {server}"},
	"env.from":        {"MAIL FROM (sender)", "MAIL FROM（发件人）"},
	"env.to":          {"RCPT TO (recipients)", "RCPT TO（收件人）"},
	"env.data":        {"DATA (the message)", "DATA（邮件内容）"},
	"env.accepted":    {"accepted", "已接受"},
	"env.refused":     {"refused", "被拒绝"},
	"env.temporary":   {"refused for now: retry later", "暂时被拒绝：稍后重试"},
	"env.pending":     {"waiting for the reply", "等待应答"},
	"env.queued":      {"accepted, queued as {id}", "已接受，队列号 {id}"},
	"env.sending":     {"sending the message", "正在发送邮件内容"},
	"env.notYet":      {"not sent yet", "尚未发送"},
	"env.abandoned":   {"transaction abandoned", "事务已放弃"},
	"env.none":        {"No envelope yet: the client has not sent MAIL FROM.", "还没有信封：客户端尚未发送 MAIL FROM。"},
	"env.noRcpt":      {"no recipients yet", "还没有收件人"},
	"env.nullSender":  {"<> (null sender: a bounce)", "<>（空发件人：退信）"},
	"env.explainNote": {"The envelope is what the server acts on; the To: and From: headers inside the message are not.", "服务器依据信封投递邮件，而不是邮件头里的 To: 和 From:。"},

	// Maildrops and the stored message.
	"mb.title":    {"Maildrops", "邮箱"},
	"mb.atEnd":    {"As they are at the end of the run.", "运行结束时的状态。"},
	"mb.atStep":   {"As they are at this step.", "当前这一步时的状态。"},
	"mb.none":     {"No maildrops in this scenario.", "此场景中没有邮箱。"},
	"mb.empty":    {"empty", "空"},
	"mb.count":    {"{n} messages", "{n} 封邮件"},
	"mb.one":      {"1 message", "1 封邮件"},
	"mb.download": {"Download .eml", "下载 .eml"},
	"mb.envFrom":  {"envelope sender", "信封发件人"},
	"mb.envTo":    {"delivered for", "投递给"},
	"mb.received": {"added by the server that accepted the message (RFC 5321 §4.4)", "由接收该邮件的服务器添加（RFC 5321 §4.4）"},
	"mb.headers":  {"header", "邮件头"},
	"mb.body":     {"body", "邮件正文"},

	// Server log.
	"log.title": {"Server log", "服务器日志（邮件日志）"},
	"log.empty": {"The log is empty so far.", "日志暂时为空。"},
	"log.hint":  {"Servers write one line per event; reading it is how mail problems are found.", "服务器为每个事件写一行日志；排查邮件问题就从读日志开始。"},

	// Explanation card.
	"ex.title":    {"Explanation", "解释"},
	"ex.reply":    {"Reply", "应答"},
	"ex.code":     {"Reply code", "应答码"},
	"ex.enhanced": {"Enhanced status code", "增强状态码"},
	"ex.class":    {"Class", "类别"},
	"ex.next":     {"What a correct client does next", "正确的客户端接下来会怎么做"},
	"ex.rfc":      {"Defined in", "出处"},
	"ex.answers":  {"answer to {verb}", "对 {verb} 的应答"},
	"ex.fault":    {"This reply was injected by a fault rule:", "此应答由故障注入规则产生："},
	"ex.command":  {"Command", "命令"},
	"ex.none":     {"Click a reply code to see what it means.", "点击应答码查看其含义。"},
	"ex.close":    {"Close", "关闭"},

	// The page: header, controls, tabs and panels (index.html data-i18n keys).
	"page.title":       {"maillab: SMTP and POP3, step by step", "maillab：一步一步学 SMTP 与 POP3"},
	"page.skip":        {"Skip to the simulation", "跳到模拟区"},
	"page.lesson":      {"Lesson", "课程"},
	"page.lang":        {"Language", "语言"},
	"page.open":        {"Open lesson file", "打开课程文件"},
	"page.lessonText":  {"Lesson text", "课程内容"},
	"page.simulation":  {"Simulation", "模拟"},
	"page.noscript":    {"maillab runs in your browser: please enable JavaScript and WebAssembly.", "maillab 在浏览器中运行：请启用 JavaScript 和 WebAssembly。"},
	"ctl.label":        {"Step controls", "单步控制"},
	"ctl.reset":        {"Reset", "重置"},
	"ctl.resetHint":    {"Back to the start (Home)", "回到开头（Home）"},
	"ctl.back":         {"Back", "上一步"},
	"ctl.backHint":     {"One step back (←)", "后退一步（←）"},
	"ctl.play":         {"Play", "播放"},
	"ctl.pause":        {"Pause", "暂停"},
	"ctl.playHint":     {"Play or pause (space)", "播放或暂停（空格）"},
	"ctl.step":         {"Step", "下一步"},
	"ctl.stepHint":     {"One step forward (→)", "前进一步（→）"},
	"ctl.speed":        {"Speed", "速度"},
	"ctl.position":     {"Step {n} of {total}", "第 {n} 步，共 {total} 步"},
	"tab.label":        {"Views", "视图"},
	"tab.session":      {"Session", "会话"},
	"tab.terminal":     {"Terminal", "终端"},
	"tab.editor":       {"Scenario", "场景"},
	"panel.seq":        {"Sequence diagram", "时序图"},
	"panel.states":     {"State machines", "状态机"},
	"panel.client":     {"Client", "客户端"},
	"panel.server":     {"Server", "服务器"},
	"panel.transcript": {"Transcript", "会话记录"},
	"panel.envelope":   {"Envelope", "信封"},
	"panel.message":    {"Maildrops", "邮箱"},
	"panel.log":        {"Server log", "服务器日志（邮件日志）"},
	"panel.faults":     {"Fault injection", "故障注入"},
	"panel.explain":    {"Explanation", "解释"},
	"copy.transcript":  {"Copy transcript", "复制会话记录"},
	"copy.done":        {"Copied.", "已复制。"},
	"copy.failed":      {"Could not copy: select the text and copy it by hand.", "无法复制：请手动选择文本并复制。"},

	// Fault injection.
	"faults.none":    {"No faults: click a command line in the diagram or the transcript to inject one.", "没有故障：点击时序图或会话记录中的命令行即可注入故障。"},
	"faults.remove":  {"Remove fault: {rule}", "移除故障：{rule}"},
	"faults.menu":    {"Inject a fault on {line}", "对 {line} 进行故障注入"},
	"faults.replies": {"Reply instead", "改为应答"},
	"faults.other":   {"Or break the connection", "或者破坏连接"},
	"faults.drop":    {"Drop the connection", "中断连接（连接中断）"},
	"faults.timeout": {"Never answer (timeout)", "不作应答（超时）"},
	"faults.delay":   {"Answer after a delay", "延迟后再应答"},
	"faults.cancel":  {"Cancel", "取消"},
	"faults.rerun":   {"The scenario ran again with this fault.", "已按此故障重新运行场景。"},

	// Scenario editor.
	"editor.label":  {"Scenario (YAML)", "场景（YAML）"},
	"editor.run":    {"Run scenario", "运行场景"},
	"editor.revert": {"Back to the lesson's scenario", "恢复课程原来的场景"},
	"editor.errors": {"Errors", "错误"},
	"editor.ok":     {"The scenario ran.", "场景已运行。"},
	"editor.line":   {"line {line}, column {col}: {msg}", "第 {line} 行第 {col} 列：{msg}"},

	// Terminal.
	"term.label":  {"Type a command as a client would", "像客户端一样输入命令"},
	"term.send":   {"Send", "发送"},
	"term.proto":  {"Protocol", "协议"},
	"term.hint":   {"Hint", "提示"},
	"term.reset":  {"New connection", "新建连接"},
	"term.intro":  {"You are the client: type SMTP or POP3 commands, as with telnet. The server answers below.", "你就是客户端：像使用 telnet 一样输入 SMTP 或 POP3 命令，服务器的应答显示在下方。"},
	"term.closed": {"The server closed the connection.", "服务器已关闭连接。"},

	// The lesson pane: scenarios, exercises, problems, opened files.
	"lesson.run":       {"Run this scenario", "运行此场景"},
	"lesson.loading":   {"Loading the lesson…", "正在加载课程……"},
	"lesson.error":     {"Could not load the lesson: {error}", "无法加载课程：{error}"},
	"lesson.reloaded":  {"The lesson file changed: reloaded.", "课程文件已更改，已重新加载。"},
	"lesson.none":      {"This course has no lessons in this language.", "这门课程没有这种语言的课文。"},
	"problems.one":     {"1 problem in this lesson", "这节课有 1 个问题"},
	"problems.many":    {"{n} problems in this lesson", "这节课有 {n} 个问题"},
	"problems.none":    {"No problems found in this lesson.", "这节课没有发现问题。"},
	"problems.course":  {"{n} problems in the course (maillab lint lists them all)", "课程中共有 {n} 个问题（maillab lint 会全部列出）"},
	"file.opened":      {"Opened file: {name}", "已打开的文件：{name}"},
	"file.drop":        {"Drop a lesson file (.md) here to open it.", "将课程文件（.md）拖放到此处即可打开。"},
	"file.notMD":       {"{name} is not a lesson file: choose a .md file.", "{name} 不是课程文件：请选择 .md 文件。"},
	"file.readError":   {"Could not read {name}: {error}", "无法读取 {name}：{error}"},
	"file.noScenario":  {"This lesson has no scenario: the simulation shows the course's.", "这节课没有场景：模拟区显示的是课程中的场景。"},
	"ex.try":           {"Try it", "动手试试"},
	"ex.pass":          {"Goal reached: well done.", "已达成目标，做得好。"},
	"ex.notYet":        {"Not yet:", "还没有完成："},
	"ex.doneBefore":    {"You completed this exercise before.", "你之前已经完成过这个练习。"},
	"ex.elsewhere":     {"Press Try it to work on this exercise; it is checked as you go.", "按“动手试试”开始这个练习，页面会随时检查你的进度。"},
	"ex.active":        {"Exercise: {title}", "练习：{title}"},
	"sim.scenario":     {"Scenario: {title}", "场景：{title}"},
	"sim.edited":       {"(changed by you)", "（已被你修改）"},
	"sim.runError":     {"The scenario cannot run: {error}", "场景无法运行：{error}"},
	"faults.yours":     {"Your faults, tried first:", "你注入的故障（优先匹配）："},
	"faults.inSpec":    {"In the scenario itself (change them in the Scenario tab):", "场景本身带有的故障（可在“场景”标签页中修改）："},
	"faults.removeBtn": {"Remove", "移除"},
	"faults.at":        {"at {server}", "作用于 {server}"},
	"faults.here":      {"Already injected on this line: {rule}", "此行已注入：{rule}"},
	"faults.once":      {"Only the first time (times: 1), as greylisting does", "只在第一次生效（times: 1），与灰名单相同"},
	"faults.noChoice":  {"No fault can be injected on this line.", "此行不能注入故障。"},
	"editor.edited":    {"You changed the scenario; the URL keeps your version.", "你修改了场景，网址中保存了你的版本。"},
	"editor.broken":    {"The scenario has errors: the session still shows the last version that ran.", "场景有错误：会话中仍显示上一次成功运行的版本。"},
	"term.server":      {"Connected to {server} ({proto}).", "已连接到 {server}（{proto}）。"},
	"term.tls":         {"TLS is now on (simulated): carry on as the server said.", "TLS 已开启（模拟）：按服务器的提示继续。"},
	"term.next":        {"What to do instead:", "应该怎么做："},
	"term.wrong":       {"What went wrong:", "出了什么问题："},

	// The Live tab: native mode's real sessions and its fault panel.
	"tab.live":          {"Live", "实时"},
	"live.intro":        {"Real clients' sessions with the SMTP and POP3 servers of maillab serve, drawn line by line as they happen.", "真实客户端与 maillab serve 的 SMTP、POP3 服务器之间的会话，每一行到达时即时绘制。"},
	"live.sessions":     {"Sessions", "会话"},
	"live.none":         {"No sessions yet: point a mail client (Python's smtplib, curl, Thunderbird) at the SMTP or POP3 address maillab serve printed.", "还没有会话：让邮件客户端（Python 的 smtplib、curl、Thunderbird）连接 maillab serve 打印出的 SMTP 或 POP3 地址。"},
	"live.item":         {"{n}. {proto} from {client} at {time}", "{n}. {time} 来自 {client} 的 {proto} 会话"},
	"live.live":         {"live", "进行中"},
	"live.ended":        {"ended", "已结束"},
	"live.follow":       {"Open new sessions as they start", "新会话开始时自动打开"},
	"live.pick":         {"Pick a session in the list to draw it.", "在列表中选择一个会话即可显示。"},
	"live.loading":      {"Loading the session…", "正在加载会话……"},
	"live.gone":         {"The server no longer keeps this session (it keeps the most recent ones).", "服务器已不再保存这个会话（只保存最近的会话）。"},
	"live.title":        {"{proto} session {n}: {client} → {server}", "{proto} 会话 {n}：{client} → {server}"},
	"live.connected":    {"Connected: new lines appear as they arrive.", "已连接：新的行一到达就会显示。"},
	"live.connecting":   {"Connecting to the live sessions…", "正在连接实时会话……"},
	"live.lost":         {"Live updates stopped: is maillab serve still running? Trying again…", "实时更新已中断：maillab serve 还在运行吗？正在重试……"},
	"live.dropped":      {"{n} lines not kept", "{n} 行未保存"},
	"live.first":        {"First line", "第一行"},
	"live.back":         {"Previous line (←)", "上一行（←）"},
	"live.forward":      {"Next line (→)", "下一行（→）"},
	"live.last":         {"Newest line, and follow new ones (End)", "最新一行，并跟随新行（End）"},
	"live.pos":          {"line {n} of {total}", "第 {n} 行，共 {total} 行"},
	"live.posFollow":    {"line {n} of {total}, following new lines", "第 {n} 行，共 {total} 行，跟随新行"},
	"live.masked":       {"passwords masked (••••••••): base64 is an encoding, not encryption, and anyone could decode them; maillab serve --show-secrets shows them as sent", "密码已遮盖（••••••••）：base64 只是编码，不是加密，谁都能解码；用 maillab serve --show-secrets 启动可按原样显示"},
	"live.faults":       {"Fault injection on the real servers", "对真实服务器进行故障注入"},
	"live.faultsHint":   {"Rules apply to every live session from its next line; click a command line of a session to pick a reply for that line.", "规则从下一行起作用于所有实时会话；点击会话中的某条命令行，可以为这一行选择应答。"},
	"live.quickRcpt":    {"The next RCPT TO gets 550 5.1.1", "下一个 RCPT TO 收到 550 5.1.1"},
	"live.quickGrey":    {"Greylist everyone once (451 4.7.1, times: 1)", "灰名单：拒绝一次（451 4.7.1，times: 1）"},
	"live.quickDrop":    {"Drop the connection after DATA", "DATA 之后中断连接"},
	"live.rules":        {"Rules in force, tried in order:", "生效的规则（按顺序匹配）："},
	"live.ruleN":        {"fault {n}:", "故障规则 {n}："},
	"live.fired":        {"fired {n}×", "已触发 {n} 次"},
	"live.notFired":     {"not fired yet", "尚未触发"},
	"live.usedUp":       {"used up: fired {n}× (times reached), no longer applies", "已用完：已触发 {n} 次（达到 times），不再生效"},
	"live.noRules":      {"No rules: the servers answer normally.", "没有规则：服务器正常应答。"},
	"live.forbidden":    {"Fault injection is open only on the machine running maillab serve, or to whoever has its --fault-token.", "故障注入只对运行 maillab serve 的那台机器开放，或对持有其 --fault-token 的人开放。"},
	"live.tokenLabel":   {"Fault token (maillab serve --fault-token), kept in this tab only:", "故障注入令牌（maillab serve --fault-token），只保存在本标签页中："},
	"live.tokenUse":     {"Use the token", "使用令牌"},
	"live.tokenRefused": {"The server refused this token: fault injection stays closed.", "服务器拒绝了这个令牌：故障注入仍然关闭。"},
	"live.refused":      {"The server refused: {error}", "服务器拒绝了：{error}"},
	"live.menuNote":     {"The rule goes to the real servers: every live session gets it from its next line.", "该规则会加到真实服务器上：所有实时会话从下一行起都会受其影响。"},
	"faults.user":       {" (user {user})", "（仅用户 {user}）"}, // after the rule's line, no space before （

	// Loading (boot.js) and start-up failures.
	"boot.loading":  {"Loading the simulator…", "正在加载模拟器……"},
	"boot.progress": {"{got} of {total}", "已下载 {got}，共 {total}"},
	"boot.starting": {"Starting…", "正在启动……"},
	"boot.noWasm":   {"This browser cannot run WebAssembly, which maillab needs. Use a current Firefox, Chrome, Edge or Safari, and check that WebAssembly is not disabled by a policy or an extension.", "此浏览器无法运行 maillab 所需的 WebAssembly。请使用最新版的 Firefox、Chrome、Edge 或 Safari，并确认 WebAssembly 没有被策略或扩展禁用。"},
	"boot.noGo":     {"wasm_exec.js did not load, so the Go program cannot start. The page was built without it: run make.", "wasm_exec.js 没有加载，Go 程序无法启动。页面构建时缺少该文件：请运行 make。"},
	"boot.http":     {"The simulator could not be downloaded: the server answered {status}.", "无法下载模拟器：服务器返回 {status}。"},
	"boot.missing":  {"The simulator (maillab.wasm) is not on the server: it was built without it. Run make, then reload.", "服务器上没有模拟器（maillab.wasm）：构建时缺少该文件。请运行 make 后刷新。"},
	"boot.network":  {"The simulator could not be downloaded: the connection failed ({error}). Is maillab serve still running?", "无法下载模拟器：连接失败（{error}）。maillab serve 还在运行吗？"},
	"boot.compile":  {"The browser refused to start the simulator: {error}", "浏览器拒绝启动模拟器：{error}"},
	"boot.csp":      {"The browser's content security policy blocked WebAssembly. If a proxy or an extension rewrites the page's headers, allow 'wasm-unsafe-eval'.", "浏览器的内容安全策略阻止了 WebAssembly。如果代理或扩展改写了页面的响应头，请允许 'wasm-unsafe-eval'。"},
	"page.crashed":  {"Something went wrong inside the lab ({error}). It goes on; if the page looks wrong, reload it: your place is kept in the link.", "实验页面内部出错了（{error}）。页面仍可继续使用；如果显示不正常，请刷新页面：你的进度保存在网址中。"},
	"boot.exited":   {"The simulator stopped. Reload the page to start it again.", "模拟器已停止运行。请刷新页面重新启动。"},
	"boot.retry":    {"Reload", "刷新"},
}
