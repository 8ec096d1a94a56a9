package lessons

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml"

	"maillab/sim/fault"
	"maillab/sim/scenario"
	"maillab/sim/trace"
)

// What the engine is asked, for exercises and transcripts.

// defaultHost is the server that a terminal exercise without a scenario,
// and a transcript without a server: header, talk to.
const defaultHost = "mail.example.com"

func defaultUsers() map[string]any { return map[string]any{"alice": "secret", "bob": "secret"} }

// Attempt runs an exercise of the lesson as a student does it: for start:
// scenario, the exercise's scenario with the solution's faults added after
// the scenario's own; for start: terminal, a person typing the solution's
// lines one by one. An empty Solution is the exercise untouched. Check the
// trace with CheckGoal.
func (l *Lesson) Attempt(e *Exercise, s Solution) (*trace.Trace, error) {
	var spec *scenario.Spec
	if e.Scenario != "" {
		sc := l.ScenarioByID(e.Scenario)
		if sc == nil {
			return nil, fmt.Errorf("no scenario %q in lesson %s", e.Scenario, l.ID)
		}
		spec = sc.Spec
	}
	if e.Start == "terminal" {
		if spec == nil {
			var err error
			if spec, err = worldSpec(nil, nil); err != nil {
				return nil, err
			}
		}
		t, err := scenario.NewTerminal(spec, e.Protocol, e.Server)
		if err != nil {
			return nil, err
		}
		for _, line := range s.Lines {
			if t.Closed() {
				break
			}
			typeLine(t, e.Protocol, line)
		}
		return t.Trace(), nil
	}
	if spec == nil {
		return nil, errors.New("start: scenario needs a scenario")
	}
	rules := make([]fault.Rule, 0, len(spec.Faults)+len(s.Faults))
	for _, f := range spec.Faults {
		rules = append(rules, f.Rule())
	}
	for _, f := range s.Faults {
		rules = append(rules, f.Rule())
	}
	rs, err := fault.New(rules)
	if err != nil {
		return nil, err
	}
	return scenario.RunWith(spec, rs)
}

// typeLine types one line in a terminal; a STARTTLS (STLS) the server
// accepted is completed, since the page has no handshake to do.
func typeLine(t *scenario.Terminal, proto, line string) []trace.Step {
	steps := t.Type(line)
	verb, _, _ := strings.Cut(strings.TrimSpace(line), " ")
	verb = strings.ToUpper(verb)
	if proto == "smtp" && verb == "STARTTLS" || proto == "pop3" && verb == "STLS" {
		for _, st := range steps {
			if st.Kind == trace.Reply && st.ByServer && (st.Code == 220 || st.Status == "+OK") {
				steps = append(steps, t.TLSReady()...)
				break
			}
		}
	}
	return steps
}

// checkExercise asks the engine whether the exercise makes sense: the
// goal must not hold before the student does anything, and the reference
// solution, if any, must meet it.
func (c *collector) checkExercise(e *Exercise) {
	tr, err := c.lesson.Attempt(e, Solution{})
	if err != nil {
		c.problem(e.Line, 1, "exercise: the engine cannot start it: "+err.Error())
		return
	}
	if len(CheckGoal(e.Goal, tr)) == 0 {
		c.problem(e.goalLine, 1, "exercise: the goal is already met before the student does anything: make it need the student's change")
	}
	if e.Solution == nil {
		return
	}
	tr, err = c.lesson.Attempt(e, *e.Solution)
	if err != nil {
		c.problem(e.solLine, 1, "exercise: the solution cannot run: "+err.Error())
		return
	}
	if unmet := CheckGoal(e.Goal, tr); len(unmet) > 0 {
		var msgs []string
		for _, u := range unmet {
			msgs = append(msgs, u.Check+": "+u.EN)
		}
		c.problem(e.solLine, 1, "exercise: the solution does not meet the goal: "+strings.Join(msgs, "; "))
	}
}

// worldSpec builds the one-server world of a transcript or of a terminal
// exercise without a scenario: the server's keys as in a scenario's
// servers: entry, plus hostname (default mail.example.com, users alice
// and bob with password secret), and messages to put in the maildrops.
func worldSpec(server map[string]any, send []any) (*scenario.Spec, error) {
	srv := map[string]any{}
	for k, v := range server {
		srv[k] = v
	}
	host := defaultHost
	if h, ok := srv["hostname"].(string); ok && h != "" {
		host = h
	}
	if _, ok := srv["users"]; !ok {
		srv["users"] = defaultUsers()
	}
	doc := map[string]any{"servers": map[string]any{host: srv}}
	if len(send) > 0 {
		doc["send"] = send
	}
	src, err := yaml.Marshal(doc)
	if err != nil {
		return nil, err
	}
	spec, err := scenario.Parse("transcript", src)
	if err != nil {
		var se *scenario.Error
		if errors.As(err, &se) {
			return nil, errors.New(se.Msg)
		}
		return nil, err
	}
	return spec, nil
}

var transcriptKeys = []string{"illustrative", "protocol", "server", "send"}

type transcriptHeader struct {
	server map[string]any
	send   []any
	at     pos // file position to blame when the engine refuses the header
}

// dialoguePrefix tells a dialogue line from a header line.
func dialogueLine(s string) bool {
	return strings.HasPrefix(s, "C:") || strings.HasPrefix(s, "S:") || strings.HasPrefix(s, "#")
}

