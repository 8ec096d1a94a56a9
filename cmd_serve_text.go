package main

import (
	"errors"
	"fmt"
	"syscall"
)

// serveText is what serve prints for the person who started it, in
// English and Chinese (serve --lang, else the terminal's LC_ALL,
// LC_MESSAGES or LANG). Error messages quote Go's, in English; listenProblem
// adds what to do in the user's language.
var serveText = map[string][2]string{
	"native":    {"maillab: native mode for %s (mail for %s)", "maillab：原生模式，服务器 %s（接收发往 %s 的邮件）"},
	"starttls":  {"STARTTLS offered", "提供 STARTTLS"},
	"stls":      {"STLS offered", "提供 STLS"},
	"implicit":  {"implicit TLS", "隐式 TLS"},
	"plaintext": {"; passwords in plaintext allowed over loopback only, for teaching", "；仅在回环地址上允许明文密码，供教学使用"},
	"listener":  {"  %-6s %s (%s)", "  %-6s %s（%s）"},
	"lData":     {"data  ", "数据  "},
	"lMail":     {"mail  ", "邮件  "},
	"lConfig":   {"config", "配置  "},
	"mail":      {"%s/<user>/ (Maildir: mutt and Dovecot can read it)", "%s/<用户>/（Maildir：mutt 和 Dovecot 都能读取）"},
	"certNew":   {" (self-signed, made now)", "（自签名证书，刚刚生成）"},
	"cert":      {" (self-signed)", "（自签名证书）"},
	"config":    {"%s (%d fault rules)", "%s（%d 条故障规则）"},
	"usersMade": {"  users (passwords made up for this run):", "  用户（密码为本次运行临时生成）："},
	"users":     {"  users:", "  用户："},
	"password":  {"password", "密码"},
	"noRelay":   {"  It never relays: mail for other domains is refused (554 5.7.1).", "  它从不中继：发往其他域的邮件一律拒绝（554 5.7.1）。"},
	"send":      {"\nSend %s a message with Python's smtplib (paste into python3):\n\n", "\n用 Python 的 smtplib 给 %s 发一封邮件（粘贴到 python3 中运行）：\n\n"},
	"fetch":     {"\nRead %s's mail with poplib:\n\n", "\n用 poplib 读取 %s 的邮件：\n\n"},
	"labAt":     {"maillab: the lab is at http://%s/", "maillab：实验页面在 http://%s/"},
	"exposed":   {"maillab: WARNING: %s listens on %s, reachable from other machines, not only this one", "maillab：警告：%s 监听在 %s，不只本机，其他机器也能连接"},
	"page":      {"the lab page", "实验页面"},
	"lessons":   {"maillab: serving the lessons in %s; the page reloads a lesson when you save it", "maillab：正在提供 %s 中的课文；保存文件后，页面会重新加载该课文"},
	"notCourse": {"--lessons %s: not a folder (give the course folder, the one with en/ and zh/)", "--lessons %s：不是文件夹（请给出课程文件夹，即包含 en/ 和 zh/ 的那个）"},
	"smtps":     {"the SMTPS server (mail for this host; passwords over TLS)", "SMTPS 服务器（接收本机的邮件；密码经 TLS 传送）"},
	"smtpX":     {"the SMTP server (it takes mail for this host, never relays, and takes passwords only after STARTTLS there)", "SMTP 服务器（接收本机的邮件，从不中继，在那里只有 STARTTLS 之后才接受密码）"},
	"pop3s":     {"the POP3S server (the users' mail, behind their passwords)", "POP3S 服务器（用户的邮件，由各自的密码保护）"},
	"pop3X":     {"the POP3 server (the users' mail, behind their passwords, taken only after STLS there)", "POP3 服务器（用户的邮件，由各自的密码保护，在那里只有 STLS 之后才接受密码）"},
}

// logFormatsZh are the Chinese of the formats serve's parts log with (the
// web package's Logf, the live view's changes to the fault rules).
var logFormatsZh = map[string]string{
	"maillab: read the course (%d lessons, %d problems) in %v": "maillab：已读取课程（%d 篇课文，%d 个问题），用时 %v",
	"web: course: %s: %v":                "web：课程：%s：%v",
	"web: reading the page's assets: %v": "web：读取页面资源时出错：%v",
	"web: ignoring %s.br: it is not a compressed copy of %s (rebuild with make)": "web：忽略 %s.br：它不是 %s 的压缩副本（请用 make 重新构建）",
	"web: ignoring %s.gz: it is not a compressed copy of %s (rebuild with make)": "web：忽略 %s.gz：它不是 %s 的压缩副本（请用 make 重新构建）",
	"maillab: fault rule added by %s: %s → %s":                                   "maillab：%s 添加了故障规则：%s → %s",
	"maillab: fault rule %d removed by %s":                                       "maillab：故障规则 %d 已被 %s 删除",
}

// logFormat is a log line's format in lang; one the table lacks stays English.
func logFormat(lang, format string) string {
	if zh, ok := logFormatsZh[format]; ok && lang == "zh" {
		return zh
	}
	return format
}

// serveMsg is serveText[key] in lang ("en" or "zh"), formatted with args.
func serveMsg(lang, key string, args ...any) string { return textIn(serveText[key], lang, args...) }

// listenProblem is err, and for the two mistakes everyone makes once, what
// to do about it, in lang.
func listenProblem(lang string, err error) string {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return err.Error() + textIn([2]string{" — another program (another maillab serve?) already listens there: stop it, or choose another port",
			" —— 已有别的程序（也许是另一个 maillab serve）在监听这个地址：先停掉它，或者换一个端口"}, lang)
	case errors.Is(err, syscall.EACCES):
		return err.Error() + textIn([2]string{" — ports below 1024 need root: use 2525 for SMTP, 1110 for POP3, 8080 for the page",
			" —— 1024 以下的端口需要 root 权限：SMTP 请用 2525，POP3 用 1110，页面用 8080"}, lang)
	}
	return err.Error()
}

// outputLang is the language a command writes in: --lang if given, else
// the terminal's locale (zh_CN.UTF-8 and the like give Chinese).
func outputLang(flagValue string) (string, error) {
	if flagValue == "" {
		return localeLang(), nil
	}
	if lang, ok := langValue(flagValue); ok {
		return lang, nil
	}
	return "", fmt.Errorf("--lang %q: want en or zh", flagValue)
}
