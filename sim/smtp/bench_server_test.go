package smtp

import (
	"strings"
	"testing"
)

// BenchmarkServerSession runs one whole session against the server machine
// alone, one write per command as a non-pipelining client sends them: the
// greeting, EHLO, MAIL, RCPT, DATA, a 10 KB message (dot-stuffed lines of
// 78 octets, in one write), the final ".", QUIT.
func BenchmarkServerSession(b *testing.B) {
	var msg strings.Builder
	msg.WriteString("From: alice@example.com\r\nTo: bob@example.com\r\nSubject: benchmark\r\n\r\n")
	for msg.Len() < 10*1024 {
		msg.WriteString(".." + strings.Repeat("x", 76) + "\r\n")
	}
	body := []byte(msg.String())
	cmds := [][]byte{
		[]byte("EHLO client.example.org\r\n"),
		[]byte("MAIL FROM:<alice@example.com> SIZE=10240\r\n"),
		[]byte("RCPT TO:<bob@example.com>\r\n"),
		[]byte("DATA\r\n"),
		body,
		[]byte(".\r\n"),
		[]byte("QUIT\r\n"),
	}
	cfg := srvConfig()
	stored := 0
	cfg.Deliver = func(*Message) error { stored++; return nil }
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		s := NewServer(cfg)
		s.Start(srvNow)
		for _, c := range cmds {
			s.Feed(srvNow, c)
		}
		if s.State() != StateClosed {
			b.Fatalf("state %s at the end", s.State())
		}
	}
	if stored == 0 {
		b.Fatal("nothing stored")
	}
}

// BenchmarkServerTransaction runs one mail transaction (MAIL, RCPT, DATA,
// a 1 KB message in one write, ".") per op on one long session, as
// smtp-source -d does, with the event buffers reused as native mode does.
func BenchmarkServerTransaction(b *testing.B) {
	var msg strings.Builder
	msg.WriteString("From: alice@example.com\r\nTo: bob@example.com\r\nSubject: benchmark\r\n\r\n")
	for msg.Len() < 1024 {
		msg.WriteString(strings.Repeat("x", 76) + "\r\n")
	}
	msg.WriteString(".\r\n")
	cmds := [][]byte{
		[]byte("MAIL FROM:<alice@example.com>\r\n"),
		[]byte("RCPT TO:<bob@example.com>\r\n"),
		[]byte("DATA\r\n"),
		[]byte(msg.String()),
	}
	cfg := srvConfig()
	cfg.ReuseEvents = true
	stored := 0
	cfg.Deliver = func(*Message) error { stored++; return nil }
	s := NewServer(cfg)
	s.Start(srvNow)
	s.Feed(srvNow, []byte("EHLO client.example.org\r\n"))
	b.SetBytes(int64(msg.Len()))
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range cmds {
			s.Feed(srvNow, c)
		}
	}
	if stored == 0 || s.State() != StateReady {
		b.Fatalf("stored %d, state %s", stored, s.State())
	}
}