func (c *collector) transcript(b block) *Transcript {
	t := &Transcript{Line: b.fence}
	lineText := func(i int) string {
		return strings.TrimRight(string(b.lines[i].Value(c.src)), "\r\n")
	}
	n := 0
	for n < len(b.lines) && !dialogueLine(lineText(n)) {
		n++
	}
	hb := block{c: c, lines: b.lines[:n], fence: b.fence}
	fields, yerr := parseYAML(hb.text())
	if yerr != nil {
		b.errorf(yerr.pos, "transcript: header: %s (header lines such as illustrative: true come before the C: and S: lines)", yerr.msg)
		return nil
	}
	bad := false
	fail := func(p pos, format string, args ...any) {
		b.errorf(p, "transcript: "+format, args...)
		bad = true
	}
	t.header.at = pos{b.fence, 1}
	for _, fd := range fields {
		var err *yamlErr
		switch fd.key {
		case "illustrative":
			err = decode(fd, &t.Illustrative)
		case "protocol":
			if err = decode(fd, &t.Protocol); err == nil && t.Protocol != "smtp" && t.Protocol != "pop3" {
				err = &yamlErr{fd.vpos, fmt.Sprintf("protocol %q: want smtp or pop3", t.Protocol)}
			}
		case "server":
			if err = decode(fd, &t.header.server); err == nil {
				t.header.at = b.abs(fd.kpos)
			}
		case "send":
			if err = decode(fd, &t.header.send); err == nil && t.header.at.line == b.fence {
				t.header.at = b.abs(fd.kpos)
			}
		default:
			err = &yamlErr{fd.kpos, unknownKey("a transcript header", fd.key, transcriptKeys)}
		}
		if err != nil {
			fail(err.pos, "%s", err.msg)
		}
	}
	for i := n; i < len(b.lines); i++ {
		s := lineText(i)
		line, _ := c.lineCol(b.lines[i].Start)
		switch {
		case strings.TrimSpace(s) == "", strings.HasPrefix(s, "#"):
		case strings.HasPrefix(s, "C:"), strings.HasPrefix(s, "S:"):
			t.Lines = append(t.Lines, DialogueLine{Line: line, Client: s[0] == 'C', Text: strings.TrimPrefix(s[2:], " ")})
		default:
			fail(pos{i + 1, 1}, "%q is not a dialogue line: start it with \"C: \" (client) or \"S: \" (server)", s)
		}
	}
	if len(t.Lines) == 0 && !bad {
		fail(pos{}, "no dialogue: write the lines as \"C: EHLO pc.example.com\" and \"S: 250 …\"")
	}
	if t.Protocol == "" {
		t.Protocol = "smtp"
		for _, l := range t.Lines {
			if !l.Client {
				if strings.HasPrefix(l.Text, "+OK") || strings.HasPrefix(l.Text, "-ERR") {
					t.Protocol = "pop3"
				}
				break
			}
		}
	}
	if bad {
		return nil
	}
	c.lesson.Transcripts = append(c.lesson.Transcripts, t)
	if !t.Illustrative {
		c.replay(t)
	}
	return t
}

var queueID = regexp.MustCompile(`queued as [0-9A-Za-z]+`)

// sameLine compares a server line with the transcript's, the queue id
// after "queued as" being different for every message.
func sameLine(engine, written string) bool {
	return queueID.ReplaceAllString(engine, "queued as *") == queueID.ReplaceAllString(written, "queued as *")
}

// replay types the transcript's C: lines against a simulated server and
// compares its answers with the S: lines. It stops at the first difference:
// the lines after it would all differ.
func (c *collector) replay(t *Transcript) {
	spec, err := worldSpec(t.header.server, t.header.send)
	if err != nil {
		c.problem(t.header.at.line, t.header.at.col, "transcript: header: "+err.Error())
		return
	}
	term, err := scenario.NewTerminal(spec, t.Protocol, "")
	if err != nil {
		c.problem(t.Line, 1, "transcript: the engine cannot open the connection: "+err.Error())
		return
	}
	pending := serverLines(term.Trace().Steps)
	prevClient := false
	for _, dl := range t.Lines {
		if dl.Client {
			if len(pending) > 0 && !prevClient {
				c.problem(dl.Line, 1, fmt.Sprintf("transcript: the server sends %q before this line", pending[0]))
				return
			}
			if term.Closed() {
				c.problem(dl.Line, 1, "transcript: the server has closed the connection before this line")
				return
			}
			pending = append(pending, serverLines(typeLine(term, t.Protocol, dl.Text))...)
			prevClient = true
			continue
		}
		prevClient = false
		if len(pending) == 0 {
			msg := "transcript: the server sends nothing here: it waits for the client"
			if term.Closed() {
				msg = "transcript: the server sends nothing more: it has closed the connection"
			}
			c.problem(dl.Line, 1, msg)
			return
		}
		if !sameLine(pending[0], dl.Text) {
			c.problem(dl.Line, 4, fmt.Sprintf("transcript: the server sends %q here, not %q", pending[0], dl.Text))
			return
		}
		pending = pending[1:]
	}
	if len(pending) > 0 {
		last := t.Lines[len(t.Lines)-1].Line
		c.problem(last, 1, fmt.Sprintf("transcript: the dialogue stops here, but the server still sends %q", pending[0]))
	}
}

// serverLines are the lines a server sent, from a list of steps.
func serverLines(steps []trace.Step) []string {
	var out []string
	for _, st := range steps {
		if st.ByServer && (st.Kind == trace.Reply || st.Kind == trace.Data || st.Kind == trace.Command) {
			out = append(out, st.Text)
		}
	}
	return out
}
