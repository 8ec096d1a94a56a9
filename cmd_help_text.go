package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"

	"maillab/sim/pop3"
	"maillab/sim/smtp"
)

// The CLI's usage and help in English and Chinese. A flag's English
// description stays where the flag is defined; its Chinese is in
// flagHelpZh. Messages that quote Go's own errors (a failed listen, a
// missing file) keep Go's English words.

// cliLang is the language of usage and help for a command's arguments:
// the last --lang or -lang value in args (zh, zh-CN and zh_CN mean
// Chinese, anything else English), else the terminal's locale.
func cliLang(args []string) string {
	value, given := "", false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break // the rest are arguments, not flags
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, v, hasValue := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
		if name != "lang" {
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				break // a bare --lang at the end: the command will say so
			}
			i++
			v = args[i]
		}
		value, given = v, true
	}
	if !given {
		return localeLang()
	}
	if l, _ := langValue(value); l == "zh" {
		return "zh"
	}
	return "en"
}

// langValue is a --lang value as "en" or "zh"; ok is false for values
// that are neither.
func langValue(v string) (lang string, ok bool) {
	switch strings.ToLower(v) {
	case "en":
		return "en", true
	case "zh", "zh-cn", "zh_cn":
		return "zh", true
	}
	return "", false
}

// localeLang is the terminal's language as the C library picks it: the
// first of LC_ALL, LC_MESSAGES and LANG that is set; zh… means Chinese.
func localeLang() string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if l := os.Getenv(v); l != "" {
			if strings.HasPrefix(strings.ToLower(l), "zh") {
				return "zh"
			}
			return "en"
		}
	}
	return "en"
}

