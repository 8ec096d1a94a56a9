// Package scenario turns a scenario spec (YAML, see SPEC.md) into a small
// mail world of clients, servers, DNS and maildrops, runs it on a virtual
// clock and returns the trace. The same spec always gives the same trace.
package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"maillab/sim/fault"
	"maillab/sim/smtp"
)

// Spec is a parsed scenario.
type Spec struct {
	ID      string                `yaml:"id"`
	Title   string                `yaml:"title"`
	Client  string                `yaml:"client"`
	Server  string                `yaml:"server"`
	Start   string                `yaml:"start"`
	Servers map[string]ServerSpec `yaml:"servers"`
	DNS     map[string]string     `yaml:"dns"`
	Send    []SendSpec            `yaml:"send"`
	Fetch   *FetchSpec            `yaml:"fetch"`
	Faults  []FaultSpec           `yaml:"faults"`

	// ServerOrder is the order the servers appear in the file.
	ServerOrder []string `yaml:"-"`
	// Name is the file name used in error messages.
	Name string `yaml:"-"`
	src  []byte
	file *ast.File
}

// ServerSpec is one server's Postfix-like configuration (SPEC.md).
type ServerSpec struct {
	Hostname        string            `yaml:"hostname"`
	MyDestination   []string          `yaml:"mydestination"`
	RelayHost       string            `yaml:"relayhost"`
	Users           map[string]string `yaml:"users"`
	Auth            string            `yaml:"auth"`
	TLS             string            `yaml:"tls"`
	MaxMessageBytes int64             `yaml:"max_message_bytes"`
	MaxRecipients   int               `yaml:"max_recipients"`
	BareLF          string            `yaml:"bare_lf"`
	VRFY            Switch            `yaml:"vrfy"`
	APOP            Switch            `yaml:"apop"`
}

// SendSpec is one message the client sends.
type SendSpec struct {
	From     string            `yaml:"from"`
	To       Addrs             `yaml:"to"`
	Cc       Addrs             `yaml:"cc"`
	Bcc      Addrs             `yaml:"bcc"`
	Subject  string            `yaml:"subject"`
	Body     string            `yaml:"body"`
	Headers  map[string]string `yaml:"headers"`
	Auth     *AuthSpec         `yaml:"auth"`
	StartTLS string            `yaml:"starttls"`
}

// AuthSpec holds SMTP AUTH credentials.
type AuthSpec struct {
	User     string `yaml:"user"`
	Password string `yaml:"password"`
}

// FetchSpec is a POP3 download after the sending.
type FetchSpec struct {
	Server   string `yaml:"server"`
	Client   string `yaml:"client"`
	User     string `yaml:"user"`
	Password string `yaml:"password"`
	Delete   bool   `yaml:"delete"`
	STLS     string `yaml:"stls"`
}

// FaultSpec is one fault rule as written in YAML.
type FaultSpec struct {
	When     string `yaml:"when"`
	Then     string `yaml:"then"`
	Server   string `yaml:"server"`
	Protocol string `yaml:"protocol"`
	Nth      int    `yaml:"nth"`
	Times    int    `yaml:"times"`
	User     string `yaml:"user"`
}

// Rule converts the spec to the engine's rule.
func (f FaultSpec) Rule() fault.Rule {
	return fault.Rule{When: f.When, Then: f.Then, Server: f.Server, Protocol: f.Protocol, Nth: f.Nth, Times: f.Times, User: f.User}
}

// FaultSpecOf converts an engine rule back (the page's fault panel adds rules).
func FaultSpecOf(r fault.Rule) FaultSpec {
	return FaultSpec{When: r.When, Then: r.Then, Server: r.Server, Protocol: r.Protocol, Nth: r.Nth, Times: r.Times}
}

// Addrs is one address or a list of them.
type Addrs []string

// UnmarshalYAML accepts "a@x" as well as [a@x, b@y].
func (a *Addrs) UnmarshalYAML(b []byte) error {
	var list []string
	if err := yaml.Unmarshal(b, &list); err == nil {
		*a = list
		return nil
	}
	var one string
	if err := yaml.Unmarshal(b, &one); err != nil {
		return errors.New("want an address or a list of addresses")
	}
	*a = Addrs{one}
	return nil
}

// Switch is on/off, also written true/false or yes/no.
type Switch bool

// UnmarshalYAML accepts on, off, true, false, yes, no.
func (s *Switch) UnmarshalYAML(b []byte) error {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(string(b)), `"'`)) {
	case "on", "true", "yes":
		*s = true
	case "off", "false", "no", "":
		*s = false
	default:
		return fmt.Errorf("want on or off, not %s", strings.TrimSpace(string(b)))
	}
	return nil
}

// Error is a mistake in a scenario, with where it is.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	return e.File + ":" + strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Col) + ": " + e.Msg
}

