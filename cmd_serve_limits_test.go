package main

import (
	"bytes"
	"context"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// An address without a host is loopback: a mail server started for a
// lesson is not reachable from the network unless a host says so.
func TestLoopbackDefault(t *testing.T) {
	for in, want := range map[string]string{
		"":               "",
		"2525":           "127.0.0.1:2525",
		":2525":          "127.0.0.1:2525",
		"127.0.0.1:2525": "127.0.0.1:2525",
		"0.0.0.0:2525":   "0.0.0.0:2525",
		"[::]:2525":      "[::]:2525",
		"localhost:25":   "localhost:25",
	} {
		if got := loopbackDefault(in); got != want {
			t.Errorf("loopbackDefault(%q) = %q, want %q", in, got, want)
		}
	}
}

// --max-conns, --smtp-timeout and --auth-max-failures reach the servers.
func TestServeLimitFlags(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	rt, err := startNativeTo(ctx, serveOptions{SMTP: ":0", Maildir: t.TempDir(), MaxConns: 1, SMTPTimeout: 300 * time.Millisecond, AuthFailures: 1}, &out)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.lab.Close()
	addr := rt.Listeners[0].Addr.(*net.TCPAddr)
	if !addr.IP.IsLoopback() {
		t.Errorf("--smtp :0 listens on %v", addr)
	}
	first, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	c := textproto.NewConn(first)
	if code, _, _ := c.ReadResponse(220); code != 220 {
		t.Fatalf("greeting %d", code)
	}
	second, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if code, msg, _ := textproto.NewConn(second).ReadResponse(0); code != 421 {
		t.Errorf("beyond --max-conns 1: %d %s", code, msg)
	}
	c.PrintfLine("EHLO x")
	c.ReadResponse(250)
	c.PrintfLine("AUTH PLAIN AGFsaWNlAHdyb25n") // alice / wrong
	if code, _, _ := c.ReadResponse(0); code != 535 {
		t.Errorf("wrong password: %d", code)
	}
	c.PrintfLine("AUTH PLAIN AGFsaWNlAHdyb25n")
	if code, msg, _ := c.ReadResponse(0); code != 421 || !strings.Contains(msg, "too many failed logins") {
		t.Errorf("after --auth-max-failures 1: %d %s", code, msg)
	}
	first.Close()
	// The first session's slot frees once it has closed: wait for a greeting.
	var tc *textproto.Conn
	var start time.Time
	for i := 0; ; i++ {
		third, err := net.Dial("tcp", addr.String())
		if err != nil {
			t.Fatal(err)
		}
		defer third.Close()
		tc, start = textproto.NewConn(third), time.Now()
		if code, _, _ := tc.ReadResponse(0); code == 220 {
			break
		}
		if i == 100 {
			t.Fatal("the slot of the closed session never came back")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if code, msg, _ := tc.ReadResponse(0); code != 421 || !strings.Contains(msg, "timeout") || time.Since(start) > 3*time.Second {
		t.Errorf("--smtp-timeout 300ms: %d %s after %v", code, msg, time.Since(start))
	}
}