// helpUsage is what each command's help prints before its flags (the
// first line alone when the arguments are wrong); "maillab" is the
// top-level usage. The placeholders (HOST:PORT, DIR…) stay as they are:
// they stand for what the flag lists show.
var helpUsage = map[string][2]string{
	"maillab": {`maillab: a teaching lab for SMTP and POP3

Commands:
  run SCENARIO.yaml [--explain] [--lang en|zh]   print the scenario's dialogue
  serve [--http ADDR]                            serve the browser lab
  lint PATH...                                   check lessons
  build [--lessons DIR] -o OUT                   write the lab as a static site
  send --server HOST:PORT --from A --to B        send a message over real SMTP
  fetch --server HOST:PORT --user U --password P read a maildrop over real POP3
`, `maillab：简单邮件传输协议（SMTP）与邮局协议第 3 版（POP3）的教学实验室

命令：
  run SCENARIO.yaml [--explain] [--lang en|zh]   打印场景中的对话
  serve [--http ADDR]                            提供浏览器中的实验页面
  lint PATH...                                   检查课文
  build [--lessons DIR] -o OUT                   把实验页面写成静态网站
  send --server HOST:PORT --from A --to B        通过真实的 SMTP 发送一封邮件
  fetch --server HOST:PORT --user U --password P 通过真实的 POP3 读取邮箱
`},
	"run": {"usage: maillab run SCENARIO.yaml [--explain] [--lang en|zh]\n",
		"用法：maillab run SCENARIO.yaml [--explain] [--lang en|zh]\n"},
	"serve": {`usage: maillab serve [--http ADDR] [--lessons DIR] [--smtp ADDR --pop3 ADDR …] [--lang en|zh]

Serves the lab page; with --smtp, --pop3, --smtps or --pop3s it also runs
real servers for real clients (native mode).
`, `用法：maillab serve [--http ADDR] [--lessons DIR] [--smtp ADDR --pop3 ADDR …] [--lang en|zh]

提供实验页面；加上 --smtp、--pop3、--smtps 或 --pop3s 时，还为真实的
客户端运行真实的服务器（原生模式）。
`},
	"lint": {"usage: maillab lint PATH...   (lesson files, folders of lessons, or a course folder such as lessons/)\n",
		"用法：maillab lint PATH...   （课文文件、存放课文的文件夹，或 lessons/ 这样的整个课程文件夹）\n"},
	"build": {"usage: maillab build [--lessons DIR] -o OUT\n",
		"用法：maillab build [--lessons DIR] -o OUT\n"},
	"send": {`usage: maillab send --server HOST:PORT --from ADDR --to ADDR [--to ADDR…]
                    [--subject TEXT] [--body TEXT | --file FILE]
                    [--user NAME --password SECRET] [--starttls required|optional|off]
                    [--profile smtplib|thunderbird|curl|swaks|mta|telnet] [--explain] [--lang en|zh]

Sends one message over real SMTP with maillab's client and prints the
dialogue: "C:" lines the client sent, "S:" lines the server answered.
With --explain each reply is followed by what it means.

The message gets From, To, Subject, Date and Message-ID headers; its
text is --body, or the contents of --file ("-" reads standard input).

TLS: --starttls optional (the default) uses STARTTLS when the server offers
it. The server's certificate is checked, except on a loopback address
(127.0.0.1, ::1) or with --insecure.

Exit status:
  0   every recipient accepted (the server took responsibility: 250)
  75  temporary failure (a 4xx reply, a dropped connection, a timeout,
      no server): try again later
  69  permanent failure (a 5xx reply) for at least one recipient
  2   bad flags; 1 a local error (the --file cannot be read)
`, `用法：maillab send --server HOST:PORT --from ADDR --to ADDR [--to ADDR…]
                   [--subject TEXT] [--body TEXT | --file FILE]
                   [--user NAME --password SECRET] [--starttls required|optional|off]
                   [--profile smtplib|thunderbird|curl|swaks|mta|telnet] [--explain] [--lang en|zh]

用 maillab 的客户端通过真实的 SMTP 发送一封邮件，并打印对话：
"C:" 行是客户端发送的命令，"S:" 行是服务器的应答。
加上 --explain 时，每条应答后面都会说明它的含义。

邮件带有 From、To、Subject、Date 和 Message-ID 邮件头；邮件正文是
--body，或 --file 文件的内容（"-" 表示读取标准输入）。

TLS：--starttls optional（默认）在服务器提供 STARTTLS 时使用它。
服务器的证书会被检查，但回环地址（127.0.0.1、::1）或使用 --insecure
时除外。

退出状态：
  0   所有收件人都被接受（服务器已承担投递责任：250）
  75  临时性失败（4xx 应答、连接中断、超时、没有服务器）：
      请稍后重试
  69  至少一个收件人永久性失败（5xx 应答）
  2   选项有误；1 本地错误（无法读取 --file）
`},
	"fetch": {`usage: maillab fetch --server HOST:PORT --user NAME --password SECRET
                     [--delete] [--stls] [--out FOLDER] [--profile poplib|curl|mua]
                     [--explain] [--lang en|zh]

Reads a maildrop over real POP3 with maillab's client and prints the
dialogue, the messages included. With --out each message is also saved
as FOLDER/<number>-<uid>.eml. With --delete each message is marked with
DELE; the server removes them only when QUIT is answered (RFC 1939 §6).
--stls requires TLS (STLS) before the password is sent; the server's
certificate is checked except on loopback or with --insecure.

Exit status:
  0   the session ended with +OK to QUIT
  75  temporary failure (-ERR [IN-USE] or [SYS/TEMP], a dropped
      connection, a timeout, no server): try again later
  69  permanent failure (a wrong password, no STLS when --stls asks for it)
  2   bad flags; 1 a local error (--out cannot be written)
`, `用法：maillab fetch --server HOST:PORT --user NAME --password SECRET
                    [--delete] [--stls] [--out FOLDER] [--profile poplib|curl|mua]
                    [--explain] [--lang en|zh]

用 maillab 的客户端通过真实的 POP3 读取邮箱，并打印对话，包括其中的
邮件。加上 --out 时，每封邮件还会保存为 FOLDER/<编号>-<uid>.eml。
加上 --delete 时，每封邮件都用 DELE 标记删除；服务器只在 QUIT 得到
应答时才真正删除它们（RFC 1939 §6）。--stls 要求在发送密码之前启用
TLS（STLS）；服务器的证书会被检查，但回环地址或使用 --insecure 时除外。

退出状态：
  0   会话以 QUIT 得到 +OK 结束
  75  临时性失败（-ERR [IN-USE] 或 [SYS/TEMP]、连接中断、超时、
      没有服务器）：请稍后重试
  69  永久性失败（密码错误，或 --stls 要求 STLS 而服务器不支持）
  2   选项有误；1 本地错误（无法写入 --out）
`},
}

