package main

import (
	"fmt"
	"io/fs"
	"time"

	"maillab/lessons"
	"maillab/sim/scenario"
	"maillab/web/view"
)

func main() {
	for i := 0; i < 4; i++ {
		t0 := time.Now()
		src, _ := fs.ReadFile(lessons.Builtin, "en/01-journey.md")
		l, _ := lessons.Parse("en/01-journey.md", src)
		fmt.Println("parse1", time.Since(t0))
		t0 = time.Now()
		sp, err := scenario.Parse("x", []byte(l.Scenarios[0].Source))
		fmt.Println("sparse", time.Since(t0), err)
		t0 = time.Now()
		tr, _ := scenario.Run(sp)
		fmt.Println("run", time.Since(t0), len(tr.Steps))
		t0 = time.Now()
		s := view.SequenceDiagram(tr, len(tr.Steps), "en")
		fmt.Println("seq", time.Since(t0), len(s))
		t0 = time.Now()
		s = view.Transcript(tr, len(tr.Steps), "en")
		fmt.Println("transcript", time.Since(t0), len(s))
	}
}
