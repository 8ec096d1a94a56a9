package smtp

import (
	"os"
	"strings"
	"testing"
	"time"

	"maillab/sim/machine"
)

// converse wires a client machine to a server machine through memory, as
// the scenario link does, and returns the dialogue as "C: "/"S: " lines
// taken from the bytes that really crossed.
func converse(t *testing.T, c *Client, s *Server) []string {
	t.Helper()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var lines []string
	bytesOf := func(evs []machine.Event, prefix string) []byte {
		var b []byte
		for _, e := range evs {
			if e.Sends() {
				b = append(b, e.Step.Text+"\r\n"...)
				lines = append(lines, prefix+e.Step.Text)
			}
		}
		return b
	}
	toClient := bytesOf(s.Start(now), "S: ")
	for i := 0; i < 1000 && !c.Done(); i++ {
		cevs := c.Feed(now, toClient)
		toServer := bytesOf(cevs, "C: ")
		for _, e := range cevs {
			if e.Action == machine.StartTLS {
				bytesOf(s.TLSReady(now), "S: ")
				toServer = append(toServer, bytesOf(c.TLSReady(now), "C: ")...)
			}
		}
		if len(toServer) == 0 {
			break
		}
		toClient = bytesOf(s.Feed(now, toServer), "S: ")
	}
	return lines
}

// wireClientLines reads the C: lines of a real dialogue in testdata/wire
// (copied unchanged from the design papers' wire/ folder; the encrypted
// part, given as "#   C:" lines, counts too).
func wireClientLines(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile("testdata/wire/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimPrefix(l, "#   ")
		if strings.HasPrefix(l, "C: ") || l == "C:" {
			out = append(out, l)
		}
	}
	return out
}

func onlyClient(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(l, "C: ") {
			out = append(out, l)
		}
	}
	return out
}

// TestProfilesReproduceRealClients holds each client profile against what the
// real program sent to Postfix (../shared/wire): the same commands, in the
// same spelling and order, with the same SIZE and AUTH lines. Only the server
// differs (ours instead of Postfix), which these clients do not notice.
func TestProfilesReproduceRealClients(t *testing.T) {
	test := map[string]string{"alice": "secret", "bob": "secret"}
	cases := []struct {
		wire, profile string
		sess          Session
		cfg           Config
	}{
		{"smtplib_tutorial.txt", "smtplib", Session{Helo: "[127.0.0.1]", User: "alice", Password: "secret", Messages: []Envelope{{
			From: "alice@example.test", To: []string{"bob@example.test"}, ID: 1,
			Message: []byte("Subject: Hello from Python\n\nHi Bob,\n.this line starts with a dot\nBye")}}}, Config{}},
		{"smtplib_unknown_recipient.txt", "smtplib", Session{Helo: "[127.0.0.1]", Messages: []Envelope{{
			From: "alice@example.test", To: []string{"bob@example.test", "nobody@example.test"}, ID: 1,
			Message: []byte("Subject: Two recipients\n\nOne of us does not exist.\n")}}}, Config{}},
		{"smtplib_relay_denied.txt", "smtplib", Session{Helo: "[127.0.0.1]", Messages: []Envelope{{
			From: "alice@example.test", To: []string{"carol@elsewhere.org"}, ID: 1,
			Message: []byte("Subject: Hi Carol\n\nHello.\n")}}}, Config{}},
		{"smtplib_starttls_send_message.txt", "smtplib", Session{Helo: "[127.0.0.1]", User: "alice", Password: "secret", StartTLS: "required", Messages: []Envelope{{
			From: "alice@example.test", To: []string{"bob@example.test", "postmaster@example.test", "alice@example.test"}, ID: 1,
			Message: []byte("From: alice@example.test\nTo: bob@example.test\nCc: alice@example.test\nSubject: Minutes\nContent-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: 7bit\nMIME-Version: 1.0\n\nHi all,\nthe minutes are below.\n")}}}, Config{}},
		{"curl_smtp_auth.txt", "curl", Session{Helo: "mail.txt", User: "alice", Password: "secret", Messages: []Envelope{{
			From: "alice@example.test", To: []string{"bob@example.test"}, ID: 1,
			Message: []byte("From: alice@example.test\r\nTo: bob@example.test\r\nSubject: curl upload\r\n\r\nHello Bob,\r\nthe next line is a single dot:\r\n.\r\n..and this one starts with two dots\r\nBye\r\n")}}}, Config{}},
		{"swaks_pipeline.txt", "swaks-pipeline", Session{Helo: "vm", Messages: []Envelope{{
			From: "alice@example.test", To: []string{"bob@example.test", "alice@example.test"}, ID: 1,
			Message: []byte("Date: Thu, 26 Nov 2026 11:38:33 +0000\nTo: bob@example.test,alice@example.test\nFrom: alice@example.test\nSubject: test Thu, 26 Nov 2026 11:38:33 +0000\nMessage-Id: <20261126113833.027729@vm>\nX-Mailer: swaks v20201014.0 jetmore.org/john/code/swaks/\n\nThis is a test mailing\n\n\n")}}}, Config{}},
	}
	for _, tc := range cases {
		t.Run(tc.wire, func(t *testing.T) {
			want := wireClientLines(t, tc.wire)
			cfg := tc.cfg
			cfg.Hostname, cfg.MyDestination, cfg.Users = "mail.example.test", []string{"example.test"}, test
			c, err := NewClient(tc.profile, tc.sess)
			if err != nil {
				t.Fatal(err)
			}
			got := onlyClient(converse(t, c, NewServer(cfg)))
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("profile %s does not send what the real program sent\n--- real (%s)\n%s\n--- ours\n%s",
					tc.profile, tc.wire, strings.Join(want, "\n"), strings.Join(got, "\n"))
			}
		})
	}
}