// flagHelpZh is each flag's description in Chinese, keyed by
// "command.flag". "client." holds the flags send and fetch share
// (clientFlags).
var flagHelpZh = map[string]string{
	"run.explain": "解释每条应答",
	"run.lang":    "注释、解释和错误信息的语言：en 或 zh（默认：按终端的 LANG）",
	"run.states":  "显示状态转换",

	"serve.http":              "实验页面的地址",
	"serve.lessons":           "提供此文件夹中的课程（文件改动时自动重新加载）",
	"serve.smtp":              "在此地址上运行真实的 SMTP 服务器（如 127.0.0.1:2525）",
	"serve.pop3":              "在此地址上运行真实的 POP3 服务器（如 127.0.0.1:1110）",
	"serve.smtps":             "在此地址上运行隐式 TLS 的 SMTP 服务器（如 127.0.0.1:4465）",
	"serve.pop3s":             "在此地址上运行隐式 TLS 的 POP3 服务器（如 127.0.0.1:9995）",
	"serve.maildir":           "把邮件保存在此文件夹下的 Maildir 中",
	"serve.config":            "服务器配置（YAML：场景中 servers 条目的键，另加 faults）",
	"serve.tls-cert":          "TLS 证书（PEM）；默认：保存在数据文件夹中的自签名证书",
	"serve.tls-key":           "TLS 私钥（PEM）",
	"serve.fault-token":       "凭此令牌允许其他主机进行故障注入",
	"serve.show-secrets":      "在“实时”标签页中按发送时的原样显示密码（AUTH、PASS），而不遮盖",
	"serve.max-conns":         "每种协议同时服务的会话数；超出的会话得到 421 4.7.0（默认 100）",
	"serve.smtp-timeout":      "SMTP：客户端沉默这么久后以 421 4.4.2 关闭连接（默认 5m，RFC 5321 §4.5.3.2.7）",
	"serve.pop3-timeout":      "POP3：这么久没有命令就自动退出登录（默认 10m，RFC 1939 §3）",
	"serve.auth-max-failures": "同一地址登录失败多少次后，在 --auth-block 期间拒绝它（默认 10；-1 表示从不拒绝）",
	"serve.auth-block":        "登录失败次数过多的地址被拒绝多久（默认 15m）",
	"serve.lang":              "serve 输出的语言：en 或 zh（默认：按终端的 LANG）",

	"lint.lang": "问题和汇总信息的语言：en 或 zh（默认：按终端的 LANG）",

	"build.lessons": "课程文件夹（含 en/ 和 zh/）；默认：内置课程",
	"build.o":       "写入网站的文件夹",
	"build.lang":    "build 输出的语言：en 或 zh（默认：按终端的 LANG）",

	"send.server":   "SMTP 服务器，HOST:PORT（未给出端口时用 25）",
	"send.from":     "发件人（MAIL FROM 和 From: 邮件头）",
	"send.to":       "收件人（可重复此选项，或用逗号分隔）",
	"send.subject":  "邮件主题，即 Subject: 邮件头",
	"send.body":     "邮件正文",
	"send.file":     `从此文件读取邮件正文（"-"：标准输入）`,
	"send.user":     "以此用户名通过 SMTP AUTH 进行身份认证",
	"send.password": "--user 的密码",
	"send.starttls": "required、optional 或 off：必须使用 STARTTLS、服务器提供时使用、不使用",
	"send.profile":  "模仿哪个真实客户端的行为：" + smtp.ProfileNames(),
	"send.helo":     "随 EHLO 发送的名称（默认：本机的主机名）",

	"fetch.server":   "POP3 服务器，HOST:PORT（未给出端口时用 110）",
	"fetch.user":     "邮箱的用户名",
	"fetch.password": "密码",
	"fetch.delete":   "读取后删除邮件（DELE，在 QUIT 时才真正删除）",
	"fetch.stls":     "登录前必须启用 TLS（STLS）",
	"fetch.out":      "把邮件保存到此文件夹",
	"fetch.profile":  "模仿哪个真实客户端的行为：" + strings.Join(pop3.Profiles(), ", "),

	"client.explain":  "解释每条应答",
	"client.states":   "显示客户端的状态转换",
	"client.insecure": "不检查服务器的 TLS 证书（在回环地址上总是不检查）",
	"client.timeout":  "每条应答最多等多久（默认：RFC 规定的最小值，以分钟计）",
	"client.lang":     "注释、解释和错误信息的语言：en 或 zh（默认：按终端的 LANG）",
}

