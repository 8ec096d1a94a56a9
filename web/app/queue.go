package app

import (
	"runtime/debug"
	"sync"
)

// Queue is the page's one UI queue. JavaScript callbacks never do work
// themselves: they Post a function and return at once (a callback that
// blocks would stall the browser, and could deadlock the Go runtime
// waiting for an event only the browser can deliver). One loop, in the
// wasm's main goroutine, waits on Ready and Drains; tests Drain directly,
// so what happens is deterministic.
type Queue struct {
	mu    sync.Mutex
	fns   []func()
	ready chan struct{}

	// Recovered, when set, is told of a panic in a queued function, and
	// the queue goes on with the next one: in the browser a panic that
	// ends main stops the whole lab, and the student's work with it. When
	// it is nil (the tests) a panic goes on up.
	Recovered func(v any, stack []byte)
}

// NewQueue returns an empty queue.
func NewQueue() *Queue { return &Queue{ready: make(chan struct{}, 1)} }

// Post adds fn to the queue. It never blocks.
func (q *Queue) Post(fn func()) {
	q.mu.Lock()
	q.fns = append(q.fns, fn)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// Ready receives a value when there is work to Drain.
func (q *Queue) Ready() <-chan struct{} { return q.ready }

// Run calls fn, and reports a panic in it to Recovered when that is set.
func (q *Queue) Run(fn func()) {
	if q.Recovered != nil {
		defer func() {
			if v := recover(); v != nil {
				q.Recovered(v, debug.Stack())
			}
		}()
	}
	fn()
}

// Drain runs every queued function, in order, including those posted
// while it runs, and returns how many it ran.
func (q *Queue) Drain() int {
	n := 0
	for {
		q.mu.Lock()
		fns := q.fns
		q.fns = nil
		q.mu.Unlock()
		if len(fns) == 0 {
			return n
		}
		for _, fn := range fns {
			q.Run(fn)
			n++
		}
	}
}
