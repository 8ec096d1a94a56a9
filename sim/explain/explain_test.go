package explain

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// The reply codes of PROTOCOL.md §1.3 with the commands they typically answer.
var protocolCodes = map[int][]string{
	211: {"HELP"}, 214: {"HELP"},
	220: {"GREETING", "STARTTLS"}, 221: {"QUIT"}, 235: {"AUTH"},
	250: {"EHLO", "HELO", "MAIL", "RCPT", "EOD", "RSET", "NOOP", "BDAT", "VRFY"},
	251: {"RCPT", "VRFY"}, 252: {"VRFY", "EXPN"},
	334: {"AUTH"}, 354: {"DATA"},
	421: {"GREETING", "MAIL", "RCPT", "DATA", "EOD"}, 432: {"AUTH"},
	450: {"RCPT", "EOD"}, 451: {"MAIL", "RCPT", "DATA", "EOD"}, 452: {"MAIL", "RCPT", "EOD"},
	454: {"STARTTLS", "AUTH"}, 455: {"MAIL", "RCPT"},
	500: {"EHLO", "MAIL", "AUTH"}, 501: {"EHLO", "MAIL", "RCPT", "DATA", "AUTH", "STARTTLS", "BDAT"},
	502: {"EHLO", "EXPN", "STARTTLS"}, 503: {"MAIL", "RCPT", "DATA", "AUTH", "STARTTLS", "BDAT"},
	504: {"AUTH", "VRFY"}, 521: {"GREETING"}, 530: {"MAIL", "AUTH"},
	534: {"AUTH"}, 535: {"AUTH"}, 538: {"AUTH"},
	550: {"MAIL", "RCPT", "EOD", "VRFY"}, 551: {"RCPT"}, 552: {"MAIL", "RCPT", "EOD"},
	553: {"MAIL", "RCPT"}, 554: {"GREETING", "RCPT", "DATA", "EOD"}, 555: {"MAIL", "RCPT"},
	556: {"RCPT"},
}

// The enhanced status codes of PROTOCOL.md §1.4 (and §1.3's "typical enhanced" column).
var protocolEnhanced = []string{
	"2.0.0", "4.0.0", "5.0.0",
	"2.1.0", "2.1.5", "5.1.1", "5.1.2", "5.1.3", "5.1.6", "5.1.7", "5.1.8", "5.1.10",
	"4.2.0", "5.2.0", "5.2.1", "4.2.2", "5.2.2", "5.2.3",
	"4.3.0", "4.3.1", "4.3.2", "5.3.4", "5.3.5", "5.3.2",
	"4.4.1", "4.4.2", "5.4.4", "4.4.5", "5.4.6", "4.4.7",
	"5.5.1", "5.5.2", "4.5.3", "5.5.3", "5.5.4", "5.5.6",
	"5.6.0", "5.6.1", "5.6.3", "5.6.7", "5.6.9",
	"2.7.0", "4.7.0", "5.7.0", "5.7.1", "4.7.1", "5.7.8", "5.7.9", "5.7.11", "4.7.12", "5.7.26",
}

