package view

import (
	"maillab/sim/explain"
	"maillab/sim/trace"
)

// Localize returns the trace with the engine's notes in the page's
// language. The engine writes its notes (a client's decision, a queue
// wait, a delivery, the TLS handshake) in English; explain.Note has them in
// Chinese. Lines on the wire are never translated: they are the protocol.
// The trace given is not changed; when nothing needs translating it is
// returned as is.
func Localize(t *trace.Trace, lang string) *trace.Trace {
	if t == nil || lang == "en" || lang == "" {
		return t
	}
	var steps []trace.Step
	for i, s := range t.Steps {
		switch s.Kind {
		case trace.Note, trace.Store, trace.Wait, trace.TLS:
		default:
			continue
		}
		zh := explain.Note(lang, s.Text)
		if zh == s.Text {
			continue
		}
		if steps == nil {
			steps = append([]trace.Step(nil), t.Steps...)
		}
		steps[i].Text = zh
	}
	if steps == nil {
		return t
	}
	c := *t
	c.Steps = steps
	return &c
}
