package view

import (
	"testing"

	"maillab/sim/trace"
)

// trace200 is about 200 steps: the plain session four times over.
func trace200() *trace.Trace {
	tr := samplePlain()
	one := tr.Steps
	for len(tr.Steps) < 200 {
		for _, s := range one {
			s.Conn += len(tr.Steps) / len(one) * 10
			s.At += tr.Steps[len(tr.Steps)-1].At
			tr.Steps = append(tr.Steps, s)
		}
	}
	tr.Steps = tr.Steps[:200]
	return tr
}

// BenchmarkRepaint is what one step of the cursor costs the page: every
// view that depends on the cursor, for a 200-step trace, with the cursor at
// the end (the most to draw). The budget is one frame, 16 ms, in
// the browser; wasm runs Go some 2–3× slower than native.
func BenchmarkRepaint(b *testing.B) {
	tr := trace200()
	table := smtpServerTable()
	b.ReportAllocs()
	for b.Loop() {
		_ = SequenceDiagram(tr, 199, "en")
		_ = Transcript(tr, 199, "en")
		_ = Envelope(tr, 199, "en")
		_ = ServerLog(tr, 199, "en")
		_ = StateDiagram(table, "READY", "DATA", "end-of-data", "en")
		_ = StateDiagram(table, "READY", "DATA", "end-of-data", "en")
	}
}