// YAMLGuard runs a go-yaml call and turns a panic inside it into an error.
// The fuzzer found texts that crash go-yaml v1.19.2's decoder (a tag
// before an unindented line, testdata/fuzz/FuzzParseScenario); in the page
// such a panic would stop the whole lab while a student types.
func YAMLGuard(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the YAML reader stopped on this text (%v): look at the tags (!…) and the indentation near your last change", r)
		}
	}()
	return f()
}

// Parse reads a scenario spec. Errors are *Error values that say what is
// wrong and where (file:line:col).
func Parse(name string, src []byte) (*Spec, error) {
	if name == "" {
		name = "scenario"
	}
	var file *ast.File
	if err := YAMLGuard(func() (err error) { file, err = parser.ParseBytes(src, 0); return err }); err != nil {
		return nil, yamlError(name, err)
	}
	s := &Spec{Name: name, src: src, file: file}
	dec := yaml.NewDecoder(bytes.NewReader(src), yaml.DisallowUnknownField())
	if err := YAMLGuard(func() error { return dec.Decode(s) }); err != nil {
		return nil, yamlError(name, err)
	}
	s.ServerOrder = s.serverOrder()
	if err := s.check(); err != nil {
		return nil, err
	}
	return s, nil
}

// yamlError turns a go-yaml error into an Error with a plain message.
func yamlError(name string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		p := ye.GetToken().Position
		msg := ye.GetMessage()
		var uf *yaml.UnknownFieldError
		if errors.As(err, &uf) {
			msg = strings.Replace(msg, "unknown field", "unknown key", 1) + " (see SPEC.md for the keys)"
		}
		if strings.HasPrefix(msg, "mapping key ") && strings.Contains(msg, " already defined at [") {
			// go-yaml's "already defined at [2:1]" counts from the start of
			// what was parsed, which in a lesson is not the file.
			msg = "key " + strconv.Quote(ye.GetToken().Value) + " is given twice"
		}
		return &Error{File: name, Line: p.Line, Col: p.Column, Msg: msg}
	}
	return &Error{File: name, Line: 1, Col: 1, Msg: err.Error()}
}

