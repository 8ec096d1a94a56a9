package app

import (
	"reflect"
	"strings"
	"testing"

	"maillab/web/view"
)

func TestDiffLines(t *testing.T) {
	for _, c := range []struct {
		old, new string
		want     []int
	}{
		{"a b c", "a b c", []int{0, 1, 2}},
		{"a b c", "a x c", []int{0, -1, 2}},
		{"a b c", "a b c d", []int{0, 1, 2, -1}},
		{"a b c d", "a c d", []int{0, 2, 3}},
		{"x a b", "y a b z", []int{-1, 1, 2, -1}},
		{"a a b", "a b a", []int{0, 2, -1}},
		{"", "a", []int{-1}},
	} {
		old, new := strings.Fields(c.old), strings.Fields(c.new)
		if got := DiffLines(old, new); !reflect.DeepEqual(got, c.want) {
			t.Errorf("DiffLines(%q, %q) = %v, want %v", c.old, c.new, got, c.want)
		}
	}
}

// One step of the cursor on a long trace touches few lines of the diagram
// and of the transcript.
func TestDiffLinesOnAStep(t *testing.T) {
	p := newPage(t, State{Lang: LangEN, Lesson: "journey", Step: 80}.Fragment(), nil)
	tr := p.m.Trace()
	seq := view.NewSequence(tr, "en")
	for _, draw := range []func(int) string{seq.Draw, view.NewTranscript(tr, "en").Draw} {
		_, a, ok1 := Lines(draw(79))
		_, b, ok2 := Lines(draw(80))
		if !ok1 || !ok2 {
			t.Fatal("not one child per line")
		}
		keep := DiffLines(a, b)
		inserted := 0
		for _, k := range keep {
			if k < 0 {
				inserted++
			}
		}
		if inserted > 16 || len(b) < 60 {
			t.Errorf("%d of %d lines changed", inserted, len(b))
		}
	}
}

func TestAttrs(t *testing.T) {
	got := Attrs(`<svg xmlns="http://www.w3.org/2000/svg" class="seq" viewBox="0 0 10 20" aria-label="Sequence diagram: a &amp; b &lt;c&gt; (1 of 2)">`)
	want := map[string]string{"xmlns": "http://www.w3.org/2000/svg", "class": "seq", "viewBox": "0 0 10 20", "aria-label": "Sequence diagram: a & b <c> (1 of 2)"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Attrs = %v", got)
	}
}
