package lessons

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"

	"maillab/sim/scenario"
	"maillab/sim/trace"
)

// Reading the three kinds of block. Each reader records its problems at
// their file positions and returns nil when the block cannot be used.

// keyPos finds a top-level "key:" line in a block (for problems about a
// value the engine read).
func (b block) keyPos(key string) pos {
	for i, s := range b.lines {
		if strings.HasPrefix(string(s.Value(b.c.src)), key+":") {
			return pos{i + 1, 1}
		}
	}
	return pos{0, 0}
}

func (c *collector) scenario(b block, n int) *Scenario {
	src := b.text()
	spec, err := scenario.Parse(c.name, src)
	if err != nil {
		var se *scenario.Error
		if errors.As(err, &se) {
			b.errorf(pos{se.Line, se.Col}, "scenario: %s", se.Msg)
		} else {
			b.errorf(pos{}, "scenario: %v", err)
		}
		return nil
	}
	s := &Scenario{ID: spec.ID, Title: spec.Title, Line: b.fence, Source: string(src), Spec: spec}
	if s.ID == "" {
		s.ID = "scenario-" + strconv.Itoa(n)
	} else if !idPattern.MatchString(s.ID) {
		b.errorf(b.keyPos("id"), "scenario: id %q: use lower-case letters, digits and -", s.ID)
	}
	if c.lesson.ScenarioByID(s.ID) != nil {
		b.errorf(b.keyPos("id"), "scenario: id %q is used by another scenario of this lesson", s.ID)
	}
	tr, err := scenario.Run(spec)
	if err != nil {
		b.errorf(pos{}, "scenario: the engine cannot run it: %v", err)
		return nil
	}
	s.Transcript = staticTranscript(tr)
	c.lesson.Scenarios = append(c.lesson.Scenarios, s)
	return s
}

// staticTranscript is a run's dialogue for reading: wire lines, connections,
// notes, waits and stores; state changes are left to the live widget.
func staticTranscript(tr *trace.Trace) string {
	var b strings.Builder
	for _, st := range tr.Steps {
		if st.Kind == trace.State {
			continue
		}
		b.WriteString(st.TranscriptLine())
		b.WriteByte('\n')
	}
	return b.String()
}

var exerciseKeys = []string{"id", "title", "start", "scenario", "protocol", "server", "task", "goal", "hints", "solution"}