func hasCJK(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// checkEntry checks an en/zh pair of entries.
func checkEntry(t *testing.T, what string, en, zh Entry) {
	t.Helper()
	for _, f := range []struct{ name, en, zh string }{
		{"Summary", en.Summary, zh.Summary},
		{"Class", en.Class, zh.Class},
		{"Detail", en.Detail, zh.Detail},
		{"Next", en.Next, zh.Next},
	} {
		if f.en == "" || f.zh == "" {
			t.Errorf("%s: empty %s (en %q, zh %q)", what, f.name, f.en, f.zh)
			continue
		}
		if f.en == f.zh {
			t.Errorf("%s: %s is the same in both languages: %q", what, f.name, f.en)
		}
		if !hasCJK(f.zh) {
			t.Errorf("%s: zh %s has no Chinese: %q", what, f.name, f.zh)
		}
		if hasCJK(f.en) {
			t.Errorf("%s: en %s has Chinese: %q", what, f.name, f.en)
		}
	}
	if en.RFC == "" || en.RFC != zh.RFC {
		t.Errorf("%s: RFC en %q zh %q", what, en.RFC, zh.RFC)
	}
	if RFCURL(en.RFC) == "" {
		t.Errorf("%s: RFC %q has no URL", what, en.RFC)
	}
}

func TestEveryProtocolCode(t *testing.T) {
	for code, vs := range protocolCodes {
		for _, verb := range append(vs, "") {
			what := strconv.Itoa(code) + " to " + verb
			checkEntry(t, what, SMTP("en", code, "", verb), SMTP("zh", code, "", verb))
			if e := SMTP("en", code, "", verb); strings.Contains(e.Summary, "not defined in RFC 5321") {
				t.Errorf("%s: explained as an unknown code: %q", what, e.Summary)
			}
		}
	}
}

func TestEveryProtocolEnhancedCode(t *testing.T) {
	replyFor := map[byte]int{'2': 250, '4': 451, '5': 550}
	for _, ec := range protocolEnhanced {
		en, zh := Enhanced("en", ec), Enhanced("zh", ec)
		if en == "" || zh == "" || en == zh || !hasCJK(zh) {
			t.Errorf("Enhanced(%s): en %q zh %q", ec, en, zh)
		}
		if strings.Contains(en, "not a registered code") {
			t.Errorf("Enhanced(%s) does not know the code: %q", ec, en)
		}
		code := replyFor[ec[0]]
		for _, verb := range []string{"", "RCPT", "EOD"} {
			e, z := SMTP("en", code, ec, verb), SMTP("zh", code, ec, verb)
			checkEntry(t, strconv.Itoa(code)+" "+ec+" to "+verb, e, z)
		}
	}
}

func TestClassDependsOnFirstDigit(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		seen := map[string]int{}
		for _, code := range []int{250, 354, 451, 550} {
			c := SMTP(lang, code, "", "").Class
			if other, ok := seen[c]; ok {
				t.Errorf("%s: %d and %d share the class text %q", lang, code, other, c)
			}
			seen[c] = code
		}
		if SMTP(lang, 211, "", "").Class != SMTP(lang, 250, "", "MAIL").Class {
			t.Errorf("%s: 211 and 250 should share a class", lang)
		}
		if SMTP(lang, 421, "", "").Class != SMTP(lang, 499, "", "RCPT").Class {
			t.Errorf("%s: 421 and 499 should share a class", lang)
		}
	}
	if c := SMTP("zh", 451, "", "").Class; !strings.Contains(c, "临时性失败") {
		t.Errorf("zh 4yz class %q lacks 临时性失败", c)
	}
	if c := SMTP("zh", 550, "", "").Class; !strings.Contains(c, "永久性失败") {
		t.Errorf("zh 5yz class %q lacks 永久性失败", c)
	}
}

