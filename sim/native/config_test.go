//go:build !js

package native

import (
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	t.Parallel()
	src := `hostname: mx.school.example
mydestination: [school.example]
users: {carol: pw1, dave: pw2}
auth: optional
max_message_bytes: 1048576
faults:
  - when: "RCPT TO:<nobody@school.example>"
    then: "550 5.1.1 <nobody@school.example>: Recipient address rejected: User unknown"
  - when: "-ERR"
    then: "-ERR [SYS/TEMP] try later"
    protocol: pop3
    times: 1
`
	c, err := ParseConfig("lab.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	cfg := c.SMTPConfig()
	if cfg.Hostname != "mx.school.example" || cfg.MyDestination[0] != "school.example" || cfg.Users["dave"] != "pw2" || cfg.MaxMessageBytes != 1048576 {
		t.Errorf("config %+v", cfg)
	}
	rules, err := c.Rules()
	if err != nil || len(rules.List()) != 2 {
		t.Fatalf("rules %v %v", rules, err)
	}
	if names, _ := c.AddDefaultUsers(); names != nil {
		t.Errorf("users were given, yet %v were added", names)
	}
}

// No file, or an empty one: mail.example.com for example.com, and alice
// and bob with passwords made up at start.
func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	c, err := ParseConfig("empty.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	names, err := c.AddDefaultUsers()
	if err != nil || len(names) != 2 {
		t.Fatalf("%v %v", names, err)
	}
	cfg := c.SMTPConfig().WithDefaults()
	if cfg.Hostname != "mail.example.com" || cfg.MyDestination[0] != "example.com" || len(cfg.Users["alice"]) != 12 || cfg.Users["alice"] == cfg.Users["bob"] {
		t.Errorf("defaults %+v", cfg)
	}
	// A host name alone gives its parent domain (smtp.Config's default).
	c, _ = ParseConfig("host.yaml", []byte("hostname: mail.school.example\n"))
	if d := c.SMTPConfig().WithDefaults().MyDestination; len(d) != 1 || d[0] != "school.example" {
		t.Errorf("mydestination %v", d)
	}
}

// Mistakes point at file:line:col, as lesson lint errors do.
func TestConfigErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ src, want string }{
		{"hostname: a.example\nbogus: 1\n", `lab.yaml:2:1: unknown key "bogus"`},
		{"auth: maybe\n", `lab.yaml:1:7: auth: "maybe" is not off, optional or required`},
		{"users: {'../etc': x}\n", `lab.yaml:1:8: users: "../etc" cannot name a maildrop`},
		{"users:\n  alice: ''\n", "lab.yaml:2:10: users: alice has an empty password"},
		{"relayhost: smtp.isp.example\n", "lab.yaml:1:12: relayhost: native mode never relays"},
		{"max_recipients: 5\n", "lab.yaml:1:17: max_recipients: 5 is below 100"},
		{"faults:\n  - when: \"RCPT TO:*\"\n    then: \"250 ok\"\n", "lab.yaml:3:11: fault 1: then \"250 ok\": a fault must be a failure"},
		{"faults:\n  - when: \"\"\n    then: drop\n", "lab.yaml:2:11: fault 1: when is empty"},
		{"faults:\n  - when: connect\n    then: drop\n    server: other.example\n", "lab.yaml:4:13: fault 1: server \"other.example\" is not this server"},
		{"users: [alice]\n", "lab.yaml:1:8:"},
	} {
		_, err := ParseConfig("lab.yaml", []byte(c.src))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %s…", c.src, err, c.want)
		}
	}
}
