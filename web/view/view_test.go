package view

import (
	"encoding/xml"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"maillab/sim/trace"
)

func allSamples() map[string]*trace.Trace {
	return map[string]*trace.Trace{
		"plain": samplePlain(), "rcpt550": sample550(), "greylist": sampleGreylist(), "pop3": samplePOP3(),
	}
}

// Every renderer, at every cursor, in both languages, gives well-formed
// markup, and the same bytes twice.
func TestAllCursorsWellFormedAndDeterministic(t *testing.T) {
	for name, tr := range allSamples() {
		for _, lang := range []string{"en", "zh"} {
			for cur := -2; cur <= len(tr.Steps)+1; cur++ {
				outs := map[string]string{
					"seq":        SequenceDiagram(tr, cur, lang),
					"transcript": Transcript(tr, cur, lang),
					"envelope":   Envelope(tr, cur, lang),
					"log":        ServerLog(tr, cur, lang),
				}
				for kind, out := range outs {
					wellFormed(t, name+"/"+kind+"/"+strconv.Itoa(cur), out)
				}
				if again := SequenceDiagram(tr, cur, lang); again != outs["seq"] {
					t.Fatalf("%s: sequence diagram at %d is not deterministic", name, cur)
				}
			}
		}
	}
}

var dataStep = regexp.MustCompile(`<g class="step[^"]*" data-step="(\d+)"`)

// Every step up to the cursor is drawn exactly once, addressable by its
// index; no later step is drawn; exactly one is current.
func TestSequenceStepsAddressable(t *testing.T) {
	for name, tr := range allSamples() {
		for cur := -1; cur < len(tr.Steps); cur++ {
			svg := SequenceDiagram(tr, cur, "en")
			seen := map[int]int{}
			for _, m := range dataStep.FindAllStringSubmatch(svg, -1) {
				n, _ := strconv.Atoi(m[1])
				seen[n]++
			}
			for i := range tr.Steps {
				want := 0
				if i <= cur {
					want = 1
				}
				if seen[i] != want {
					t.Fatalf("%s cursor %d: step %d drawn %d times, want %d", name, cur, i, seen[i], want)
				}
			}
			if n := strings.Count(svg, `aria-current="step"`); (cur >= 0) != (n == 1) || n > 1 {
				t.Fatalf("%s cursor %d: %d current steps", name, cur, n)
			}
		}
	}
}

// The positions of what is drawn do not depend on the cursor, so stepping
// forward only adds: the drawing at cursor n is a prefix (row by row) of
// the drawing at n+1, apart from the cursor band, the highlight, the
// lifelines' and activations' length and the footer.
func TestSequenceStableLayout(t *testing.T) {
	tr := sample550()
	stepLine := regexp.MustCompile(`(?m)^<g class="step[^"]*" (data-step="\d+".*)$`)
	strip := func(s string) []string {
		var out []string
		for _, m := range stepLine.FindAllStringSubmatch(s, -1) {
			l := strings.ReplaceAll(m[1], ` aria-current="step"`, "")
			out = append(out, l)
		}
		return out
	}
	prev := strip(SequenceDiagram(tr, 0, "en"))
	for cur := 1; cur < len(tr.Steps); cur++ {
		next := strip(SequenceDiagram(tr, cur, "en"))
		for i := range prev {
			if prev[i] != next[i] {
				t.Fatalf("step %d moved when the cursor went to %d:\n%s\n%s", i, cur, prev[i], next[i])
			}
		}
		prev = next
	}
}

func TestReplyClassesAndFaultMarks(t *testing.T) {
	tr := sample550()
	svg := SequenceDiagram(tr, len(tr.Steps)-1, "en")
	for _, want := range []string{
		`class="step k-reply rc-5xx fault"`, // the injected 550
		`class="step k-reply rc-3xx"`,       // 354
		`class="step k-reply rc-2xx"`,
		`data-code="550"`, `data-enhanced="5.1.1"`,
		`data-when="RCPT TO:&lt;nobody@example.com&gt;" data-server="mail.example.com"`,
		`data-when="end-of-data"`,
		`data-when="connect"`,
		`class="bolt"`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("sequence diagram lacks %s", want)
		}
	}
	pop := SequenceDiagram(samplePOP3(), 100, "en")
	for _, want := range []string{`rc-ok`, `rc-err`, `data-code="+OK"`, `data-code="-ERR"`} {
		if !strings.Contains(pop, want) {
			t.Errorf("POP3 diagram lacks %s", want)
		}
	}
	// No colour is written inline: themes own the colours.
	for _, out := range []string{svg, pop, StateDiagram(smtpServerTable(), "MAIL", "READY", "MAIL", "en")} {
		for _, bad := range []string{"fill=\"#", "stroke=\"#", "style=", "rgb("} {
			if strings.Contains(out, bad) {
				t.Errorf("inline colour or style %q in output", bad)
			}
		}
	}
}