// cliText is the other lines the commands print for people, not the
// problems they report (those come from the lessons package).
var cliText = map[string][2]string{
	"flags":   {"Flags:", "选项："},
	"default": {" (default %s)", "（默认 %s）"},
	"unknown": {"maillab: unknown command %q", "maillab：未知命令 %q"},
	// The English takes plural words (lintPlural) as well; the Chinese
	// picks its numbers by index and needs none.
	"lintProblems": {"maillab lint: %d %s in %d %s (%d %s checked)",
		"maillab lint：%[3]d 个文件中有 %[1]d 个问题（共检查 %[5]d 篇课文）"},
	"lintClean": {"maillab lint: %d %s checked, no problems",
		"maillab lint：已检查 %[1]d 篇课文，没有发现问题"},
	"buildProblems": {"maillab build: %d %s in %d %s; fix them first (maillab lint %s)",
		"maillab build：检查了 %[3]d 篇课文，发现 %[1]d 个问题；请先修正（maillab lint %[5]s）"},
	"argUnexpected":     {"unexpected argument %s", "多余的参数 %s"},
	"sendRequired":      {"--server, --from and --to are required", "必须给出 --server、--from 和 --to"},
	"fetchRequired":     {"--server, --user and --password are required", "必须给出 --server、--user 和 --password"},
	"bodyOrFile":        {"give --body or --file, not both", "--body 和 --file 只能给出一个"},
	"starttlsValue":     {"--starttls %s: want required, optional or off", "--starttls %s：应为 required、optional 或 off"},
	"userNeedsPassword": {"--user needs --password", "给出 --user 时也要给出 --password"},
	"headerInjection":   {"a line break in --from, --to or --subject would add header lines", "--from、--to 或 --subject 中的换行会多出邮件头行"},
	"dial":              {"cannot connect to %s: %s", "无法连接到 %s：%s"},
	"buildWrote": {"maillab: wrote %d files to %s; serve that folder with any static web server",
		"maillab：已把 %d 个文件写入 %s；用任何静态网站服务器提供该文件夹即可"},
}

// cliMsg is cliText[key] in lang, formatted with args.
func cliMsg(lang, key string, args ...any) string { return textIn(cliText[key], lang, args...) }

// textIn picks the English or the Chinese of an {en, zh} pair and fills
// in args (when there are any: a text without them may contain a %).
func textIn(t [2]string, lang string, args ...any) string {
	s := t[0]
	if lang == "zh" {
		s = t[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// usageText is helpUsage[cmd] in lang.
func usageText(cmd, lang string) string {
	if lang == "zh" {
		return helpUsage[cmd][1]
	}
	return helpUsage[cmd][0]
}

// setUsage makes fs print its help and its errors in lang to w: the
// command's usage, then every flag laid out as flag.PrintDefaults does.
func setUsage(fs *flag.FlagSet, cmd, lang string, w io.Writer) {
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprint(w, usageText(cmd, lang))
		fmt.Fprintf(w, "\n%s\n", cliMsg(lang, "flags"))
		printFlags(w, fs, cmd, lang)
	}
}

// printFlags is flag.PrintDefaults with each description in lang (the
// English one where a Chinese text is missing).
func printFlags(w io.Writer, fs *flag.FlagSet, cmd, lang string) {
	fs.VisitAll(func(f *flag.Flag) {
		var b strings.Builder
		fmt.Fprintf(&b, "  -%s", f.Name)
		name, usage := flag.UnquoteUsage(f)
		if name != "" {
			b.WriteString(" " + name)
		}
		if b.Len() <= 4 { // "  -x": PrintDefaults keeps one-letter bools on one line
			b.WriteString("\t")
		} else {
			b.WriteString("\n    \t")
		}
		if zh, ok := flagHelpZhFor(cmd, f.Name); ok && lang == "zh" {
			usage = zh
		}
		b.WriteString(strings.ReplaceAll(usage, "\n", "\n    \t"))
		if !isZeroDefault(f) {
			def := f.DefValue
			if g, ok := f.Value.(flag.Getter); ok {
				if _, ok := g.Get().(string); ok {
					def = strconv.Quote(def) // as PrintDefaults quotes string flags
				}
			}
			fmt.Fprintf(&b, cliMsg(lang, "default"), def)
		}
		fmt.Fprintln(w, b.String())
	})
}

// flagHelpZhFor is the Chinese description of cmd's flag name.
func flagHelpZhFor(cmd, name string) (string, bool) {
	if s, ok := flagHelpZh[cmd+"."+name]; ok {
		return s, true
	}
	if cmd == "send" || cmd == "fetch" {
		s, ok := flagHelpZh["client."+name]
		return s, ok
	}
	return "", false
}

// isZeroDefault is PrintDefaults' test for leaving out "(default …)":
// the default is what the zero value of the flag's type prints ("",
// "0", "false", "0s"…).
func isZeroDefault(f *flag.Flag) (zero bool) {
	typ := reflect.TypeOf(f.Value)
	var z reflect.Value
	if typ.Kind() == reflect.Pointer {
		z = reflect.New(typ.Elem())
	} else {
		z = reflect.Zero(typ)
	}
	defer func() {
		if recover() != nil {
			zero = false // a String that panics on its zero value: show the default
		}
	}()
	return f.DefValue == z.Interface().(flag.Value).String()
}
