package main

import (
	"bytes"
	"context"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"maillab/sim/fault"
)

// What a person does after `maillab serve --smtp … --pop3 …`: paste the
// two printed Python scripts. They must work as printed.
func TestServeNativeBannerSnippetsWork(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed (not in PATH)")
	}
	data := t.TempDir()
	t.Setenv("XDG_DATA_HOME", data)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	rt, err := startNativeTo(ctx, serveOptions{SMTP: "127.0.0.1:0", POP3: "127.0.0.1:0"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.lab.Close()
	banner := out.String()
	for _, want := range []string{"users (passwords made up for this run):", "alice", "bob", filepath.Join(data, "maillab"), "self-signed, made now"} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	send, read := snippetAfter(t, banner, "(paste into python3):"), snippetAfter(t, banner, "with poplib:")
	for _, script := range []string{send, read} {
		cmd := exec.Command("python3", "-")
		cmd.Stdin = strings.NewReader(script)
		got, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("the printed script failed: %v\n%s\n%s", err, script, got)
		}
		if script == read && !strings.Contains(string(got), "This is a test email.") {
			t.Errorf("the poplib script printed:\n%s", got)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "maillab", "tls", "cert.pem")); err != nil {
		t.Error(err)
	}
	// What the page uses: the sessions and the fault rules.
	if n := len(rt.Hub.Sessions()); n < 2 {
		t.Errorf("the hub has %d sessions, want the two the scripts made", n)
	}
	if err := rt.Faults.Add(fault.Rule{When: "RCPT TO:*", Then: "451 4.7.1 Greylisted"}); err != nil {
		t.Error(err)
	}
}

func TestServeNativeConfigFile(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	cfg := filepath.Join(t.TempDir(), "lab.yaml")
	os.WriteFile(cfg, []byte("hostname: mx.school.example\nusers: {carol: pw-carol}\nfaults:\n  - when: connect\n    then: \"421 4.3.2 closed for the holidays\"\n"), 0o600)
	var out bytes.Buffer
	rt, err := startNativeTo(context.Background(), serveOptions{SMTP: "127.0.0.1:0", Config: cfg, Maildir: t.TempDir()}, &out)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.lab.Close()
	if !strings.Contains(out.String(), "carol      password pw-carol") || !strings.Contains(out.String(), "(1 fault rules)") || rt.Hostname != "mx.school.example" {
		t.Errorf("banner:\n%s", out.String())
	}
	if len(rt.Faults.List()) != 1 {
		t.Errorf("rules %v", rt.Faults.List())
	}

	os.WriteFile(cfg, []byte("hostname: a.example\nbogus: 1\n"), 0o600)
	if _, err := startNativeTo(context.Background(), serveOptions{SMTP: "127.0.0.1:0", Config: cfg}, &out); err == nil || !strings.Contains(err.Error(), "lab.yaml:2:1: unknown key") {
		t.Errorf("bad config: %v", err)
	}
}

// snippetAfter returns the script printed after a heading, up to the blank line.
func snippetAfter(t *testing.T, banner, heading string) string {
	t.Helper()
	_, rest, ok := strings.Cut(banner, heading+"\n\n")
	if !ok {
		t.Fatalf("no %q in the banner:\n%s", heading, banner)
	}
	script, _, _ := strings.Cut(rest, "\n\n")
	return script + "\n"
}

