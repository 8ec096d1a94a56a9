package scenario

import (
	"slices"
	"testing"
)

// The servers keep the file's order (the first one is the client's server
// unless server: says otherwise) even behind a YAML anchor; the fuzzer
// found that an anchor in front of the document left no order at all and
// the checker indexed an empty list (testdata/fuzz/FuzzParseScenario).
func TestServerOrderBehindAnAnchor(t *testing.T) {
	for src, want := range map[string][]string{
		"servers: &s\n  b.example: {}\n  a.example: {}\nsend:\n  - {from: x@a.example, to: [y@b.example]}\n": {"b.example", "a.example"},
		"servers:\n  b.example: {}\n  a.example: {}\nsend:\n  - {from: x@a.example, to: [y@b.example]}\n":    {"b.example", "a.example"},
		"&top servers:\n b.example:\n a.example:\nsend:\n  - {from: x@a.example, to: [y@b.example]}\n":       {"a.example", "b.example"},
	} {
		s, err := Parse("s.yaml", []byte(src))
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if !slices.Equal(s.ServerOrder, want) || s.Server != want[0] {
			t.Errorf("%q: order %q, server %q; want %q", src, s.ServerOrder, s.Server, want)
		}
	}
}
