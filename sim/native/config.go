//go:build !js

package native

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"maillab/sim/fault"
	"maillab/sim/scenario"
	"maillab/sim/smtp"
)

// Config is native mode's --config file: the keys of one entry of a
// scenario's servers (hostname, mydestination, relayhost, users, auth, tls,
// max_message_bytes, max_recipients, bare_lf, vrfy, apop; SPEC.md) plus the
// scenario fault rules, applied to every live session.
//
//	hostname: mail.example.com
//	mydestination: [example.com]
//	users: {alice: secret1, bob: secret2}
//	faults:
//	  - when: "RCPT TO:<nobody@example.com>"
//	    then: "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown"
type Config struct {
	scenario.ServerSpec `yaml:",inline"`
	Faults              []scenario.FaultSpec `yaml:"faults"`
}

// Defaults of a configuration that does not say.
const (
	DefaultHostname = "mail.example.com"
	DefaultDomain   = "example.com"
)

// ParseConfig reads a --config file. An error is a *scenario.Error that
// says where the mistake is (file:line:col), as lesson lint errors do.
func ParseConfig(name string, src []byte) (*Config, error) {
	var file *ast.File
	if err := scenario.YAMLGuard(func() (err error) { file, err = parser.ParseBytes(src, 0); return err }); err != nil {
		return nil, yamlError(name, err)
	}
	var c Config
	if err := scenario.YAMLGuard(func() error { return yaml.NewDecoder(bytes.NewReader(src), yaml.DisallowUnknownField()).Decode(&c) }); err != nil {
		if errors.Is(err, io.EOF) {
			return &c, nil // an empty file: every default
		}
		return nil, yamlError(name, err)
	}
	if err := c.check(); err != nil {
		return nil, at(name, file, err.path, "%s", err.msg)
	}
	return &c, nil
}

// configError is a semantic mistake at a YAML path.
type configError struct{ path, msg string }

func (c *Config) check() *configError {
	if err := c.SMTPConfig().Check(); err != nil {
		key, _, _ := strings.Cut(err.Error(), ":")
		return &configError{"$." + key, err.Error()}
	}
	if c.RelayHost != "" {
		return &configError{"$.relayhost", "relayhost: native mode never relays mail to another server; remove relayhost"}
	}
	names := make([]string, 0, len(c.Users))
	for name := range c.Users {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !validUser(name) {
			return &configError{"$.users", fmt.Sprintf("users: %q cannot name a maildrop: use letters, digits, '.', '_' and '-', not starting with '.'", name)}
		}
		if c.Users[name] == "" {
			return &configError{"$.users." + name, fmt.Sprintf("users: %s has an empty password", name)}
		}
	}
	host := c.SMTPConfig().WithDefaults().Hostname
	for i, f := range c.Faults {
		p := "$.faults[" + strconv.Itoa(i) + "]"
		if err := f.Rule().Validate(); err != nil {
			key := ".then"
			switch {
			case strings.Contains(err.Error(), "when"):
				key = ".when"
			case strings.Contains(err.Error(), "protocol"):
				key = ".protocol"
			}
			return &configError{p + key, fmt.Sprintf("fault %d: %v", i+1, err)}
		}
		if f.Server != "" && !strings.EqualFold(f.Server, host) {
			return &configError{p + ".server", fmt.Sprintf("fault %d: server %q is not this server (%s), so the rule would never fire", i+1, f.Server, host)}
		}
	}
	return nil
}

// validUser accepts names that are safe as a Maildir folder and as a POP3
// USER argument: no path separators, no spaces, no control characters.
func validUser(name string) bool {
	if name == "" || len(name) > 64 || name[0] == '.' {
		return false
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}

// SMTPConfig returns the server configuration the file describes, with
// native mode's host name default; the other defaults are smtp.Config's.
func (c *Config) SMTPConfig() smtp.Config {
	host := c.Hostname
	if host == "" {
		host = DefaultHostname
	}
	dest := c.MyDestination
	if dest == nil && c.Hostname == "" {
		dest = []string{DefaultDomain}
	}
	return smtp.Config{
		Hostname: host, MyDestination: dest, RelayHost: c.RelayHost, Users: c.Users,
		Auth: c.Auth, TLS: c.TLS, MaxMessageBytes: c.MaxMessageBytes, MaxRecipients: c.MaxRecipients,
		BareLF: c.BareLF, VRFY: bool(c.VRFY),
	}
}

// Rules returns the file's faults as live rules.
func (c *Config) Rules() (*fault.Rules, error) {
	rules := make([]fault.Rule, len(c.Faults))
	for i, f := range c.Faults {
		rules[i] = f.Rule()
	}
	return fault.New(rules)
}

// AddDefaultUsers gives a configuration without users alice and bob, with
// passwords made up now, and returns their names; a lab must not ship a
// password everyone knows.
func (c *Config) AddDefaultUsers() ([]string, error) {
	if len(c.Users) > 0 {
		return nil, nil
	}
	c.Users = map[string]string{}
	for _, u := range []string{"alice", "bob"} {
		p, err := Password()
		if err != nil {
			return nil, err
		}
		c.Users[u] = p
	}
	return []string{"alice", "bob"}, nil
}

// Password makes a random password of 12 characters that are easy to read
// aloud and to type (no 0/o, 1/l).
func Password() (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)] // 256 is a multiple of 32: no bias
	}
	return string(b), nil
}

// yamlError turns a go-yaml error into a *scenario.Error with a plain message.
func yamlError(name string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		p := ye.GetToken().Position
		msg := ye.GetMessage()
		var uf *yaml.UnknownFieldError
		if errors.As(err, &uf) {
			msg = strings.Replace(msg, "unknown field", "unknown key", 1) +
				" (the keys are those of a scenario's server, plus faults)"
		}
		return &scenario.Error{File: name, Line: p.Line, Col: p.Column, Msg: msg}
	}
	return &scenario.Error{File: name, Line: 1, Col: 1, Msg: err.Error()}
}

// at positions an error at the node a YAML path names, or at its nearest
// parent that exists.
func at(name string, file *ast.File, path, format string, args ...any) error {
	line, col := 1, 1
	for p := path; p != ""; p = parentPath(p) {
		yp, err := yaml.PathString(p)
		if err != nil {
			continue
		}
		if n, err := yp.FilterFile(file); err == nil && n != nil && n.GetToken() != nil {
			line, col = n.GetToken().Position.Line, n.GetToken().Position.Column
			break
		}
	}
	return &scenario.Error{File: name, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

func parentPath(p string) string {
	if p == "$" {
		return ""
	}
	i := strings.LastIndexAny(p, ".[")
	if i <= 0 {
		return "$"
	}
	return p[:i]
}