func TestSpecificCases(t *testing.T) {
	contains := func(what, s string, any ...string) {
		t.Helper()
		for _, a := range any {
			if strings.Contains(strings.ToLower(s), strings.ToLower(a)) {
				return
			}
		}
		t.Errorf("%s: %q mentions none of %q", what, s, any)
	}

	e, z := SMTP("en", 550, "5.1.1", "RCPT"), SMTP("zh", 550, "5.1.1", "RCPT")
	contains("550 5.1.1 RCPT summary", e.Summary, "recipient", "mailbox")
	contains("550 5.1.1 RCPT detail", e.Detail, "other recipients")
	contains("550 5.1.1 RCPT zh", z.Summary+z.Detail, "收件人", "邮箱")
	contains("550 5.1.1 RCPT next", e.Next, "continue", "carry on")
	if e.RFC != "RFC 5321 §3.3" {
		t.Errorf("550 5.1.1 RCPT RFC = %q", e.RFC)
	}

	e, z = SMTP("en", 451, "4.7.1", "RCPT"), SMTP("zh", 451, "4.7.1", "RCPT")
	contains("451 4.7.1 en", e.Summary+e.Detail, "greylist")
	contains("451 4.7.1 zh", z.Summary+z.Detail, "灰名单")
	contains("451 4.7.1 next", e.Next, "retry later")
	if e.RFC != "RFC 5321 §4.5.4.1" {
		t.Errorf("451 4.7.1 RCPT RFC = %q", e.RFC)
	}
	contains("450 4.7.1 RCPT", SMTP("en", 450, "4.7.1", "RCPT").Summary, "greylist")

	for _, ec := range []string{"4.4.2", "4.3.2", "4.7.0", ""} {
		for _, verb := range []string{"", "RCPT", "MAIL", "EOD", "GREETING"} {
			what := "421 " + ec + " to " + verb
			e, z := SMTP("en", 421, ec, verb), SMTP("zh", 421, ec, verb)
			contains(what+" next", e.Next, "close")
			contains(what+" next", e.Next, "retry")
			contains(what+" zh next", z.Next, "关闭")
			contains(what+" zh next", z.Next, "重试")
		}
	}
	contains("421 4.4.2", SMTP("en", 421, "4.4.2", "").Summary, "timeout")
	contains("421 4.3.2", SMTP("en", 421, "4.3.2", "").Summary, "shutting down")

	e = SMTP("en", 250, "2.0.0", "EOD")
	contains("EOD 250 detail", e.Detail, "owns")
	contains("EOD 250 next", e.Next, "queue")
	if e.RFC != "RFC 5321 §4.2.5" {
		t.Errorf("EOD 250 RFC = %q", e.RFC)
	}

	contains("RCPT 4xx next", SMTP("en", 450, "4.2.0", "RCPT").Next, "keep this recipient in the queue")
	contains("EOD 4xx next", SMTP("en", 451, "4.3.0", "EOD").Next, "every recipient")
	contains("EOD 4xx detail", SMTP("en", 451, "4.3.0", "EOD").Detail, "whole message")
	contains("EOD 5xx next", SMTP("en", 554, "5.7.1", "EOD").Next, "bounce")
	contains("MAIL 5xx next", SMTP("en", 550, "", "MAIL").Next, "bounce")
	contains("452 4.5.3", SMTP("en", 452, "4.5.3", "RCPT").Next, "new transaction")
	contains("452 4.3.1", SMTP("en", 452, "4.3.1", "RCPT").Summary, "storage")
	contains("503 5.5.1", SMTP("en", 503, "5.5.1", "RCPT").Summary, "sequence")
	contains("530 5.7.0", SMTP("en", 530, "5.7.0", "MAIL").Summary, "authentication")
	contains("530 to AUTH", SMTP("en", 530, "5.7.0", "AUTH").Summary, "STARTTLS")
	contains("535 5.7.8", SMTP("en", 535, "5.7.8", "AUTH").Next, "same credentials")
	contains("554 greeting", SMTP("en", 554, "", "GREETING").Next, "QUIT")
	contains("554 5.7.1 RCPT", SMTP("zh", 554, "5.7.1", "RCPT").Summary, "拒绝中继")
	contains("550 5.7.1 RCPT", SMTP("en", 550, "5.7.1", "RCPT").Summary, "relay")
	contains("554 5.5.1 DATA", SMTP("en", 554, "5.5.1", "DATA").Summary, "no valid recipients")
	contains("552 5.3.4 MAIL", SMTP("en", 552, "5.3.4", "MAIL").Detail, "SIZE")
	contains("552 5.3.4 EOD", SMTP("en", 552, "5.3.4", "EOD").Next, "bounce")
	contains("bounce in zh", SMTP("zh", 552, "5.3.4", "EOD").Next, "退信")
	contains("220 STARTTLS", SMTP("en", 220, "2.0.0", "STARTTLS").Next, "EHLO again")
	contains("EHLO 502", SMTP("en", 502, "5.5.1", "EHLO").Next, "HELO")
	contains("unknown enhanced in summary", SMTP("en", 550, "5.2.1", "RCPT").Summary, "disabled")
	contains("class mismatch", SMTP("en", 550, "4.7.1", "RCPT").Detail, "RFC 2034")

	// Where the meaning differs by command, so must the explanation.
	differ := func(a, b Entry, what string) {
		t.Helper()
		if a.Summary == b.Summary {
			t.Errorf("%s: same summary %q", what, a.Summary)
		}
	}
	differ(SMTP("en", 220, "", "GREETING"), SMTP("en", 220, "2.0.0", "STARTTLS"), "220 greeting/STARTTLS")
	e250 := map[string]bool{}
	for _, v := range []string{"EHLO", "MAIL", "RCPT", "EOD"} {
		e250[SMTP("en", 250, "", v).Summary] = true
	}
	if len(e250) != 4 {
		t.Errorf("250 to EHLO/MAIL/RCPT/EOD: only %d different summaries", len(e250))
	}
	differ(SMTP("en", 452, "4.5.3", "RCPT"), SMTP("en", 452, "4.3.1", "RCPT"), "452 4.5.3/4.3.1")
	differ(SMTP("en", 554, "", "GREETING"), SMTP("en", 554, "5.7.1", "RCPT"), "554 greeting/relay")
	differ(SMTP("en", 554, "5.5.1", "DATA"), SMTP("en", 554, "5.7.1", "RCPT"), "554 no recipients/relay")
	differ(SMTP("en", 550, "5.1.1", "RCPT"), SMTP("en", 550, "5.7.1", "RCPT"), "550 5.1.1/5.7.1")
	differ(SMTP("en", 552, "5.3.4", "MAIL"), SMTP("en", 552, "5.3.4", "EOD"), "552 MAIL/EOD")
	differ(SMTP("en", 421, "4.4.2", ""), SMTP("en", 421, "4.3.2", ""), "421 4.4.2/4.3.2")
}