func (c *collector) exercise(b block) *Exercise {
	fields, yerr := parseYAML(b.text())
	if yerr != nil {
		b.errorf(yerr.pos, "exercise: %s", yerr.msg)
		return nil
	}
	e := &Exercise{Line: b.fence}
	bad := false
	fail := func(p pos, format string, args ...any) {
		b.errorf(p, "exercise: "+format, args...)
		bad = true
	}
	seen := map[string]field{}
	var goalF, solF *field
	for i, fd := range fields {
		if _, dup := seen[fd.key]; dup {
			fail(fd.kpos, "%s is given twice", fd.key)
			continue
		}
		seen[fd.key] = fd
		var err *yamlErr
		switch fd.key {
		case "id":
			if err = decode(fd, &e.ID); err == nil && !idPattern.MatchString(e.ID) {
				err = &yamlErr{fd.vpos, fmt.Sprintf("id %q: use lower-case letters, digits and - (the page remembers finished exercises by id)", e.ID)}
			}
		case "title":
			err = decode(fd, &e.Title)
		case "start":
			if err = decode(fd, &e.Start); err == nil && e.Start != "scenario" && e.Start != "terminal" {
				err = &yamlErr{fd.vpos, fmt.Sprintf("start %q: want scenario (the student changes a scenario) or terminal (the student types)", e.Start)}
			}
		case "scenario":
			err = decode(fd, &e.Scenario)
		case "protocol":
			if err = decode(fd, &e.Protocol); err == nil && e.Protocol != "smtp" && e.Protocol != "pop3" {
				err = &yamlErr{fd.vpos, fmt.Sprintf("protocol %q: want smtp or pop3", e.Protocol)}
			}
		case "server":
			err = decode(fd, &e.Server)
		case "task":
			err = decode(fd, &e.Task)
		case "goal":
			goalF = &fields[i]
		case "hints":
			e.Hints, err = texts(fd)
		case "solution":
			solF = &fields[i]
		default:
			err = &yamlErr{fd.kpos, unknownKey("an exercise", fd.key, exerciseKeys)}
		}
		if err != nil {
			fail(err.pos, "%s", err.msg)
		}
	}
	for _, k := range []string{"id", "task", "goal"} {
		if _, ok := seen[k]; !ok {
			fail(pos{}, "missing key %s", k)
		}
	}
	if e.Start == "" {
		if _, ok := seen["start"]; !ok {
			fail(pos{}, "missing key start (scenario: the student changes a scenario; terminal: the student types)")
		}
	}
	if fd, ok := seen["task"]; ok && strings.TrimSpace(e.Task) == "" {
		fail(fd.vpos, "task is empty: say what the student must do")
	}
	var spec *scenario.Spec
	if fd, ok := seen["scenario"]; ok {
		if s := c.lesson.ScenarioByID(e.Scenario); s != nil {
			spec = s.Spec
		} else {
			var ids []string
			for _, s := range c.lesson.Scenarios {
				ids = append(ids, s.ID)
			}
			msg := fmt.Sprintf("scenario %q: no scenario block of this lesson has that id", e.Scenario)
			if len(ids) > 0 {
				msg += " (there are: " + strings.Join(ids, ", ") + ")"
			}
			fail(fd.vpos, "%s", msg)
		}
	}
	switch e.Start {
	case "scenario":
		if _, ok := seen["scenario"]; !ok {
			fail(pos{}, "start: scenario needs scenario: the id of a scenario block of this lesson")
		}
		for _, k := range []string{"protocol", "server"} {
			if fd, ok := seen[k]; ok {
				fail(fd.kpos, "%s is only for start: terminal", k)
			}
		}
	case "terminal":
		if e.Protocol == "" {
			e.Protocol = "smtp"
		}
		if fd, ok := seen["server"]; ok && spec != nil {
			if _, ok := spec.Servers[e.Server]; !ok {
				fail(fd.vpos, "server %q is not one of the scenario's servers (%s)", e.Server, strings.Join(spec.ServerOrder, ", "))
			}
		}
	}
	if goalF != nil {
		g, gp, ok := c.goal(b, *goalF)
		e.Goal = g
		e.goalLine = gp.line
		if !ok {
			bad = true
		}
	}
	if solF != nil {
		sol, ok := c.solution(b, *solF, e, spec)
		e.Solution = sol
		e.solLine = b.abs(solF.kpos).line
		if !ok {
			bad = true
		}
	}
	if fd, ok := seen["id"]; ok && c.lesson.ExerciseByID(e.ID) != nil {
		fail(fd.vpos, "id %q is used by another exercise of this lesson", e.ID)
	}
	if bad {
		return nil
	}
	e.taskHTML = inline(e.Task)
	for _, h := range e.Hints {
		e.hintsHTML = append(e.hintsHTML, inline(h))
	}
	c.lesson.Exercises = append(c.lesson.Exercises, e)
	if spec != nil || e.Start == "terminal" && e.Scenario == "" {
		c.checkExercise(e)
	}
	return e
}

var (
	addrPattern  = regexp.MustCompile(`^[^@\s<>]+@[^@\s<>]+$`)
	retryPattern = regexp.MustCompile(`^4[0-5][0-9](?: 4\.[0-9]{1,3}\.[0-9]{1,3})?$`)
	verbPattern  = regexp.MustCompile(`^[A-Za-z]+$`)
)

