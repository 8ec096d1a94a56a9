package main

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// commandFlags builds each command's FlagSet with the function the command
// parses with, so the tests see exactly the flags the command accepts.
var commandFlags = map[string]func() *flag.FlagSet{
	"run":   func() *flag.FlagSet { return runFlags(new(runOptions)) },
	"build": func() *flag.FlagSet { return buildFlags(new(buildOptions)) },
	"serve": func() *flag.FlagSet { return serveFlags(new(serveOptions)) },
	"send":  func() *flag.FlagSet { return sendFlags(new(sendOptions)) },
	"fetch": func() *flag.FlagSet { return fetchFlags(new(fetchOptions)) },
	"lint":  func() *flag.FlagSet { return lintFlags(new(string)) },
}

// setLocale makes the terminal's language LANG=lang, nothing overriding it.
func setLocale(t *testing.T, lang string) {
	t.Helper()
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", lang)
}

// helpOf runs `maillab CMD args...` (args asking for help) and returns
// what it wrote to stderr.
func helpOf(t *testing.T, cmd string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	commands[cmd](args, &out, &errOut)
	if out.Len() > 0 {
		t.Errorf("%s %q wrote to stdout: %q", cmd, args, out.String())
	}
	return errOut.String()
}

// flagDescriptions reads help laid out as flag.PrintDefaults does it:
// "  -name type" and a "    \t"-indented description on the next line,
// or "  -x\tdescription" on one. It maps each flag to its description.
func flagDescriptions(help string) map[string]string {
	descs := map[string]string{}
	lines := strings.Split(help, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "  -") {
			continue
		}
		head, desc, oneLine := strings.Cut(l[len("  -"):], "\t")
		name, _, _ := strings.Cut(head, " ")
		if !oneLine && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "    \t") {
			desc = strings.TrimPrefix(lines[i+1], "    \t")
		}
		descs[name] = desc
	}
	return descs
}

func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

