package explain

import (
	"strconv"
	"strings"
)

// Enhanced status codes (RFC 3463; carried in SMTP replies by RFC 2034):
// class.subject.detail, e.g. "5.1.1". The class says success (2),
// persistent transient failure (4) or permanent failure (5), the subject the
// area, the detail the exact condition.

// enhancedClass is the meaning of the first number (RFC 3463 §2).
var enhancedClass = map[int]text{
	2: t("Success", "成功"),
	4: t("Persistent transient failure", "持续性临时失败"),
	5: t("Permanent failure", "永久性失败"),
}

// enhancedSubject is the meaning of the second number (RFC 3463 §2).
var enhancedSubject = map[int]text{
	0: t("other or undefined status", "其他或未定义的状态"),
	1: t("addressing status (sender or recipient address)", "地址状态（发件人或收件人地址）"),
	2: t("mailbox status", "邮箱状态"),
	3: t("mail system status", "邮件系统状态"),
	4: t("network and routing status", "网络与路由状态"),
	5: t("mail delivery protocol status", "邮件投递协议状态"),
	6: t("message content or media status", "邮件内容或媒体状态"),
	7: t("security or policy status", "安全或策略状态"),
}

// enhancedDetail gives one line per code. Keys are "X.subject.detail" (valid
// for every class) or a full code ("2.1.5") where one class has its own,
// more useful reading. Codes come from RFC 3463 §3 unless the comment names
// the RFC that registered them.
var enhancedDetail = map[string]text{
	// x.0.x other (RFC 3463 §3.1)
	"X.0.0": t("Other undefined status", "其他未定义的状态"),
	"2.0.0": t("Success (no further detail)", "成功（无更多细节）"),

	// x.1.x addressing (RFC 3463 §3.2)
	"X.1.0":  t("Other address status", "其他地址状态"),
	"2.1.0":  t("Sender address accepted", "发件人地址已接受"),
	"X.1.1":  t("Bad destination mailbox address (no such user)", "目的邮箱地址错误（用户不存在）"),
	"X.1.2":  t("Bad destination system address (the domain does not exist or takes no mail)", "目的系统地址错误（域名不存在或不接收邮件）"),
	"X.1.3":  t("Bad destination mailbox address syntax", "目的邮箱地址语法错误"),
	"X.1.4":  t("Destination mailbox address ambiguous", "目的邮箱地址有歧义"),
	"X.1.5":  t("Destination address valid", "目的地址有效"),
	"2.1.5":  t("Recipient address accepted (destination address valid)", "收件人地址有效，已接受"),
	"X.1.6":  t("Destination mailbox has moved, no forwarding address", "目的邮箱已迁移，没有转发地址"),
	"X.1.7":  t("Bad sender's mailbox address syntax", "发件人邮箱地址语法错误"),
	"X.1.8":  t("Bad sender's system address (the sender's domain is not valid)", "发件人系统地址错误（发件人域名无效）"),
	"X.1.9":  t("Message relayed to a non-compliant mailer", "邮件被中继到了不合规的邮件系统"),                  // RFC 3886
	"X.1.10": t("Recipient domain has a null MX: it accepts no mail", "收件人域名发布了空 MX 记录，不接收任何邮件"), // RFC 7505

	// x.2.x mailbox (RFC 3463 §3.3)
	"X.2.0": t("Other or undefined mailbox status", "其他或未定义的邮箱状态"),
	"X.2.1": t("Mailbox disabled, not accepting messages", "邮箱已停用，不接收邮件"),
	"X.2.2": t("Mailbox full", "邮箱已满"),
	"X.2.3": t("Message length exceeds administrative limit (per-mailbox limit)", "邮件长度超过管理限制（单个邮箱的上限）"),
	"X.2.4": t("Mailing list expansion problem", "邮件列表展开出错"),

	// x.3.x mail system (RFC 3463 §3.4)
	"X.3.0": t("Other or undefined mail system status", "其他或未定义的邮件系统状态"),
	"X.3.1": t("Mail system full (out of storage)", "邮件系统存储已满"),
	"X.3.2": t("System not accepting network messages (for example shutting down)", "系统暂不接收网络邮件（例如正在关闭）"),
	"X.3.3": t("System not capable of selected features", "系统不支持所选的功能"),
	"X.3.4": t("Message too big for system", "邮件过大，超出系统限制"),
	"X.3.5": t("System incorrectly configured", "系统配置错误"),
	"X.3.6": t("Requested priority was changed", "请求的优先级已被更改"), // RFC 6710

	// x.4.x network and routing (RFC 3463 §3.5)
	"X.4.0": t("Other or undefined network or routing status", "其他或未定义的网络或路由状态"),
	"X.4.1": t("No answer from host", "目标主机无应答"),
	"X.4.2": t("Bad connection (for example a timeout or a dropped connection)", "连接不良（例如超时或连接中断）"),
	"X.4.3": t("Directory server failure (for example DNS)", "目录服务器故障（例如 DNS）"),
	"X.4.4": t("Unable to route", "无法路由"),
	"X.4.5": t("Mail system congestion", "邮件系统拥塞"),
	"X.4.6": t("Routing loop detected", "检测到路由循环"),
	"X.4.7": t("Delivery time expired", "投递时间已过期"),

	// x.5.x mail delivery protocol (RFC 3463 §3.6)
	"X.5.0": t("Other or undefined protocol status", "其他或未定义的协议状态"),
	"X.5.1": t("Invalid command (including a command out of sequence)", "无效命令（包括命令顺序错误）"),
	"X.5.2": t("Syntax error (command unrecognised)", "语法错误（无法识别的命令）"),
	"X.5.3": t("Too many recipients", "收件人过多"),
	"X.5.4": t("Invalid command arguments", "命令参数无效"),
	"X.5.5": t("Wrong protocol version", "协议版本错误"),
	"X.5.6": t("Authentication exchange line is too long", "认证交互行过长"), // RFC 4954 §6

	// x.6.x message content or media (RFC 3463 §3.7)
	"X.6.0":  t("Other or undefined media error", "其他或未定义的媒体错误"),
	"X.6.1":  t("Media not supported", "不支持该媒体类型"),
	"X.6.2":  t("Conversion required and prohibited", "需要转换，但转换被禁止"),
	"X.6.3":  t("Conversion required but not supported", "需要转换，但不支持该转换"),
	"X.6.4":  t("Conversion with loss performed", "已进行有损转换"),
	"X.6.5":  t("Conversion failed", "转换失败"),
	"X.6.6":  t("Message content not available", "邮件内容不可用"),                                                          // RFC 4468
	"X.6.7":  t("Non-ASCII addresses not permitted for that sender/recipient", "该发件人/收件人不允许使用非 ASCII 地址"),            // RFC 6531 §3.5
	"X.6.8":  t("UTF-8 string reply is required, but not permitted by the SMTP client", "需要包含 UTF-8 字符串的应答，但客户端不允许"), // RFC 6531
	"X.6.9":  t("UTF-8 header message cannot be transferred to one or more recipients", "含 UTF-8 邮件头的邮件无法传送给部分收件人"),  // RFC 6531 §3.5
	"X.6.10": t("Same as X.6.8 (deprecated duplicate)", "与 X.6.8 相同（已废弃的重复码）"),                                       // RFC 6531

	// x.7.x security or policy (RFC 3463 §3.8)
	"X.7.0":  t("Other or undefined security status", "其他或未定义的安全状态"),
	"2.7.0":  t("Authentication succeeded (security status OK)", "身份认证成功"),
	"4.7.0":  t("Temporary security failure (for example TLS or authentication unavailable)", "临时安全故障（例如 TLS 或认证暂时不可用）"),
	"5.7.0":  t("Security or policy failure (for example authentication or STARTTLS required)", "安全或策略错误（例如需要先认证或先执行 STARTTLS）"),
	"X.7.1":  t("Delivery not authorised, message refused (for example relay denied)", "未授权投递，邮件被拒绝（例如拒绝中继）"),
	"4.7.1":  t("Temporarily refused by policy (often greylisting)", "被策略暂时拒绝（常见于灰名单）"),
	"X.7.2":  t("Mailing list expansion prohibited", "禁止展开邮件列表"),
	"X.7.3":  t("Security conversion required but not possible", "需要安全转换，但无法进行"),
	"X.7.4":  t("Security features not supported", "不支持所需的安全功能"),
	"X.7.5":  t("Cryptographic failure", "加密处理失败"),
	"X.7.6":  t("Cryptographic algorithm not supported", "不支持该加密算法"),
	"X.7.7":  t("Message integrity failure", "邮件完整性校验失败"),
	"X.7.8":  t("Authentication credentials invalid", "认证凭据无效"),                                                                                  // RFC 4954 §6
	"X.7.9":  t("Authentication mechanism is too weak", "认证机制强度不足"),                                                                              // RFC 4954 §6
	"X.7.10": t("Encryption needed", "需要加密"),                                                                                                     // RFC 5248
	"X.7.11": t("Encryption required for requested authentication mechanism", "所选的认证机制要求先加密"),                                                    // RFC 4954 §6
	"X.7.12": t("A password transition is needed", "需要进行密码过渡"),                                                                                   // RFC 4954 §6
	"X.7.13": t("User account disabled", "用户账户已停用"),                                                                                              // RFC 5248
	"X.7.14": t("Trust relationship required", "需要信任关系"),                                                                                         // RFC 5248
	"X.7.26": t("Multiple authentication checks failed (for example SPF and DKIM, as DMARC uses them)", "多项发件人验证（例如 DMARC 所依据的 SPF 和 DKIM）均未通过"), // RFC 7372
	"X.7.27": t("Sender address has a null MX: it cannot receive replies", "发件人域名发布了空 MX 记录，无法接收回信"),                                             // RFC 7505
}