func TestGreylistWaitAndTLSBand(t *testing.T) {
	svg := SequenceDiagram(sampleGreylist(), 1000, "en")
	if !strings.Contains(svg, ">+30 min<") {
		t.Error("the wait is not labelled +30 min")
	}
	if !strings.Contains(svg, `class="time"`) || !strings.Contains(svg, ">00:30:01<") {
		t.Error("the retry's connection has no virtual time stamp 00:30:01")
	}
	zh := SequenceDiagram(sampleGreylist(), 1000, "zh")
	if !strings.Contains(zh, ">+30 分钟<") {
		t.Error("the wait is not labelled in Chinese")
	}
	plain := SequenceDiagram(samplePlain(), 1000, "en")
	if strings.Count(plain, `class="tls-band"`) != 1 || !strings.Contains(plain, "encrypted from here") {
		t.Error("the plain session has no single TLS band")
	}
}

// Text from the trace (which a student can type in the terminal or the
// scenario editor) is always escaped.
func TestEscaping(t *testing.T) {
	evil := `<script>alert("x")</script>&`
	tr := &trace.Trace{
		Title:  evil,
		Actors: []trace.Actor{{Name: evil, Role: evil, Desc: evil}, {Name: "srv", Role: "mta"}},
		Steps: []trace.Step{
			{Kind: trace.Connect, Conn: 1, From: evil, To: "srv", Text: evil},
			{Kind: trace.Command, Conn: 1, From: evil, To: "srv", Text: evil, Verb: evil, Fault: evil},
			{Kind: trace.Reply, Conn: 1, From: "srv", To: evil, Text: "550 " + evil, Code: 550, Enhanced: evil, ByServer: true, ReplyTo: evil, RFC: evil},
			{Kind: trace.Data, Conn: 1, From: evil, To: "srv", Text: evil},
			{Kind: trace.Note, Text: evil},
			{Kind: trace.State, From: evil, Text: evil},
			{Kind: trace.Wait, Text: evil, At: time.Minute},
			{Kind: trace.TLS, From: evil, To: "srv", Text: evil},
			{Kind: trace.Store, From: "srv", Text: evil},
			{Kind: trace.Close, Conn: 1, From: evil, To: "srv", Text: evil},
		},
		Mailboxes: []trace.Mailbox{{Host: evil, User: evil, Messages: []trace.Message{{UID: evil, From: evil, To: []string{evil}, Raw: "Received: " + evil + "\n" + evil + ": x\n\n" + evil}}}},
		Log:       []trace.LogLine{{Host: evil, Text: evil}},
	}
	outs := map[string]string{
		"seq":         SequenceDiagram(tr, 100, "en"),
		"transcript":  Transcript(tr, 100, "en"),
		"envelope":    Envelope(tr, 100, "en"),
		"maildrops":   Maildrops(tr, "en"),
		"log":         ServerLog(tr, 100, "en"),
		"explanation": explanationCard(tr.Steps[2], explainEntryAll(evil), evil, evil, "en"),
	}
	for name, out := range outs {
		wellFormed(t, name, out)
		if strings.Contains(out, "<script") || strings.Contains(out, `"x")`) {
			t.Errorf("%s: unescaped text:\n%s", name, out)
		}
	}
}