func sortedCommands() []string {
	var names []string
	for name := range commands {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Under a Chinese locale every command's -h is Chinese: the usage, and
// every flag the command has, each with a Chinese description.
func TestHelpInChinese(t *testing.T) {
	setLocale(t, "zh_CN.UTF-8")
	for _, name := range sortedCommands() {
		newFlags, ok := commandFlags[name]
		if !ok {
			t.Errorf("%s: no FlagSet builder in commandFlags", name)
			continue
		}
		fs := newFlags()
		for _, args := range [][]string{{"-h"}, {"--help"}, {"--no-such-flag"}} {
			help := helpOf(t, name, args...)
			if !strings.HasPrefix(help, "用法：maillab "+name) && !strings.Contains(help, "\n用法：maillab "+name) {
				t.Errorf("%s %s: no Chinese usage line:\n%s", name, args[0], help)
			}
			if !strings.Contains(help, "\n选项：\n") {
				t.Errorf("%s %s: no 选项： heading:\n%s", name, args[0], help)
			}
			if strings.Contains(help, "(default ") {
				t.Errorf("%s %s: an English \"(default …)\" in the Chinese help:\n%s", name, args[0], help)
			}
			descs := flagDescriptions(help)
			n := 0
			fs.VisitAll(func(f *flag.Flag) {
				n++
				desc, ok := descs[f.Name]
				switch {
				case !ok:
					t.Errorf("%s %s: -%s is missing from the help:\n%s", name, args[0], f.Name, help)
				case !hasHan(desc):
					t.Errorf("%s %s: -%s is described in English: %q", name, args[0], f.Name, desc)
				}
			})
			if len(descs) != n {
				t.Errorf("%s %s: the help lists %d flags, the command has %d:\n%s", name, args[0], len(descs), n, help)
			}
		}
	}
	// A default other than the zero value is shown, as PrintDefaults does.
	if help := helpOf(t, "serve", "-h"); !strings.Contains(help, "实验页面的地址（默认 \"127.0.0.1:8080\"）") {
		t.Errorf("serve -h: no Chinese default for -http:\n%s", help)
	}
}

// Under LANG=C the help is English, and its flags are exactly what
// flag.PrintDefaults prints for the same FlagSet.
func TestHelpInEnglish(t *testing.T) {
	setLocale(t, "C")
	for _, name := range sortedCommands() {
		newFlags, ok := commandFlags[name]
		if !ok {
			t.Errorf("%s: no FlagSet builder in commandFlags", name)
			continue
		}
		var want bytes.Buffer
		fs := newFlags()
		fs.SetOutput(&want)
		fs.PrintDefaults()
		help := helpOf(t, name, "-h")
		if !strings.HasPrefix(help, "usage: maillab "+name) {
			t.Errorf("%s -h: no English usage line:\n%s", name, help)
		}
		if !strings.HasSuffix(help, "\nFlags:\n"+want.String()) {
			t.Errorf("%s -h: the flags differ from PrintDefaults'.\ngot:\n%s\nwant them to end with:\n%s", name, help, want.String())
		}
		if hasHan(help) {
			t.Errorf("%s -h: Chinese in the English help:\n%s", name, help)
		}
	}
}

// --lang on the command line wins over the locale, for the help too.
func TestHelpLangFlag(t *testing.T) {
	setLocale(t, "C")
	for _, args := range [][]string{{"--lang", "zh", "-h"}, {"-lang=zh", "-h"}, {"--lang=zh_CN", "-h"}} {
		if help := helpOf(t, "send", args...); !strings.HasPrefix(help, "用法：maillab send") {
			t.Errorf("send %q: not Chinese:\n%s", args, help)
		}
	}
	setLocale(t, "zh_CN.UTF-8")
	if help := helpOf(t, "fetch", "--lang", "en", "-h"); !strings.HasPrefix(help, "usage: maillab fetch") || hasHan(help) {
		t.Errorf("fetch --lang en -h under LANG=zh_CN: not English:\n%s", help)
	}
}

func TestCliLang(t *testing.T) {
	for _, c := range []struct {
		args              []string
		lcAll, lcMsg, env string
		want              string
	}{
		{args: []string{"--lang", "zh"}, want: "zh"},
		{args: []string{"--lang=zh"}, want: "zh"},
		{args: []string{"-lang", "zh"}, want: "zh"},
		{args: []string{"-lang=zh"}, want: "zh"},
		{args: []string{"x.yaml", "--lang", "zh-CN"}, want: "zh"},
		{args: []string{"--lang", "zh_CN"}, want: "zh"},
		{args: []string{"--lang", "en"}, env: "zh_CN.UTF-8", want: "en"},
		{args: []string{"--lang=en"}, lcAll: "zh_CN.UTF-8", want: "en"},
		{args: []string{"--lang", "zh", "--lang", "en"}, want: "en"}, // the last wins, as in package flag
		{args: []string{"--lang", "fr"}, env: "zh_CN.UTF-8", want: "en"},
		{args: []string{"--", "--lang", "zh"}, want: "en"}, // after --, an argument
		{args: []string{"--language", "zh"}, want: "en"},
		{args: []string{"--lang"}, env: "zh_CN.UTF-8", want: "zh"}, // no value: the locale
		{env: "zh_CN.UTF-8", want: "zh"},
		{env: "zh_TW.UTF-8", want: "zh"},
		{lcMsg: "zh_CN.UTF-8", env: "en_US.UTF-8", want: "zh"},
		{lcAll: "C", env: "zh_CN.UTF-8", want: "en"},
		{lcAll: "zh_CN.UTF-8", env: "C", want: "zh"},
		{env: "de_DE.UTF-8", want: "en"},
		{want: "en"},
	} {
		t.Setenv("LC_ALL", c.lcAll)
		t.Setenv("LC_MESSAGES", c.lcMsg)
		t.Setenv("LANG", c.env)
		if got := cliLang(c.args); got != c.want {
			t.Errorf("cliLang(%q) with LC_ALL=%q LC_MESSAGES=%q LANG=%q = %q, want %q", c.args, c.lcAll, c.lcMsg, c.env, got, c.want)
		}
	}
}

// The top-level usage names every command, in both languages, and the
// binary picks the language from the locale or --lang.
func TestUsageNamesEveryCommand(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		var b bytes.Buffer
		usage(&b, lang)
		for _, name := range sortedCommands() {
			if !strings.Contains(b.String(), "\n  "+name+" ") {
				t.Errorf("usage in %s does not name %s:\n%s", lang, name, b.String())
			}
		}
		if hasHan(b.String()) != (lang == "zh") {
			t.Errorf("usage in %s:\n%s", lang, b.String())
		}
	}

	setLocale(t, "zh_CN.UTF-8")
	for _, args := range [][]string{{"help"}, {"--help"}, {}} {
		if _, errOut, _ := runMaillab(t, args...); !strings.Contains(errOut, "\n命令：\n") {
			t.Errorf("maillab %q under LANG=zh_CN: no Chinese usage:\n%s", args, errOut)
		}
	}
	if _, errOut, code := runMaillab(t, "nosuch"); code != 2 || !strings.Contains(errOut, "未知命令 \"nosuch\"") {
		t.Errorf("maillab nosuch: exit %d, stderr %q", code, errOut)
	}
	if _, errOut, _ := runMaillab(t, "help", "--lang", "en"); !strings.Contains(errOut, "\nCommands:\n") {
		t.Errorf("maillab help --lang en: not English:\n%s", errOut)
	}
}

// Every Chinese flag text belongs to a flag that exists: a renamed flag
// must not leave its translation behind.
func TestFlagHelpZhHasNoStaleKeys(t *testing.T) {
	for key := range flagHelpZh {
		cmd, name, _ := strings.Cut(key, ".")
		cmds := []string{cmd}
		if cmd == "client" {
			cmds = []string{"send", "fetch"}
		}
		for _, c := range cmds {
			newFlags, ok := commandFlags[c]
			if !ok || newFlags().Lookup(name) == nil {
				t.Errorf("flagHelpZh[%q]: %s has no flag -%s", key, c, name)
			}
		}
	}
}

// lint and build print their summaries in the language of the locale or
// of --lang, which lint accepts anywhere among its paths.
func TestLintAndBuildSummaryLang(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "en"), 0o755)
	lesson := "---\nid: demo\ntitle: Demo\nlang: en\norder: 1\nduration: 5\nobjectives: [Read]\n---\n# Demo\n\nText.\n"
	os.WriteFile(filepath.Join(dir, "en", "01-demo.md"), []byte(lesson), 0o644)
	lint := func(args ...string) (string, int) {
		var out bytes.Buffer
		code := cmdLint(args, &out, io.Discard)
		return out.String(), code
	}

	setLocale(t, "zh_CN.UTF-8")
	if out, code := lint(dir); code != 0 || !strings.Contains(out, "已检查 1 篇课文，没有发现问题") {
		t.Errorf("lint under LANG=zh_CN: exit %d, %q", code, out)
	}
	if out, code := lint(dir, "--lang", "en"); code != 0 || !strings.Contains(out, "1 lesson checked, no problems") {
		t.Errorf("lint DIR --lang en: exit %d, %q", code, out)
	}
	setLocale(t, "C")
	if out, code := lint("--lang=zh", dir); code != 0 || !strings.Contains(out, "已检查 1 篇课文") {
		t.Errorf("lint --lang=zh DIR: exit %d, %q", code, out)
	}
	if _, code := lint("--lang", "fr", dir); code != 2 {
		t.Errorf("lint --lang fr: exit %d, want 2", code)
	}

	// A broken course: lint and build count the problems in Chinese.
	os.WriteFile(filepath.Join(dir, "en", "02-x.md"), []byte("---\nid: x\ntitle: X\nlang: en\norder: 2\nduration: 5\nobjectives: [Read]\n---\n\n```scenario\nclient: nobody\n```\n"), 0o644)
	var errOut, out bytes.Buffer
	if code := cmdLint([]string{"-lang", "zh", dir}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "1 个文件中有 1 个问题（共检查 2 篇课文）") {
		t.Errorf("lint -lang zh on a broken course: exit %d, stderr %q", code, errOut.String())
	}
	// The problem itself in Chinese, at its place, the value as typed.
	if !strings.Contains(out.String(), `02-x.md:11:9: 场景：客户端 "nobody" 不是已知的程序`) {
		t.Errorf("lint -lang zh: problem %q", out.String())
	}
	errOut.Reset()
	if code := cmdBuild([]string{"--lang", "zh", "--lessons", dir, "-o", t.TempDir()}, io.Discard, &errOut); code != 1 || !strings.Contains(errOut.String(), "检查了 2 篇课文，发现 1 个问题；请先修正（maillab lint "+dir+"）") || !strings.Contains(errOut.String(), `场景：客户端 "nobody"`) {
		t.Errorf("build --lang zh on a broken course: exit %d, stderr %q", code, errOut.String())
	}
	errOut.Reset()
	if code := cmdBuild([]string{"--lessons", dir, "-o", t.TempDir()}, io.Discard, &errOut); code != 1 || !strings.Contains(errOut.String(), "1 problem in 2 lessons; fix them first") {
		t.Errorf("build under LANG=C on a broken course: exit %d, stderr %q", code, errOut.String())
	}
}