// at returns an Error positioned at the node a YAML path names (or at the
// nearest parent that exists).
func (s *Spec) at(path, format string, args ...any) error {
	line, col := 1, 1
	for p := path; p != ""; p = parentPath(p) {
		yp, err := yaml.PathString(p)
		if err != nil {
			continue
		}
		if n, err := yp.FilterFile(s.file); err == nil && n != nil && n.GetToken() != nil {
			line, col = n.GetToken().Position.Line, n.GetToken().Position.Column
			break
		}
	}
	return &Error{File: s.Name, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
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

// keysInOrder lists a mapping's keys in file order.
// serverOrder lists the servers in the order the file gives them. A
// mapping the path cannot follow as written (behind an anchor or an alias,
// found by the fuzzer) still has every server: those it misses come in
// name order, and a key that is not a server is left out.
func (s *Spec) serverOrder() []string {
	var order []string
	for _, h := range s.keysInOrder("$.servers") {
		if _, ok := s.Servers[h]; ok && !contains(order, h) {
			order = append(order, h)
		}
	}
	for _, h := range sortedKeys(s.Servers) {
		if !contains(order, h) {
			order = append(order, h)
		}
	}
	return order
}

func (s *Spec) keysInOrder(path string) []string {
	yp, err := yaml.PathString(path)
	if err != nil {
		return nil
	}
	n, err := yp.FilterFile(s.file)
	if err != nil || n == nil {
		return nil
	}
	// "servers: &s {…}" or "servers: !!map {…}": the mapping is inside.
	for {
		if a, ok := n.(*ast.AnchorNode); ok {
			n = a.Value
		} else if t, ok := n.(*ast.TagNode); ok {
			n = t.Value
		} else {
			break
		}
	}
	var keys []string
	switch m := n.(type) {
	case *ast.MappingNode:
		for _, v := range m.Values {
			keys = append(keys, v.Key.String())
		}
	case *ast.MappingValueNode:
		keys = append(keys, m.Key.String())
	}
	for i, k := range keys {
		keys[i] = strings.Trim(k, `"'`)
	}
	return keys
}

// Profiles a scenario's client may name.
var clientProfiles = []string{"smtplib", "thunderbird", "mua", "curl", "telnet", "swaks", "mta"}
var fetchProfiles = []string{"poplib", "curl", "mua"}

// check validates the meaning of the spec, pointing at the offending key.
func (s *Spec) check() error {
	if s.Client == "" {
		s.Client = "smtplib"
	}
	if !contains(clientProfiles, s.Client) {
		return s.at("$.client", "client %q is not a known program: use one of %s", s.Client, strings.Join(clientProfiles, ", "))
	}
	if s.Start != "" {
		if _, err := time.Parse(time.RFC3339, s.Start); err != nil {
			return s.at("$.start", "start %q is not a time like 2026-03-02T09:00:00Z", s.Start)
		}
	}
	if len(s.Servers) == 0 {
		return s.at("$", "no servers: add a servers: entry such as\n  servers:\n    mail.example.com: {mydestination: [example.com]}")
	}
	if s.Server == "" {
		s.Server = s.ServerOrder[0]
	}
	if _, ok := s.Servers[s.Server]; !ok {
		return s.at("$.server", "server %q is not one of the servers listed under servers: (%s)", s.Server, strings.Join(s.ServerOrder, ", "))
	}
	for _, host := range s.ServerOrder {
		c := s.Servers[host].config(host)
		if err := c.Check(); err != nil {
			key, _, _ := strings.Cut(err.Error(), ":")
			return s.at("$.servers."+quoteKey(host)+"."+key, "server %s: %v", host, err)
		}
		if r := s.Servers[host].RelayHost; r != "" {
			if _, ok := s.Servers[r]; !ok {
				return s.at("$.servers."+quoteKey(host)+".relayhost", "relayhost %q is not one of the servers", r)
			}
		}
	}
	for _, dom := range sortedKeys(s.DNS) {
		if _, ok := s.Servers[s.DNS[dom]]; !ok {
			return s.at("$.dns."+quoteKey(dom), "MX host %q for %s is not one of the servers", s.DNS[dom], dom)
		}
	}
	for i, m := range s.Send {
		p := "$.send[" + strconv.Itoa(i) + "]"
		if len(m.To)+len(m.Cc)+len(m.Bcc) == 0 {
			return s.at(p, "message %d has no recipient: add to: [someone@example.org]", i+1)
		}
		if m.From != "" && !strings.Contains(m.From, "@") {
			return s.at(p+".from", "from %q is not an address like alice@example.com", m.From)
		}
		for _, a := range append(append(append([]string(nil), m.To...), m.Cc...), m.Bcc...) {
			if !strings.Contains(a, "@") && !strings.EqualFold(a, "postmaster") {
				return s.at(p+".to", "%q is not an address like bob@example.org", a)
			}
		}
		switch m.StartTLS {
		case "", "required", "optional", "off":
		default:
			return s.at(p+".starttls", "starttls %q: want required, optional or off", m.StartTLS)
		}
		if m.Auth != nil && m.Auth.User == "" {
			return s.at(p+".auth", "auth needs a user (and a password)")
		}
	}
	if f := s.Fetch; f != nil {
		if f.Server == "" {
			f.Server = s.Server
		}
		if _, ok := s.Servers[f.Server]; !ok {
			return s.at("$.fetch.server", "fetch server %q is not one of the servers", f.Server)
		}
		if f.Client == "" {
			f.Client = "poplib"
		}
		if !contains(fetchProfiles, f.Client) {
			return s.at("$.fetch.client", "fetch client %q: use one of %s", f.Client, strings.Join(fetchProfiles, ", "))
		}
		if f.User == "" {
			return s.at("$.fetch", "fetch needs a user")
		}
	}
	for i, f := range s.Faults {
		p := "$.faults[" + strconv.Itoa(i) + "]"
		if err := f.Rule().Validate(); err != nil {
			key := ".then"
			if strings.Contains(err.Error(), "when") {
				key = ".when"
			} else if strings.Contains(err.Error(), "protocol") {
				key = ".protocol"
			}
			return s.at(p+key, "fault %d: %v", i+1, err)
		}
		if f.Server != "" {
			if _, ok := s.Servers[f.Server]; !ok {
				return s.at(p+".server", "fault %d: server %q is not one of the servers", i+1, f.Server)
			}
		}
	}
	return nil
}

// config turns a server spec into the engine's configuration.
func (ss ServerSpec) config(host string) smtp.Config {
	h := ss.Hostname
	if h == "" {
		h = host
	}
	return smtp.Config{
		Hostname: h, MyDestination: ss.MyDestination, RelayHost: ss.RelayHost, Users: ss.Users,
		Auth: ss.Auth, TLS: ss.TLS, MaxMessageBytes: ss.MaxMessageBytes, MaxRecipients: ss.MaxRecipients,
		BareLF: ss.BareLF, VRFY: bool(ss.VRFY),
	}
}

func quoteKey(k string) string {
	if strings.ContainsAny(k, ".[]") {
		return "'" + k + "'"
	}
	return k
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Rules returns the spec's faults as an injector.
func (s *Spec) Rules() (*fault.Rules, error) {
	rules := make([]fault.Rule, len(s.Faults))
	for i, f := range s.Faults {
		rules[i] = f.Rule()
	}
	return fault.New(rules)
}
