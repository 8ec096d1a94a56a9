package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCmdLint(t *testing.T) {
	setLocale(t, "C") // the summary is checked in English
	dir := t.TempDir()
	lesson := "---\nid: demo\ntitle: Demo\nlang: en\norder: 1\nduration: 5\nobjectives: [Read]\n---\n" +
		"# Demo\n\n```scenario\nservers:\n  mail.example.com: {users: {bob: secret}}\nsend: [{from: alice@example.com, to: bob@example.com}]\n```\n\n" +
		"```exercise\nid: e\nstart: scenario\nscenario: scenario-1\ntask: Refuse bob.\ngoal:\n  not_delivered: bob@example.com\n" +
		"solution:\n  faults: [{when: \"RCPT TO:*\", then: \"550 5.1.1 no\"}]\n```\n"
	if err := os.MkdirAll(filepath.Join(dir, "en"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "en", "01-demo.md")
	if err := os.WriteFile(file, []byte(lesson), 0o644); err != nil {
		t.Fatal(err)
	}
	lint := func(args ...string) (string, int) {
		var out bytes.Buffer
		code := cmdLint(args, &out, io.Discard)
		return out.String(), code
	}
	out, code := lint(dir)
	if code != 0 || !strings.Contains(out, "1 lesson checked, no problems") {
		t.Errorf("clean course: status %d, output %q", code, out)
	}

	// A Chinese lesson in en/: the problem names the file as given.
	if err := os.WriteFile(file, []byte(strings.Replace(lesson, "lang: en", "lang: zh", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code = lint(file)
	want := file + ":4:7: lang is zh but the file is in the en/ folder\n"
	if code != 1 || out != want {
		t.Errorf("broken lesson: status %d, output %q, want %q", code, out, want)
	}

	if _, code := lint(); code != 2 {
		t.Errorf("no arguments: status %d, want 2", code)
	}
}