// serve --lang zh (or a Chinese terminal) prints the banner in Chinese,
// with the same scripts, which still work as printed.
func TestServeNativeBannerInChinese(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed (not in PATH)")
	}
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	rt, err := startNativeTo(ctx, serveOptions{SMTP: "127.0.0.1:0", POP3: "127.0.0.1:0", Lang: "zh"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.lab.Close()
	banner := out.String()
	for _, want := range []string{"原生模式", "提供 STARTTLS", "用户（密码为本次运行临时生成）：", "自签名证书，刚刚生成", "它从不中继", "密码"} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	for _, english := range []string{"users (", "never relays", "paste into python3", "self-signed"} {
		if strings.Contains(banner, english) {
			t.Errorf("the Chinese banner still says %q:\n%s", english, banner)
		}
	}
	script := snippetAfter(t, banner, "（粘贴到 python3 中运行）：")
	if got, err := exec.Command("python3", "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("the printed script failed: %v\n%s\n%s", err, script, got)
	}
}

// The language of serve's output: --lang, else the terminal's locale.
func TestServeLang(t *testing.T) {
	for _, c := range []struct {
		flag, lcAll, lang, want string
		bad                     bool
	}{
		{flag: "zh", want: "zh"},
		{flag: "en", lang: "zh_CN.UTF-8", want: "en"},
		{lang: "zh_CN.UTF-8", want: "zh"},
		{lcAll: "C", lang: "zh_CN.UTF-8", want: "en"},
		{lang: "de_DE.UTF-8", want: "en"},
		{want: "en"},
		{flag: "fr", bad: true},
		{flag: "zh-CN", want: "zh"}, // as the page spells it
	} {
		t.Setenv("LC_ALL", c.lcAll)
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LANG", c.lang)
		got, err := outputLang(c.flag)
		if (err != nil) != c.bad || (!c.bad && got != c.want) {
			t.Errorf("outputLang(%q) with LC_ALL=%q LANG=%q = %q, %v; want %q", c.flag, c.lcAll, c.lang, got, err, c.want)
		}
	}
	for key, t2 := range serveText {
		if t2[0] == "" || t2[1] == "" || t2[0] == t2[1] {
			t.Errorf("serveText[%q] = %q: want an English and a different Chinese text", key, t2)
		}
	}
}

// A port already taken is the mistake everyone makes once: serve says
// what to do, in the user's language, and exits 1.
func TestServePortInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	addr := taken.Addr().String()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--http", addr, "--lang", "en"}, "another program (another maillab serve?) already listens there"},
		{[]string{"--http", "127.0.0.1:0", "--smtp", addr, "--maildir", t.TempDir(), "--lang", "zh"}, "已有别的程序（也许是另一个 maillab serve）在监听这个地址"},
	} {
		var out, errb bytes.Buffer
		if code := cmdServe(c.args, &out, &errb); code != 1 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("serve %q: exit %d, stderr %q", c.args, code, errb.String())
		}
	}
}

// Every line serve logs has a Chinese version: the formats are found in
// the sources that log through serve's Logf, so a new one cannot slip by.
func TestServeLogLinesInChinese(t *testing.T) {
	files, _ := filepath.Glob("web/*.go")
	files = append(files, "cmd_serve_live.go")
	call := regexp.MustCompile(`(?i)\blogf\("((?:[^"\\]|\\.)*)"`)
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(src), -1) {
			seen++
			if _, ok := logFormatsZh[m[1]]; !ok {
				t.Errorf("%s: no Chinese for the log line %q (add it to logFormatsZh)", f, m[1])
			}
		}
	}
	if seen < 5 {
		t.Fatalf("found only %d log lines: the pattern no longer fits the sources", seen)
	}

	// What an instructor sees with --lessons and --lang zh.
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "en"), 0o755)
	var out, log bytes.Buffer
	h, err := httpHandler(serveOptions{Lessons: dir, Lang: "zh", out: &out, log: &log}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/course/index.json", nil))
	if !strings.Contains(out.String(), "maillab：正在提供 "+dir+" 中的课文") || !strings.Contains(log.String(), "maillab：已读取课程") {
		t.Errorf("serve --lessons --lang zh printed %q and logged %q", out.String(), log.String())
	}
	file := filepath.Join(dir, "en", "01-x.md")
	os.WriteFile(file, nil, 0o644)
	if _, err := httpHandler(serveOptions{Lessons: file, Lang: "zh"}, nil); err == nil || !strings.Contains(err.Error(), "不是文件夹") {
		t.Errorf("--lessons naming a file: %v", err)
	}
}