func TestStateDiagram(t *testing.T) {
	svg := StateDiagram(smtpServerTable(), "RCPT", "MAIL", "RCPT", "en")
	for _, want := range []string{
		`class="state current" data-state="RCPT" aria-current="true"`,
		`class="state prev" data-state="MAIL"`,
		`class="edge lit" data-from="MAIL" data-to="RCPT"`,
		`<tspan class="lit">RCPT</tspan>`,
		`class="state final" data-state="CLOSED"`,
		"current state: RCPT",
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("state diagram lacks %s", want)
		}
	}
	if strings.Count(svg, `class="edge lit"`) != 1 {
		t.Error("want exactly one lit edge")
	}
	// A self loop lights the event inside the box.
	loop := StateDiagram(smtpServerTable(), "RCPT", "RCPT", "RCPT", "en")
	if !strings.Contains(loop, `class="state current looped"`) || strings.Contains(loop, `class="edge lit"`) {
		t.Error("a self loop should light the state's loop list, not an edge")
	}
	// An unknown current state lights nothing and does not fail.
	none := StateDiagram(smtpServerTable(), "NOPE", "", "", "en")
	if strings.Contains(none, "current") && strings.Contains(none, `class="state current`) {
		t.Error("unknown state lit")
	}
	// The layout reads downwards along the normal course of a session.
	y := func(state string) int {
		re := regexp.MustCompile(`data-state="` + state + `"[^>]*><rect class="node" rx="8" x="\d+" y="(\d+)"`)
		m := re.FindStringSubmatch(svg)
		if m == nil {
			t.Fatalf("no node %s", state)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	order := []string{"INIT", "READY", "MAIL", "RCPT", "DATA", "CLOSED"}
	for i := 1; i < len(order); i++ {
		if y(order[i-1]) >= y(order[i]) {
			t.Errorf("%s is not above %s", order[i-1], order[i])
		}
	}
}

func TestEnvelopeDerivation(t *testing.T) {
	tr := sample550()
	txs := transactions(tr, len(tr.Steps)-1)
	if len(txs) != 1 {
		t.Fatalf("%d transactions, want 1", len(txs))
	}
	tx := txs[0]
	if tx.from != "alice@example.com" || len(tx.rcpts) != 2 || tx.eodReply < 0 || tx.abandoned {
		t.Fatalf("transaction %+v", tx)
	}
	if c := tr.Steps[tx.rcpts[1].reply].Code; c != 550 {
		t.Errorf("nobody@ got %d, want 550", c)
	}
	gl := sampleGreylist()
	txs = transactions(gl, len(gl.Steps)-1)
	if len(txs) != 2 || !txs[0].abandoned || txs[1].abandoned {
		t.Fatalf("greylisting: want an abandoned attempt then a delivered one, got %d", len(txs))
	}
	if got := Envelope(gl, len(gl.Steps)-1, "en"); !strings.Contains(got, "queued as 9B8A7C6D5E") || !strings.Contains(got, "refused for now") {
		t.Errorf("greylisting envelope:\n%s", got)
	}
	if got := Envelope(samplePOP3(), 100, "en"); !strings.Contains(got, T("en", "env.none")) {
		t.Errorf("POP3 has no envelope, got:\n%s", got)
	}
}

func TestPathOfAndQueueID(t *testing.T) {
	for in, want := range map[string]string{
		"MAIL FROM:<alice@example.com> SIZE=10": "alice@example.com",
		"RCPT TO:<bob@example.org>":             "bob@example.org",
		"MAIL FROM:<>":                          "",
		"mail from: carol@example.com":          "carol@example.com",
	} {
		if got := pathOf(in); got != want {
			t.Errorf("pathOf(%q) = %q, want %q", in, got, want)
		}
	}
	if got := queueID("250 2.0.0 Ok: queued as 1A2B3C4D5E"); got != "1A2B3C4D5E" {
		t.Errorf("queueID = %q", got)
	}
}

func TestServerLogFollowsCursor(t *testing.T) {
	tr := sample550()
	at := stepOf(t, tr, func(s trace.Step) bool { return s.Code == 550 })
	before := ServerLog(tr, at-1, "en")
	after := ServerLog(tr, at, "en")
	if strings.Contains(before, "NOQUEUE: reject") || !strings.Contains(after, `<li class="reject">`) {
		t.Errorf("the reject line should appear with the 550:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if !strings.Contains(after, "Mar  2 09:00:") || !strings.Contains(after, `<span class="host">mail</span>`) {
		t.Errorf("log line not in syslog form:\n%s", after)
	}
}

func TestDuration(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		lang string
		want string
	}{
		{30 * time.Second, "en", "30 s"},
		{30 * time.Minute, "en", "30 min"},
		{90 * time.Minute, "en", "1 h 30 min"},
		{0, "en", "0 s"},
		{30 * time.Minute, "zh-CN", "30 分钟"},
		{3*time.Hour + 5*time.Second, "zh", "3 小时 5 秒"},
	} {
		if got := Duration(c.d, c.lang); got != c.want {
			t.Errorf("Duration(%v, %s) = %q, want %q", c.d, c.lang, got, c.want)
		}
	}
}

func TestFit(t *testing.T) {
	if got := fit("short", 12, 100); got != "short" {
		t.Error(got)
	}
	got := fit(strings.Repeat("x", 100), 12, 100)
	if !strings.HasSuffix(got, "…") || textWidth(got, 12) > 100 {
		t.Errorf("fit gave %q (%d px)", got, textWidth(got, 12))
	}
	if textWidth("中文", 10) != 20 || textWidth("ab", 10) != 12 {
		t.Error("textWidth")
	}
}

func TestI18nComplete(t *testing.T) {
	placeholder := regexp.MustCompile(`\{[a-z]+\}`)
	for _, k := range Keys() {
		m := messages[k]
		if strings.TrimSpace(m[0]) == "" || strings.TrimSpace(m[1]) == "" {
			t.Errorf("%s: missing a language: %q", k, m)
		}
		en, zh := placeholder.FindAllString(m[0], -1), placeholder.FindAllString(m[1], -1)
		if strings.Join(sortedCopy(en), ",") != strings.Join(sortedCopy(zh), ",") {
			t.Errorf("%s: placeholders differ: %v vs %v", k, en, zh)
		}
		if m[0] == m[1] && !strings.ContainsAny(m[0], "0123456789") {
			t.Errorf("%s: the Chinese label is the English one: %q", k, m[0])
		}
	}
	if T("zh-CN", "seq.title") != "时序图" || T("en-GB", "seq.title") != "Sequence diagram" || T("zh", "no.such.key") != "no.such.key" {
		t.Error("T")
	}
	if got := Tf("en", "ctl.position", "n", "3", "total", "40"); got != "Step 3 of 40" {
		t.Error(got)
	}
	if len(Messages("zh")) != len(messages) {
		t.Error("Messages")
	}
}

// Every key the package's own code asks for exists.
func TestI18nKeysUsedExist(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			id, ok := call.Fun.(*ast.Ident)
			if !ok || (id.Name != "T" && id.Name != "Tf") {
				return true
			}
			lit, ok := call.Args[1].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			key, _ := strconv.Unquote(lit.Value)
			if _, ok := messages[key]; !ok {
				t.Errorf("%s: T(%q): no such label", fset.Position(lit.Pos()), key)
			}
			return true
		})
	}
}

