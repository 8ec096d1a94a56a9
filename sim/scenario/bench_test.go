package scenario

import (
	"os"
	"testing"
)

// BenchmarkRun measures a whole scenario run, what the page does again on
// every fault the student adds or removes: greylisting with a retry (three
// SMTP connections, STARTTLS off, a queue wait).
func BenchmarkRun(b *testing.B) {
	for _, name := range []string{"greylisting", "bounce", "pop3_drop_before_quit"} {
		src, err := os.ReadFile("testdata/" + name + ".yaml")
		if err != nil {
			b.Fatal(err)
		}
		spec, err := Parse(name, src)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			steps := 0
			for b.Loop() {
				tr, _ := Run(spec)
				steps = len(tr.Steps)
			}
			b.ReportMetric(float64(steps), "steps")
		})
	}
}