func TestUnknownCodes(t *testing.T) {
	for _, c := range []struct {
		code  int
		class int
	}{{599, 5}, {299, 2}, {399, 3}, {471, 4}, {209, 2}} {
		for _, lang := range []string{"en", "zh"} {
			e := SMTP(lang, c.code, "", "RCPT")
			if e.Class != classText[c.class].in(lang) {
				t.Errorf("%s %d: class %q", lang, c.code, e.Class)
			}
			if !strings.Contains(e.Summary, strconv.Itoa(c.code)) || e.Next == "" || e.Detail == "" {
				t.Errorf("%s %d: %+v", lang, c.code, e)
			}
			if e.RFC != "RFC 5321 §4.2.1" {
				t.Errorf("%s %d: RFC %q", lang, c.code, e.RFC)
			}
		}
		checkEntry(t, strconv.Itoa(c.code), SMTP("en", c.code, "", ""), SMTP("zh", c.code, "", ""))
	}
	// A known enhanced code still explains an unknown reply code.
	if e := SMTP("en", 599, "5.1.1", "RCPT"); !strings.Contains(e.Summary, "Bad destination mailbox") {
		t.Errorf("599 5.1.1: %q", e.Summary)
	}
	// Not a reply code at all.
	for _, code := range []int{0, 199, 600, 1000, -250} {
		checkEntry(t, strconv.Itoa(code), SMTP("en", code, "", ""), SMTP("zh", code, "", ""))
		if e := SMTP("en", code, "", ""); !strings.Contains(e.Summary, "Not a valid") {
			t.Errorf("%d: %q", code, e.Summary)
		}
	}
}

func TestEnhancedUnknownDetail(t *testing.T) {
	if e := Enhanced("en", "5.1.99"); !strings.Contains(e, "Permanent failure") || !strings.Contains(e, "addressing") {
		t.Errorf("5.1.99: %q", e)
	}
	if e := Enhanced("zh", "4.2.77"); !strings.Contains(e, "持续性临时失败") || !strings.Contains(e, "邮箱状态") {
		t.Errorf("zh 4.2.77: %q", e)
	}
	if e := Enhanced("en", "5.9.1"); !strings.Contains(e, "subject 9") {
		t.Errorf("5.9.1: %q", e)
	}
	if e := Enhanced("en", "5.1.1"); e != "Bad destination mailbox address (no such user)" {
		t.Errorf("5.1.1: %q", e)
	}
	for _, bad := range []string{"x", "3.1.1", "5.1", "5.1.1.1", "55.1.1", "5..1", "5.1.1234"} {
		if e := Enhanced("en", bad); !strings.Contains(e, "Not a valid") {
			t.Errorf("%q: %q", bad, e)
		}
	}
	if Enhanced("en", "") != "" {
		t.Error(`Enhanced("") should be ""`)
	}
	e := SMTP("en", 550, "5.1.99", "RCPT")
	if !strings.Contains(e.Summary, "5.1.99") || !strings.Contains(e.Summary, "addressing") {
		t.Errorf("550 5.1.99: %q", e.Summary)
	}
}