// Chinese labels use the glossary's terms, not near-synonyms.
func TestGlossaryTerms(t *testing.T) {
	want := map[string]string{
		"seq.title": "时序图", "tr.title": "会话记录", "env.title": "信封", "mb.title": "邮箱",
		"panel.faults": "故障注入", "ex.code": "应答码", "ex.enhanced": "增强状态码", "state.title": "状态机",
	}
	for k, w := range want {
		if got := T("zh", k); !strings.Contains(got, w) {
			t.Errorf("%s = %q, want the glossary term %q", k, got, w)
		}
	}
	for _, k := range Keys() {
		zh := messages[k][1]
		for _, bad := range []string{"序列图", "回复码", "响应码", "信箱", "抄本"} {
			if strings.Contains(zh, bad) {
				t.Errorf("%s: %q uses %q; GLOSSARY-zh.md has another term", k, zh, bad)
			}
		}
	}
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	for i := range c {
		for j := i + 1; j < len(c); j++ {
			if c[j] < c[i] {
				c[i], c[j] = c[j], c[i]
			}
		}
	}
	return c
}

// The page updates the sequence diagram and the transcript line by line
// (web/app.DiffLines): every child of the <svg> and of the <ol> must be on
// a line of its own, and nothing else.
func TestOneChildPerLine(t *testing.T) {
	for name, tr := range map[string]*trace.Trace{"plain": samplePlain(), "rcpt550": sample550(), "greylist": sampleGreylist(), "pop3": samplePOP3()} {
		for _, cur := range []int{-1, 3, len(tr.Steps) - 1} {
			for what, out := range map[string]string{"seq": SequenceDiagram(tr, cur, "en"), "transcript": Transcript(tr, cur, "en")} {
				lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
				for i, l := range lines[1 : len(lines)-1] {
					d := xml.NewDecoder(strings.NewReader(l))
					depth, tops := 0, 0
					for {
						tok, err := d.Token()
						if err != nil {
							break
						}
						switch tok.(type) {
						case xml.StartElement:
							if depth == 0 {
								tops++
							}
							depth++
						case xml.EndElement:
							depth--
						}
					}
					if tops != 1 || depth != 0 {
						t.Errorf("%s %s at %d: line %d is not one element: %.200s", name, what, cur, i+2, l)
					}
				}
			}
		}
	}
}

// Reusing a drawing of a trace for a trace that shares its start gives
// the same output as drawing it afresh.
func TestSequenceFrom(t *testing.T) {
	a, b := samplePlain(), sample550()
	for _, pair := range [][2]*trace.Trace{{a, b}, {b, a}, {a, a}} {
		q0, v0 := NewSequence(pair[0], "en"), NewTranscript(pair[0], "en")
		for i := range pair[0].Steps {
			q0.Draw(i)
			v0.Draw(i)
		}
		q1, v1 := NewSequenceFrom(q0, pair[1], "en"), NewTranscriptFrom(v0, pair[1], "en")
		for i := -1; i <= len(pair[1].Steps); i++ {
			if got, want := q1.Draw(i), SequenceDiagram(pair[1], i, "en"); got != want {
				t.Fatalf("sequence at %d differs", i)
			}
			if got, want := v1.Draw(i), Transcript(pair[1], i, "en"); got != want {
				t.Fatalf("transcript at %d differs", i)
			}
		}
	}
}
