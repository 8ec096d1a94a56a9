package wire

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplitterFindsOnlyCRLFUnlessBareLFAccepted(t *testing.T) {
	var s Splitter
	s.Feed([]byte("HELO a\r\nMAIL\nFROM\r\n"))
	l, ok := s.Next()
	if !ok || l.Text != "HELO a" || l.BareLF {
		t.Fatalf("first line %+v %v", l, ok)
	}
	l, ok = s.Next()
	if !ok || l.Text != "MAIL\nFROM" {
		t.Fatalf("a lone LF must stay inside the line (RFC 5321 §2.3.8): %+v", l)
	}
	s = Splitter{AcceptBareLF: true}
	s.Feed([]byte("a\nb\r\n"))
	l, _ = s.Next()
	if l.Text != "a" || !l.BareLF {
		t.Fatalf("bare LF line: %+v", l)
	}
	l, _ = s.Next()
	if l.Text != "b" || l.BareLF {
		t.Fatalf("CRLF line: %+v", l)
	}
}

func TestSplitterHandlesEverySplitPoint(t *testing.T) {
	in := "EHLO x\r\nMAIL FROM:<a@b>\r\n.\r\n"
	want := []string{"EHLO x", "MAIL FROM:<a@b>", "."}
	for i := 0; i <= len(in); i++ {
		var s Splitter
		var got []string
		for _, part := range []string{in[:i], in[i:]} {
			s.Feed([]byte(part))
			for {
				l, ok := s.Next()
				if !ok {
					break
				}
				got = append(got, l.Text)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("split at %d: %q", i, got)
		}
	}
}

func TestSplitterBoundsLongLines(t *testing.T) {
	s := Splitter{Limit: 10}
	for i := 0; i < 1000; i++ {
		s.Feed([]byte("xxxxxxxxxx"))
		if _, ok := s.Next(); ok {
			t.Fatal("a line before its end")
		}
		if s.Buffered() > 11 {
			t.Fatalf("buffer grew to %d for a 10-octet limit", s.Buffered())
		}
	}
	s.Feed([]byte("\r\nnext\r\n"))
	l, ok := s.Next()
	if !ok || !l.TooLong || len(l.Text) != 10 {
		t.Fatalf("over-long line: %+v", l)
	}
	l, _ = s.Next()
	if l.Text != "next" || l.TooLong {
		t.Fatalf("the line after an over-long one: %+v", l)
	}
	// A CR at the very edge must still pair with the LF that follows.
	s = Splitter{Limit: 4}
	s.Feed([]byte("abcdefgh\r"))
	s.Next()
	s.Feed([]byte("\nok\r\n"))
	l, _ = s.Next()
	if !l.TooLong {
		t.Fatalf("want the long line first: %+v", l)
	}
	if l, _ = s.Next(); l.Text != "ok" {
		t.Fatalf("CR LF split across the limit lost a line: %+v", l)
	}
}

func TestSplitterTake(t *testing.T) {
	var s Splitter
	s.Feed([]byte("BDAT 3\r\nabcQUIT\r\n"))
	s.Next()
	if got := string(s.Take(3)); got != "abc" {
		t.Fatalf("Take: %q", got)
	}
	if l, _ := s.Next(); l.Text != "QUIT" {
		t.Fatalf("after Take: %q", l.Text)
	}
}

func TestStuffAndUnstuffAreInverse(t *testing.T) {
	lines := []string{"Hi", ".", "..", ".a", "", "a.b", "..."}
	stuffed := Stuff(lines)
	if want := []string{"Hi", "..", "...", "..a", "", "a.b", "...."}; !reflect.DeepEqual(stuffed, want) {
		t.Fatalf("Stuff: %q", stuffed)
	}
	for i, l := range stuffed {
		got, end := Unstuff(l)
		if end || got != lines[i] {
			t.Fatalf("Unstuff(%q) = %q, %v; want %q", l, got, end, lines[i])
		}
	}
	if _, end := Unstuff("."); !end {
		t.Fatal(`"." must end the block`)
	}
}

func TestSplitLinesAcceptsEveryLineEnd(t *testing.T) {
	got := SplitLines("a\r\nb\nc\rd\n")
	if want := []string{"a", "b", "c", "d"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("%q", got)
	}
	if got := SplitLines("x"); !reflect.DeepEqual(got, []string{"x"}) {
		t.Fatalf("no final newline: %q", got)
	}
	if got := string(JoinCRLF([]string{"a", ""})); got != "a\r\n\r\n" {
		t.Fatalf("JoinCRLF: %q", got)
	}
	if strings.Contains(string(JoinCRLF(SplitLines("a\nb"))), "\n\n") {
		t.Fatal("double line ends")
	}
}