func TestRFCURL(t *testing.T) {
	for ref, want := range map[string]string{
		"RFC 5321 §4.5.3.1":             "https://www.rfc-editor.org/rfc/rfc5321#section-4.5.3.1",
		"RFC 1939 §5":                   "https://www.rfc-editor.org/rfc/rfc1939#section-5",
		"RFC 5321 §4.5.3.1.10":          "https://www.rfc-editor.org/rfc/rfc5321#section-4.5.3.1.10",
		"RFC 2449 §8.1.2":               "https://www.rfc-editor.org/rfc/rfc2449#section-8.1.2",
		"RFC 7504":                      "https://www.rfc-editor.org/rfc/rfc7504",
		"RFC5321 §2.3.8":                "https://www.rfc-editor.org/rfc/rfc5321#section-2.3.8",
		"RFC 5321 Section 4.2":          "https://www.rfc-editor.org/rfc/rfc5321#section-4.2",
		"RFC 5321 §D.1":                 "https://www.rfc-editor.org/rfc/rfc5321#appendix-D.1",
		" RFC 3207 §4 ":                 "https://www.rfc-editor.org/rfc/rfc3207#section-4",
		"draft-murchison-sasl-login-00": "https://datatracker.ietf.org/doc/html/draft-murchison-sasl-login-00",
		"":                              "",
		"RFC":                           "",
		"RFC x":                         "",
		"RFC 5321 §":                    "",
		"RFC 5321 §4..2":                "",
		"RFC 5321 §4.2 and more":        "",
		"5321 §4.2":                     "",
		"see RFC 5321":                  "",
		"RFC 05321":                     "",
	} {
		if got := RFCURL(ref); got != want {
			t.Errorf("RFCURL(%q) = %q, want %q", ref, got, want)
		}
	}
}

func TestDigit(t *testing.T) {
	for pos := 1; pos <= 3; pos++ {
		for d := byte(0); d <= 5; d++ {
			en, zh := Digit("en", pos, '0'+d), Digit("zh", pos, '0'+d)
			if en == "" || zh == "" || en == zh || !hasCJK(zh) {
				t.Errorf("Digit(%d, %d): en %q zh %q", pos, d, en, zh)
			}
			if Digit("en", pos, d) != en {
				t.Errorf("Digit(%d, %d): value and ASCII digit differ", pos, d)
			}
		}
	}
	if a, b := Digit("en", 1, '4'), Digit("en", 1, '5'); a == b || !strings.Contains(a, "Transient") {
		t.Errorf("first digit 4 %q, 5 %q", a, b)
	}
	if a := Digit("en", 2, '1'); !strings.Contains(a, "Information") {
		t.Errorf("second digit 1: %q", a)
	}
	if Digit("en", 4, '1') != "" || Digit("en", 0, '1') != "" {
		t.Error("positions other than 1-3 should give empty text")
	}
	if a := Digit("en", 2, '7'); !strings.Contains(a, "not valid") {
		t.Errorf("second digit 7: %q", a)
	}
}

func TestLanguage(t *testing.T) {
	if SMTP("fr", 250, "", "MAIL") != SMTP("en", 250, "", "MAIL") {
		t.Error("unknown language should fall back to en")
	}
	if SMTP("", 250, "", "MAIL") != SMTP("en", 250, "", "MAIL") {
		t.Error("empty language should fall back to en")
	}
	if SMTP("zh-CN", 250, "", "MAIL") != SMTP("zh", 250, "", "MAIL") {
		t.Error("zh-CN should be zh")
	}
	if POP3("de", "+OK", "", "DELE") != POP3("en", "+OK", "", "DELE") {
		t.Error("POP3: unknown language should fall back to en")
	}
	if SMTP("en", 250, "", "mail") != SMTP("en", 250, "", "MAIL") {
		t.Error("verbs should be case-insensitive")
	}
}

