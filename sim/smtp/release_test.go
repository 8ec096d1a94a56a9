package smtp

import (
	"reflect"
	"testing"

	"maillab/sim/machine"
)

// A machine made from the buffers of a released one behaves exactly as a
// fresh one: same events, same stored message. The first session ends in
// the middle of a message, so that a half-filled buffer is handed over.
func TestReleasedBuffersAreClean(t *testing.T) {
	session := func(s *Server, stored *[]string, cut bool) []machine.Event {
		var all []machine.Event
		keep := func(evs []machine.Event) { all = append(all, evs...) }
		keep(s.Start(srvNow))
		keep(s.Feed(srvNow, []byte("EHLO client.example.org\r\nMAIL FROM:<alice@example.com>\r\n")))
		keep(s.Feed(srvNow, []byte("RCPT TO:<bob@example.com>\r\nDATA\r\n")))
		keep(s.Feed(srvNow, []byte("Subject: one\r\n\r\n..dot\r\nsecond line\r\n")))
		if cut {
			keep(s.Feed(srvNow, []byte("part of a line")))
			keep(s.Lost(srvNow))
			return all
		}
		keep(s.Feed(srvNow, []byte(".\r\nQUIT\r\n")))
		return all
	}
	cfg := srvConfig()
	cfg.ReuseEvents = true
	var stored []string
	cfg.Deliver = func(m *Message) error { stored = append(stored, string(m.Data)); return nil }

	fresh := session(NewServer(cfg), &stored, false)
	freshStored := stored

	stored = nil
	first := NewServer(cfg)
	session(first, &stored, true)
	first.Release()
	stored = nil
	again := session(NewServer(cfg), &stored, false)
	if !reflect.DeepEqual(fresh, again) {
		t.Errorf("events differ after Release:\nfresh: %+v\nreused: %+v", fresh, again)
	}
	if !reflect.DeepEqual(freshStored, stored) {
		t.Errorf("stored %q after Release, %q fresh", stored, freshStored)
	}
}
