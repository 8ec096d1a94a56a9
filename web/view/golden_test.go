package view

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"maillab/sim/explain"
	"maillab/sim/trace"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with the current output")

// golden compares got with testdata/name, or rewrites the file with -update.
// Every golden file must also be well-formed XML: the page inserts these
// strings with innerHTML, and an unclosed tag there breaks the whole panel.
func golden(t *testing.T, name, got string) {
	t.Helper()
	wellFormed(t, name, got)
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./web/view -update to create it)", err)
	}
	if got == string(want) {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("%s differs from the golden file at line %d:\n got: %s\nwant: %s\n(review, then run go test ./web/view -update)", path, i+1, g, w)
		}
	}
}

// wellFormed parses s as XML (wrapped in one root element).
func wellFormed(t *testing.T, name, s string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader("<root>" + s + "</root>"))
	d.Strict = true
	d.Entity = map[string]string{} // only the five XML entities; esc emits nothing else
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s is not well-formed: %v", name, err)
		}
	}
}

// stepOf returns the index of the first step matching pred.
func stepOf(t *testing.T, tr *trace.Trace, pred func(trace.Step) bool) int {
	t.Helper()
	for i, s := range tr.Steps {
		if pred(s) {
			return i
		}
	}
	t.Fatal("no such step")
	return -1
}

func TestGoldenSamples(t *testing.T) {
	samples := []struct {
		name string
		tr   *trace.Trace
	}{
		{"plain", samplePlain()},
		{"rcpt550", sample550()},
		{"greylist", sampleGreylist()},
		{"pop3dele", samplePOP3()},
	}
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			end := len(s.tr.Steps) - 1
			golden(t, s.name+".seq.svg", SequenceDiagram(s.tr, end, "en"))
			golden(t, s.name+".transcript.html", Transcript(s.tr, end, "en"))
			golden(t, s.name+".envelope.html", Envelope(s.tr, end, "en"))
			golden(t, s.name+".maildrops.html", Maildrops(s.tr, "en"))
			golden(t, s.name+".log.html", ServerLog(s.tr, end, "en"))
		})
	}
}

// TestGoldenMidway freezes the views with the cursor in the middle of a
// session, where the hiding of later steps, the current-step highlight and
// the partly built envelope show; and in Chinese.
func TestGoldenMidway(t *testing.T) {
	tr := sample550()
	at := stepOf(t, tr, func(s trace.Step) bool { return s.Code == 550 })
	golden(t, "rcpt550.at550.seq.svg", SequenceDiagram(tr, at, "en"))
	golden(t, "rcpt550.at550.zh.seq.svg", SequenceDiagram(tr, at, "zh-CN"))
	golden(t, "rcpt550.at550.zh.transcript.html", Transcript(tr, at, "zh-CN"))
	golden(t, "rcpt550.at550.envelope.html", Envelope(tr, at, "en"))
	golden(t, "rcpt550.at550.log.html", ServerLog(tr, at, "en"))

	gl := sampleGreylist()
	wait := stepOf(t, gl, func(s trace.Step) bool { return s.Kind == trace.Wait })
	golden(t, "greylist.afterwait.zh.seq.svg", SequenceDiagram(gl, wait+3, "zh"))
	golden(t, "greylist.afterwait.envelope.html", Envelope(gl, wait+8, "en"))

	golden(t, "plain.start.seq.svg", SequenceDiagram(samplePlain(), -1, "en"))
}

func TestGoldenStates(t *testing.T) {
	golden(t, "state.smtp.rcpt.svg", StateDiagram(smtpServerTable(), "RCPT", "MAIL", "RCPT", "en"))
	golden(t, "state.smtp.loop.svg", StateDiagram(smtpServerTable(), "RCPT", "RCPT", "RCPT", "en"))
	golden(t, "state.pop3.transaction.zh.svg", StateDiagram(pop3ServerTable(), "TRANSACTION", "AUTHORIZATION", "PASS", "zh"))
	golden(t, "state.empty.svg", StateDiagram(nil, "", "", "", "en"))
}

func TestGoldenExplanation(t *testing.T) {
	tr := sample550()
	s := tr.Steps[stepOf(t, tr, func(s trace.Step) bool { return s.Code == 550 })]
	// A fixed entry, so that this golden file changes with the card's
	// layout only, not with sim/explain's wording.
	e := explain.Entry{
		Summary: "Mailbox unavailable: no such user",
		Class:   "Permanent failure: do not repeat the same request",
		Detail:  "The server does not know <nobody@example.com>.",
		Next:    "Drop this recipient, go on with the others, and tell the sender.",
		RFC:     "RFC 5321 §4.2.2",
	}
	golden(t, "explain.550.html", explanationCard(s, e, "Bad destination mailbox address", "https://www.rfc-editor.org/rfc/rfc5321#section-4.2.2", "en"))
}

// TestExplanationLive goes through sim/explain for real: whatever its
// wording, the card names the code, links the RFC and is in the language
// asked for.
func TestExplanationLive(t *testing.T) {
	tr := sample550()
	s := tr.Steps[stepOf(t, tr, func(s trace.Step) bool { return s.Code == 550 })]
	for _, lang := range []string{"en", "zh-CN"} {
		got := Explanation(s, lang)
		wellFormed(t, "explanation", got)
		for _, want := range []string{`data-code="550"`, "5.1.1", `href="https://www.rfc-editor.org/rfc/rfc5321`, T(lang, "ex.next"), "fault 1:"} {
			if !strings.Contains(got, esc(want)) && !strings.Contains(got, want) {
				t.Errorf("%s: explanation lacks %q:\n%s", lang, want, got)
			}
		}
	}
	pop := samplePOP3()
	e := pop.Steps[stepOf(t, pop, func(s trace.Step) bool { return s.Status == "-ERR" })]
	got := Explanation(e, "en")
	wellFormed(t, "pop3 explanation", got)
	if !strings.Contains(got, `data-code="-ERR"`) || !strings.Contains(got, "rc-err") {
		t.Errorf("POP3 -ERR explanation:\n%s", got)
	}
	// A command has no reply code; the card still renders.
	cmd := tr.Steps[stepOf(t, tr, func(s trace.Step) bool { return s.Verb == "RCPT" })]
	wellFormed(t, "command explanation", Explanation(cmd, "en"))
}

func TestGoldenFilesAreUsed(t *testing.T) {
	if *update {
		t.Skip("updating")
	}
	// A golden file no test writes any more would rot silently.
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	src := readTestSources(t)
	for _, e := range entries {
		name := e.Name()
		stem := name
		for _, p := range []string{"plain", "rcpt550", "greylist", "pop3dele"} {
			if strings.HasPrefix(name, p+".") && strings.Count(name, ".") == 2 {
				stem = "" // written by TestGoldenSamples
			}
		}
		if stem != "" && !bytes.Contains(src, []byte(`"`+name+`"`)) {
			t.Errorf("testdata/%s is not written by any test: delete it", name)
		}
	}
}

func readTestSources(t *testing.T) []byte {
	t.Helper()
	files, _ := filepath.Glob("*_test.go")
	var all []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

func explainEntryAll(s string) explain.Entry {
	return explain.Entry{Summary: s, Class: s, Detail: s, Next: s, RFC: s}
}