func TestPOP3(t *testing.T) {
	type c struct{ status, code, verb string }
	cases := []c{
		{"+OK", "", "GREETING"},
		{"-ERR", "", "GREETING"},
		{"+", "", "AUTH"},
		{"-ERR", "", "PASS"},
		{"-ERR", "IN-USE", "PASS"},
		{"-ERR", "LOGIN-DELAY", "USER"},
		{"-ERR", "SYS/TEMP", "PASS"},
		{"-ERR", "SYS/PERM", "APOP"},
		{"-ERR", "AUTH", "PASS"},
		{"-ERR", "UTF8", "RETR"},
		{"-ERR", "", "RETR"},
		{"-ERR", "", "STAT"},
		{"-ERR", "", ""},
		{"+OK", "", ""},
	}
	for _, v := range []string{"USER", "PASS", "APOP", "AUTH", "STAT", "LIST", "RETR", "DELE", "NOOP", "RSET", "QUIT", "TOP", "UIDL", "CAPA", "STLS", "UTF8"} {
		cases = append(cases, c{"+OK", "", v}, c{"-ERR", "", v})
	}
	for _, x := range cases {
		what := x.status + " [" + x.code + "] to " + x.verb
		checkEntry(t, what, POP3("en", x.status, x.code, x.verb), POP3("zh", x.status, x.code, x.verb))
		for _, st := range []string{"AUTHORIZATION", "TRANSACTION"} {
			checkEntry(t, what+" in "+st, POP3In("en", x.status, x.code, x.verb, st), POP3In("zh", x.status, x.code, x.verb, st))
		}
	}
	for _, apop := range []bool{true, false} {
		checkEntry(t, "greeting", POP3Greeting("en", apop), POP3Greeting("zh", apop))
	}
	if POP3Greeting("en", true).Summary == POP3Greeting("en", false).Summary {
		t.Error("greeting with and without APOP should differ")
	}
	if !strings.Contains(POP3("en", "+OK", "", "GREETING").Detail, "APOP") {
		t.Error("greeting should explain the APOP timestamp")
	}

	contains := func(what, s string, sub string) {
		t.Helper()
		if !strings.Contains(strings.ToLower(s), strings.ToLower(sub)) {
			t.Errorf("%s: %q lacks %q", what, s, sub)
		}
	}
	q := POP3In("en", "+OK", "", "QUIT", "TRANSACTION")
	contains("QUIT in TRANSACTION", q.Summary, "deletions happen now")
	contains("QUIT in TRANSACTION", q.Detail, "UPDATE")
	contains("QUIT in TRANSACTION zh", POP3In("zh", "+OK", "", "QUIT", "TRANSACTION").Detail, "更新状态")
	q = POP3In("en", "+OK", "", "QUIT", "AUTHORIZATION")
	contains("QUIT in AUTHORIZATION", q.Summary, "nothing deleted")
	contains("QUIT in AUTHORIZATION zh", POP3In("zh", "+OK", "", "QUIT", "AUTHORIZATION").Summary, "不删除")
	q = POP3("en", "+OK", "", "QUIT")
	contains("QUIT, state unknown", q.Detail, "removed now")
	contains("QUIT, state unknown", q.Detail, "nothing was deleted")
	if POP3In("en", "+OK", "", "QUIT", "UPDATE") != POP3In("en", "+OK", "", "QUIT", "TRANSACTION") {
		t.Error("UPDATE should count as TRANSACTION")
	}

	contains("DELE", POP3("en", "+OK", "", "DELE").Detail, "only marks")
	contains("IN-USE", POP3("en", "-ERR", "IN-USE", "PASS").Summary, "locked")
	contains("IN-USE rfc", POP3("en", "-ERR", "IN-USE", "PASS").RFC, "2449 §8.1.2")
	contains("[in-use] lower case and brackets", POP3("en", "-ERR", "[in-use]", "PASS").Summary, "locked")
	contains("LOGIN-DELAY", POP3("en", "-ERR", "LOGIN-DELAY", "PASS").Next, "wait")
	contains("SYS/TEMP", POP3("en", "-ERR", "SYS/TEMP", "PASS").Next, "later")
	contains("SYS/PERM", POP3("en", "-ERR", "SYS/PERM", "PASS").Next, "administrator")
	contains("AUTH code", POP3("en", "-ERR", "AUTH", "PASS").Summary, "credentials")
	contains("UTF8 code", POP3("en", "-ERR", "UTF8", "RETR").Summary, "UTF-8")
	contains("bad password", POP3("en", "-ERR", "", "PASS").Summary, "wrong password")
	contains("no such message", POP3In("en", "-ERR", "", "RETR", "TRANSACTION").Summary, "no such message")
	contains("wrong state", POP3In("en", "-ERR", "", "RETR", "AUTHORIZATION").Summary, "wrong state")
	contains("wrong state STAT", POP3("en", "-ERR", "", "STAT").Summary, "wrong state")
	contains("zh wrong state", POP3In("zh", "-ERR", "", "LIST", "AUTHORIZATION").Detail, "事务状态")

	// Unknown sub-levels are ignored, unknown codes fall back on -ERR alone.
	e := POP3("en", "-ERR", "SYS/TEMP/DISK", "PASS")
	contains("SYS/TEMP/DISK", e.Summary, "Temporary system error")
	contains("SYS/TEMP/DISK", e.Detail, "RFC 2449 §8")
	e = POP3("en", "-ERR", "FOO", "PASS")
	contains("FOO", e.Summary, "wrong password")
	contains("FOO", e.Summary, "[FOO]")

	e = POP3("en", "+ok?", "", "")
	contains("bad status", e.Summary, "not a valid")
	checkEntry(t, "bad status", e, POP3("zh", "+ok?", "", ""))
	if POP3("en", "+ok", "", "DELE") != POP3("en", "+OK", "", "DELE") {
		t.Error("status should be case-insensitive")
	}
}

