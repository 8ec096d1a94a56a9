package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// maillabBin is the real command, built once for the command tests.
var maillabBin string

func TestMain(m *testing.M) {
	// The commands speak the terminal's language when --lang is not given;
	// the tests compare English unless they choose otherwise (setLocale).
	os.Setenv("LC_ALL", "")
	os.Setenv("LC_MESSAGES", "")
	os.Setenv("LANG", "C")
	dir, err := os.MkdirTemp("", "maillab-cmd")
	if err != nil {
		panic(err)
	}
	maillabBin = filepath.Join(dir, "maillab")
	out, err := exec.Command("go", "build", "-o", maillabBin, ".").CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func runMaillab(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(maillabBin, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func TestRunExplainsEveryReply(t *testing.T) {
	out, errOut, code := runMaillab(t, "run", "sim/scenario/testdata/greylisting.yaml", "--explain")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"# [00:00:00] connection 1: alice (smtplib) → mail.example.com (smtp)",
		"C: mail FROM:<alice@example.com>",
		"S: 451 4.7.1 <bob@example.org>: Recipient address rejected: Greylisted, try again later",
		"# [00:30:00] connection 3: mail.example.com → mx.example.org (smtp)",
		"see: RFC 5321 §4.5.4.1",
		"# server log:",
		"status=deferred",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// Every final reply line is followed by its explanation.
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "S: ") && len(l) > 6 && l[6] == ' ' && i+1 < len(lines) && !strings.HasPrefix(lines[i+1], "    ↳ ") {
			t.Errorf("reply %q has no explanation after it", l)
		}
	}
}

func TestRunInChinese(t *testing.T) {
	out, _, code := runMaillab(t, "run", "--lang", "zh", "--explain", "sim/scenario/testdata/unknown_recipient.yaml")
	if code != 0 || !strings.Contains(out, "下一步") || !strings.Contains(out, "服务器日志") {
		t.Fatalf("exit %d, no Chinese explanation:\n%s", code, out)
	}
	// Without --lang, a Chinese terminal gets the same.
	setLocale(t, "zh_CN.UTF-8")
	if same, _, _ := runMaillab(t, "run", "--explain", "sim/scenario/testdata/unknown_recipient.yaml"); same != out {
		t.Errorf("under LANG=zh_CN.UTF-8 the output differs from --lang zh:\n%s", same)
	}
}

func TestRunReportsMistakesWithPosition(t *testing.T) {
	setLocale(t, "C") // English unless --lang says otherwise
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("title: x\nclient: smtplb\nservers:\n  mail.example.com: {}\n"), 0o644)
	_, errOut, code := runMaillab(t, "run", bad)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	want := bad + `:2:9: client "smtplb" is not a known program`
	if !strings.HasPrefix(errOut, want) {
		t.Errorf("stderr %q, want it to start with %q", errOut, want)
	}
	if strings.Contains(errOut, "panic") || strings.Contains(errOut, "goroutine") {
		t.Errorf("a Go panic reached the user: %s", errOut)
	}
	// In Chinese: the same place, the program's name as typed.
	_, errOut, _ = runMaillab(t, "run", bad, "--lang", "zh")
	if want := bad + `:2:9: 客户端 "smtplb" 不是已知的程序`; !strings.HasPrefix(errOut, want) {
		t.Errorf("stderr %q, want it to start with %q", errOut, want)
	}
}
