package app

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/url"
	"strconv"
	"strings"

	"maillab/sim/scenario"
)

// The page's tabs.
const (
	TabSession  = "session"
	TabTerminal = "terminal"
	TabEditor   = "editor"
)

// Languages, as BCP 47 tags for <html lang> (view.Langs).
const (
	LangEN = "en"
	LangZH = "zh-CN"
)

// State is everything on screen that a link must restore: the page writes
// it into the URL's fragment after every change (Fragment) and reads it
// back on load and on hashchange (ParseFragment). Nothing else is in the
// URL, and nothing in it is a secret: it is meant to be sent to a teacher.
type State struct {
	Lang   string // LangEN | LangZH
	Lesson string // the lesson's id; "" = the course's first
	// File and FileSrc are a lesson file the student opened (then Lesson
	// is ignored): its name and its text, so the link shows it too.
	File, FileSrc string
	Scenario      string               // the scenario's id in the lesson; "" = the first
	Source        string               // the scenario as the student edited it; "" = as the lesson has it
	Faults        []scenario.FaultSpec // injected by the student, tried before the scenario's own
	Step          int                  // steps of the trace shown (the cursor is Step-1)
	Tab           string               // TabSession | TabTerminal | TabEditor | TabLive
	Proto         string               // the terminal's protocol: smtp | pop3
	Server        string               // the terminal's server ("" = the scenario's)
	Typed         []string             // the lines typed in the terminal
	Exercise      string               // the exercise being worked on, if any
}

// normLang maps any language tag to LangEN or LangZH.
func normLang(l string) string {
	l = strings.ToLower(strings.TrimSpace(l))
	if l == "zh" || strings.HasPrefix(l, "zh-") || strings.HasPrefix(l, "zh_") {
		return LangZH
	}
	return LangEN
}

// courseLang is the course's name for a page language: "en" or "zh".
func courseLang(l string) string {
	if normLang(l) == LangZH {
		return "zh"
	}
	return "en"
}

// Fragment encodes the state as a URL fragment (without "#"), in the
// form URLSearchParams reads (boot.js reads lang from it before the wasm
// has loaded). Short values are written as they are, so a person can read
// the link; long texts (an edited scenario, an opened file, faults, typed
// lines) are deflated and written in base64url.
func (s State) Fragment() string { return s.fragment(packText) }

func (s State) fragment(packText func(string) string) string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+url.QueryEscape(v))
		}
	}
	add("lang", s.Lang)
	if s.File != "" {
		add("file", packText(s.File+"\n"+s.FileSrc))
	} else {
		add("lesson", s.Lesson)
	}
	add("sc", s.Scenario)
	if s.Source != "" {
		add("yaml", packText(s.Source))
	}
	if len(s.Faults) > 0 {
		b, _ := json.Marshal(s.Faults) // FaultSpecs always encode
		add("faults", packText(string(b)))
	}
	add("step", strconv.Itoa(s.Step))
	if s.Tab != "" && s.Tab != TabSession {
		add("tab", s.Tab)
	}
	if s.Tab == TabTerminal || len(s.Typed) > 0 {
		add("proto", s.Proto)
		add("server", s.Server)
		if len(s.Typed) > 0 {
			add("typed", packText(strings.Join(s.Typed, "\n")))
		}
	}
	add("ex", s.Exercise)
	return strings.Join(parts, "&")
}

// ParseFragment reads a fragment written by Fragment (with or without the
// leading "#"). What it cannot read is left at its zero value: a link cut
// short still opens the page. ok is false when the fragment held nothing
// the page knows, so the caller keeps its defaults. A link to a lesson
// file ("lesson-file=en/03-x.md", written in lessons) comes back in
// LessonFile, for the page to look up in the course.
func ParseFragment(frag string) (s State, lessonFile string, ok bool) {
	s = State{Step: -1, Tab: TabSession, Proto: "smtp"} // -1: "not given", the page picks its start
	q, err := url.ParseQuery(strings.TrimPrefix(frag, "#"))
	if err != nil && len(q) == 0 {
		return s, "", false
	}
	for k := range q {
		switch k {
		case "lang", "lesson", "file", "sc", "yaml", "faults", "step", "tab", "proto", "server", "typed", "ex", "lesson-file":
			ok = true
		}
	}
	if l := q.Get("lang"); l != "" {
		s.Lang = normLang(l)
	}
	s.Lesson = q.Get("lesson")
	if f, err := unpackText(q.Get("file")); err == nil && f != "" {
		s.File, s.FileSrc, _ = strings.Cut(f, "\n")
	}
	s.Scenario = q.Get("sc")
	s.Source, _ = unpackText(q.Get("yaml"))
	if f, err := unpackText(q.Get("faults")); err == nil && f != "" {
		var faults []scenario.FaultSpec
		if json.Unmarshal([]byte(f), &faults) == nil {
			s.Faults = faults
		}
	}
	if n, err := strconv.Atoi(q.Get("step")); err == nil && n >= 0 {
		s.Step = n
	}
	switch t := q.Get("tab"); t {
	case TabTerminal, TabEditor, TabLive:
		s.Tab = t
	default:
		s.Tab = TabSession
	}
	if p := q.Get("proto"); p == "pop3" {
		s.Proto = "pop3"
	} else {
		s.Proto = "smtp"
	}
	s.Server = q.Get("server")
	if t, err := unpackText(q.Get("typed")); err == nil && t != "" {
		s.Typed = strings.Split(t, "\n")
	}
	s.Exercise = q.Get("ex")
	return s, q.Get("lesson-file"), ok
}

// packText deflates s and writes it in base64url without padding.
func packText(s string) string {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression) // the level is valid
	w.Write([]byte(s))
	w.Close()
	return base64.RawURLEncoding.EncodeToString(b.Bytes())
}

// maxUnpacked bounds what a link can expand to (a lesson file is a few
// tens of kilobytes), so a crafted link cannot exhaust memory.
const maxUnpacked = 1 << 20

// unpackText undoes packText.
func unpackText(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return "", err
	}
	r := flate.NewReader(bytes.NewReader(raw))
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, maxUnpacked))
	return string(b), err
}
