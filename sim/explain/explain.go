// Package explain says what every reply means, in English and Chinese: the
// class of the code, the specific meaning, the RFC section that governs it and
// what a correct client does next. The page, `maillab run --explain` and
// native mode's `--explain` all read it.
//
// The data lives in tables, one row per reply and both languages side by
// side: smtp_replies.go (SMTP reply codes, per command where the meaning
// differs), smtp_advice.go (what a client does for a class of reply to a
// given command, used when a row does not say), enhanced.go (RFC 3463
// enhanced status codes) and pop3_replies.go (POP3 responses). The lookup
// code in smtp.go and pop3.go picks the most specific row. Chinese text uses
// the terms of GLOSSARY-zh.md.
//
// The package is pure Go (no os, no syscall) so that it also builds for
// GOOS=js GOARCH=wasm.
package explain

import "strings"

// Entry is the explanation of one reply.
type Entry struct {
	Summary string // one line: what the reply says ("Mailbox unavailable: user unknown")
	Class   string // what the reply class means ("Permanent failure: do not repeat the same request")
	Detail  string // what it means here, for a student
	Next    string // what a correct client does next
	RFC     string // the section that governs it: "RFC 5321 §4.2.3"
}

// text is one piece of prose in both languages.
type text struct{ en, zh string }

// t builds a text: English first, then Chinese (zh-CN).
func t(en, zh string) text { return text{en: en, zh: zh} }

// in returns the text in lang ("en" or "zh", already normalised).
func (x text) in(lang string) string {
	if lang == "zh" {
		return x.zh
	}
	return x.en
}

func (x text) empty() bool { return x.en == "" && x.zh == "" }

// normLang maps a language tag to "zh" or "en". "zh" and its regional forms
// ("zh-CN", "zh_Hans") are Chinese; anything else falls back to English.
func normLang(lang string) string {
	l := strings.ToLower(strings.TrimSpace(lang))
	if l == "zh" || strings.HasPrefix(l, "zh-") || strings.HasPrefix(l, "zh_") {
		return "zh"
	}
	return "en"
}

// join appends sentences, with the separator each language uses between
// sentences (a space in English, nothing in Chinese).
func join(lang string, parts ...string) string {
	sep := " "
	if lang == "zh" {
		sep = ""
	}
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(p)
	}
	return b.String()
}

// verbs lists the commands a row applies to.
func verbs(v ...string) []string { return v }

func hasVerb(list []string, verb string) bool {
	for _, v := range list {
		if v == verb {
			return true
		}
	}
	return false
}
