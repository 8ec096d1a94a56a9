package explain

import "testing"

func TestProblemInChinese(t *testing.T) {
	for _, x := range []struct{ en, zh string }{
		// Nested prefixes, each translated, the author's values kept.
		{`exercise: solution: fault 1: then "250 Ok": a fault must be a failure: the code must start with 4 (temporary) or 5 (permanent)`,
			`练习：答案（solution）：故障 1：then "250 Ok"：故障必须是失败：应答码必须以 4（临时性）或 5（永久性）开头`},
		// Several unmet goals, each translated.
		{`exercise: the solution does not meet the goal: delivered: the message has not arrived in bob@example.com's maildrop; saw_reply: no 550 reply in the session yet`,
			`练习：答案没有达成目标：delivered：bob@example.com 的邮箱还没有收到邮件；saw_reply：会话中还没有出现应答 550`},
		{`scenario: server mail.example.com: max_recipients: 50 is below 100, the minimum a server must accept (RFC 5321 §4.5.3.1.8)`,
			`场景：服务器 mail.example.com：max_recipients：50 小于 100，这是服务器必须接受的最小值（RFC 5321 §4.5.3.1.8）`},
		{`unknown key "language" in course.yaml: the keys are title, order`, `course.yaml 文件中没有键 "language"：可用的键是 title、order`},
	} {
		zh, ok := ProblemZH(x.en)
		if !ok || zh != x.zh {
			t.Errorf("ProblemZH(%q)\n = %q, %v\nwant %q", x.en, zh, ok, x.zh)
		}
		if got := Problem("zh-CN", x.en); got != x.zh {
			t.Errorf("Problem(zh-CN) = %q", got)
		}
		if got := Problem("en", x.en); got != x.en {
			t.Errorf("Problem(en) = %q, want the English", got)
		}
	}
}

// A message no rule knows keeps its English, but the prefixes around it are
// translated; ProblemZH says it was not all translated.
func TestProblemUnknownKeepsEnglish(t *testing.T) {
	const en = "exercise: goal: something new went wrong"
	if got, want := Problem("zh", en), "练习：目标（goal）：something new went wrong"; got != want {
		t.Errorf("Problem = %q, want %q", got, want)
	}
	if _, ok := ProblemZH(en); ok {
		t.Error("ProblemZH says an unknown message was translated")
	}
	if got := Problem("zh", "entirely new"); got != "entirely new" {
		t.Errorf("Problem = %q, want the English", got)
	}
}