// Every row of every table is complete in both languages and points at a
// section RFCURL can link, so the next person who adds a row learns at once
// what is missing.
func TestTables(t *testing.T) {
	pair := func(what string, x text, required bool) {
		t.Helper()
		if x.empty() {
			if required {
				t.Errorf("%s: empty", what)
			}
			return
		}
		if x.en == "" || x.zh == "" {
			t.Errorf("%s: only one language: %+v", what, x)
			return
		}
		if !hasCJK(x.zh) || hasCJK(x.en) {
			t.Errorf("%s: languages mixed up: %+v", what, x)
		}
		if strings.HasSuffix(x.zh, ".") {
			t.Errorf("%s: zh ends with an ASCII full stop: %q", what, x.zh)
		}
	}
	known := map[string]bool{}
	for _, v := range strings.Fields("GREETING EHLO HELO MAIL RCPT DATA EOD BDAT AUTH STARTTLS RSET NOOP QUIT VRFY EXPN HELP") {
		known[v] = true
	}
	for i, r := range smtpReplies {
		what := "smtpReplies[" + strconv.Itoa(i) + "] " + strconv.Itoa(r.code) + " " + r.enhanced + " " + strings.Join(r.verbs, ",")
		pair(what+" summary", r.summary, true)
		pair(what+" detail", r.detail, true)
		pair(what+" next", r.next, false)
		if r.code < 200 || r.code > 599 {
			t.Errorf("%s: bad code", what)
		}
		if r.enhanced != "" {
			c, ok := parseEnhanced(r.enhanced)
			if !ok || c.class != r.code/100 {
				t.Errorf("%s: enhanced code does not fit", what)
			}
		}
		for _, v := range r.verbs {
			if !known[v] {
				t.Errorf("%s: unknown verb %q", what, v)
			}
		}
		if r.rfc != "" && RFCURL(r.rfc) == "" {
			t.Errorf("%s: RFC %q has no URL", what, r.rfc)
		}
		if !r.next.empty() && r.rfc == "" {
			t.Errorf("%s: a row with its own next needs its own RFC section", what)
		}
	}
	for i, a := range smtpAdvice {
		what := "smtpAdvice[" + strconv.Itoa(i) + "]"
		pair(what+" next", a.next, true)
		pair(what+" context", a.context, false)
		if RFCURL(a.rfc) == "" {
			t.Errorf("%s: RFC %q has no URL", what, a.rfc)
		}
	}
	for class := 2; class <= 5; class++ {
		if _, ok := adviceFor(class, "NO-SUCH-VERB"); !ok {
			t.Errorf("class %d has no advice for any command", class)
		}
	}
	for k, x := range enhancedDetail {
		pair("enhancedDetail "+k, x, true)
		if _, ok := parseEnhanced(strings.Replace(k, "X", "5", 1)); !ok {
			t.Errorf("enhancedDetail key %q", k)
		}
	}
	for i, r := range append(pop3Replies, greetingAPOP, greetingPlain) {
		what := "pop3Replies[" + strconv.Itoa(i) + "] " + r.status + " " + r.code + " " + strings.Join(r.verbs, ",")
		pair(what+" summary", r.summary, true)
		pair(what+" detail", r.detail, true)
		pair(what+" next", r.next, true)
		if RFCURL(r.rfc) == "" {
			t.Errorf("%s: RFC %q has no URL", what, r.rfc)
		}
	}
}

// The package must build for GOOS=js GOARCH=wasm: no os, no syscall, no net
// outside the tests.
func TestNoSystemImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(fset, f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range af.Imports {
			p := strings.Trim(im.Path.Value, `"`)
			if p == "os" || p == "net" || strings.HasPrefix(p, "os/") || strings.HasPrefix(p, "syscall") || strings.HasPrefix(p, "net/") {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}