// goal reads an exercise's goal; it returns the goal's file position.
func (c *collector) goal(b block, gf field) (Goal, pos, bool) {
	var g Goal
	at := b.abs(gf.kpos)
	fields, ok := mapping(gf.val)
	if !ok {
		b.errorf(gf.vpos, "exercise: goal: want checks, one per line, such as\n  goal:\n    delivered: bob@example.org\n    saw_reply: 250")
		return g, at, false
	}
	good := true
	fail := func(p pos, format string, args ...any) {
		b.errorf(p, "exercise: goal: "+format, args...)
		good = false
	}
	if len(fields) == 0 {
		fail(gf.kpos, "no checks: add at least one of %s", strings.Join(Checks, ", "))
	}
	for _, fd := range fields {
		switch fd.key {
		case "delivered", "not_delivered":
			list, err := scalarList(fd)
			if err != nil {
				fail(err.pos, "%s", err.msg)
				continue
			}
			for _, a := range list {
				if !addrPattern.MatchString(a) {
					fail(fd.vpos, "%s: %q is not an address like bob@example.org", fd.key, a)
				}
			}
			if fd.key == "delivered" {
				g.Delivered = append(g.Delivered, list...)
			} else {
				g.NotDelivered = append(g.NotDelivered, list...)
			}
		case "saw_reply", "retried_after":
			list, err := scalarList(fd)
			if err != nil {
				fail(err.pos, "%s", err.msg)
				continue
			}
			for _, r := range list {
				switch {
				case fd.key == "saw_reply" && !replyPattern.MatchString(r):
					fail(fd.vpos, "saw_reply %q: want a reply code (550), a code and an enhanced code (\"550 5.1.1\"), or a POP3 status (-ERR, \"-ERR [IN-USE]\")", r)
				case fd.key == "retried_after" && !retryPattern.MatchString(r):
					fail(fd.vpos, "retried_after %q: want a temporary (4xx) reply code such as 451 or \"451 4.7.1\": clients retry only after those", r)
				}
			}
			if fd.key == "saw_reply" {
				g.SawReply = append(g.SawReply, list...)
			} else {
				g.RetriedAfter = append(g.RetriedAfter, list...)
			}
		case "pop3_deleted":
			n, err := whole(fd)
			if err != nil {
				fail(err.pos, "%s", err.msg)
				continue
			}
			if n < 0 {
				fail(fd.vpos, "pop3_deleted must be 0 or more")
				continue
			}
			g.POP3Deleted = &n
		case "commands_used":
			list, err := scalarList(fd)
			if err != nil {
				fail(err.pos, "%s", err.msg)
				continue
			}
			for i, v := range list {
				if !verbPattern.MatchString(v) {
					fail(fd.vpos, "commands_used: %q is not a command verb such as EHLO or RETR", v)
				}
				list[i] = strings.ToUpper(v)
			}
			g.CommandsUsed = append(g.CommandsUsed, list...)
		default:
			fail(fd.kpos, "unknown check %q: the checks are %s", fd.key, strings.Join(Checks, ", "))
		}
	}
	return g, at, good
}

// solution reads an exercise's reference solution.
func (c *collector) solution(b block, sf field, e *Exercise, spec *scenario.Spec) (*Solution, bool) {
	fields, ok := mapping(sf.val)
	if !ok {
		b.errorf(sf.vpos, "exercise: solution: want faults: (for start: scenario) or lines: (for start: terminal)")
		return nil, false
	}
	good := true
	fail := func(p pos, format string, args ...any) {
		b.errorf(p, "exercise: solution: "+format, args...)
		good = false
	}
	sol := &Solution{}
	for _, fd := range fields {
		switch fd.key {
		case "faults":
			if e.Start == "terminal" {
				fail(fd.kpos, "faults are for start: scenario; a terminal solution lists the lines typed (lines:)")
				continue
			}
			if fd.val == nil || isNull(fd.val) {
				continue
			}
			if err := scenario.YAMLGuard(func() error { return yaml.NodeToValue(fd.val, &sol.Faults, yaml.DisallowUnknownField()) }); err != nil {
				ye := fromYAMLError(err)
				fail(ye.pos, "faults: %s", strings.Replace(ye.msg, "unknown field", "unknown key", 1))
				continue
			}
			for i, f := range sol.Faults {
				p := faultPos(fd, i)
				if err := f.Rule().Validate(); err != nil {
					fail(p, "fault %d: %v", i+1, err)
				} else if f.Server != "" && spec != nil {
					if _, ok := spec.Servers[f.Server]; !ok {
						fail(p, "fault %d: server %q is not one of the scenario's servers (%s)", i+1, f.Server, strings.Join(spec.ServerOrder, ", "))
					}
				}
			}
		case "lines":
			if e.Start == "scenario" {
				fail(fd.kpos, "lines are for start: terminal; a scenario solution lists the faults to add (faults:)")
				continue
			}
			list, err := texts(fd)
			if err != nil {
				fail(err.pos, "%s", err.msg)
				continue
			}
			sol.Lines = list
		default:
			fail(fd.kpos, "unknown key %q: a solution has faults: (start: scenario) or lines: (start: terminal)", fd.key)
		}
	}
	return sol, good
}

// faultPos is the position of the i-th entry of a faults list.
func faultPos(fd field, i int) pos {
	if s, ok := sequenceValues(fd.val); ok && i < len(s) {
		return posOf(s[i])
	}
	return fd.vpos
}