// enhancedCode is a parsed enhanced status code.
type enhancedCode struct {
	class, subject, detail int
}

// parseEnhanced parses "c.s.d" (RFC 2034 §4: class 2, 4 or 5; subject and
// detail 1 to 3 digits).
func parseEnhanced(s string) (enhancedCode, bool) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) != 3 {
		return enhancedCode{}, false
	}
	var n [3]int
	for i, p := range parts {
		if len(p) == 0 || len(p) > 3 {
			return enhancedCode{}, false
		}
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return enhancedCode{}, false
		}
		n[i] = v
	}
	if len(parts[0]) != 1 {
		return enhancedCode{}, false
	}
	return enhancedCode{n[0], n[1], n[2]}, true
}

func (c enhancedCode) String() string {
	return strconv.Itoa(c.class) + "." + strconv.Itoa(c.subject) + "." + strconv.Itoa(c.detail)
}

// lookup returns the one-line meaning of the exact code, if it is known.
func (c enhancedCode) lookup() (text, bool) {
	if x, ok := enhancedDetail[c.String()]; ok {
		return x, true
	}
	x, ok := enhancedDetail["X."+strconv.Itoa(c.subject)+"."+strconv.Itoa(c.detail)]
	return x, ok
}

// Enhanced returns one line for an enhanced status code, e.g. "5.1.1" →
// "Bad destination mailbox address (no such user)". A code whose detail is
// not registered is described by its class and subject ("Permanent failure,
// addressing status (sender or recipient address); detail 99 is not a
// registered code"). "" gives ""; text that is not an enhanced status code
// says so.
func Enhanced(lang string, enhanced string) string {
	lang = normLang(lang)
	if strings.TrimSpace(enhanced) == "" {
		return ""
	}
	c, ok := parseEnhanced(enhanced)
	cls, clsOK := enhancedClass[c.class]
	if !ok || !clsOK {
		return t("Not a valid enhanced status code: the form is class.subject.detail with class 2, 4 or 5 (RFC 3463)",
			"不是合法的增强状态码：格式应为 类别.主题.细节，类别只能是 2、4 或 5（RFC 3463）").in(lang)
	}
	if x, ok := c.lookup(); ok {
		return x.in(lang)
	}
	subj, ok := enhancedSubject[c.subject]
	if !ok {
		subj = t("subject "+strconv.Itoa(c.subject)+" is not defined", "主题 "+strconv.Itoa(c.subject)+" 未定义")
	}
	if lang == "zh" {
		return cls.zh + "，" + subj.zh + "（细节码 " + strconv.Itoa(c.detail) + " 不是已登记的代码）"
	}
	return cls.en + ", " + subj.en + " (detail " + strconv.Itoa(c.detail) + " is not a registered code)"
}
