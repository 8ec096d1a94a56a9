package app

import (
	"testing"
	"time"
)

// FuzzLink opens the page at an arbitrary URL fragment, as a student's
// mistyped or truncated link would, then follows a second one: whatever
// the link says, the page shows something and never panics (in the
// browser a panic stops the whole lab).
func FuzzLink(f *testing.F) {
	files, err := builtin()
	if err != nil {
		f.Fatal(err)
	}
	for _, frag := range []string{
		"lang=zh-CN&lesson=journey&step=40",
		State{Lang: LangEN, Lesson: "journey", Source: benchSrc, Step: 150}.Fragment(),
		"tab=terminal&typed=EHLO%20x%0AMAIL%20FROM%3A%3C%3E",
		"lesson=reading-errors&faults=W3sid2hlbiI6IioifV0&step=999999",
		"yaml=%%%&step=-5",
	} {
		f.Add(frag, "step=3")
	}
	f.Fuzz(func(t *testing.T, first, second string) {
		start := time.Now()
		p := newPage(t, first, files)
		p.do(func(m *Model) { m.HashChanged(second) })
		p.do(func(m *Model) { m.StepForward() })
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("the links took %v", d)
		}
	})
}
