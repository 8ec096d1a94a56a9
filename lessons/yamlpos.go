package lessons

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"maillab/sim/scenario"
)

// The lesson's own YAML (front matter, exercise blocks, transcript headers)
// is read key by key from go-yaml's syntax tree, so that every mistake can be
// reported at its key or value, with a message written for an instructor.

// pos is a position inside a piece of YAML: 1-based line and column.
type pos struct{ line, col int }

// yamlErr is a mistake found in a piece of YAML.
type yamlErr struct {
	pos
	msg string
}

// field is one key: value pair of a mapping.
type field struct {
	key  string
	kpos pos // where the key is
	vpos pos // where the value is (the key, if the value is empty)
	val  ast.Node
}

// parseYAML parses src into its top-level mapping. An empty document gives
// no fields and no error.
func parseYAML(src []byte) ([]field, *yamlErr) {
	var f *ast.File
	if err := scenario.YAMLGuard(func() (err error) { f, err = parser.ParseBytes(src, 0); return err }); err != nil {
		return nil, fromYAMLError(err)
	}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return nil, nil
	}
	if len(f.Docs) > 1 {
		return nil, &yamlErr{posOf(f.Docs[1]), "only one YAML document is allowed here (remove the --- line)"}
	}
	body := f.Docs[0].Body
	if _, ok := body.(*ast.CommentGroupNode); ok {
		return nil, nil
	}
	fields, ok := mapping(body)
	if !ok {
		return nil, &yamlErr{posOf(body), "want key: value lines here"}
	}
	return fields, nil
}

// mapping lists the pairs of a mapping node.
func mapping(n ast.Node) ([]field, bool) {
	var values []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		values = m.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{m}
	case *ast.TagNode:
		return mapping(m.Value)
	case *ast.AnchorNode:
		return mapping(m.Value)
	default:
		return nil, false
	}
	out := make([]field, 0, len(values))
	for _, v := range values {
		key := strings.Trim(v.Key.String(), `"'`)
		fd := field{key: key, kpos: posOf(v.Key), val: v.Value}
		fd.vpos = fd.kpos
		if v.Value != nil && !isNull(v.Value) {
			fd.vpos = posOf(v.Value)
		}
		out = append(out, fd)
	}
	return out, true
}

func isNull(n ast.Node) bool {
	_, ok := n.(*ast.NullNode)
	return ok
}

func posOf(n ast.Node) pos {
	if n == nil || n.GetToken() == nil {
		return pos{1, 1}
	}
	p := n.GetToken().Position
	return pos{p.Line, p.Column}
}

// decode reads a value node into v; a type mistake is reported at the value.
func decode(fd field, v any) *yamlErr {
	if fd.val == nil || isNull(fd.val) {
		return nil
	}
	if err := scenario.YAMLGuard(func() error { return yaml.NodeToValue(fd.val, v) }); err != nil {
		e := fromYAMLError(err)
		if e.line == 0 || e.line == 1 && e.col == 1 {
			e.pos = fd.vpos
		}
		e.msg = fd.key + ": " + e.msg
		return e
	}
	return nil
}

// fromYAMLError turns a go-yaml error into a position and a plain message.
func fromYAMLError(err error) *yamlErr {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		p := ye.GetToken().Position
		msg := ye.GetMessage()
		if strings.HasPrefix(msg, "mapping key ") && strings.Contains(msg, " already defined at [") {
			// go-yaml names the first key's place in the block ("at [2:1]"),
			// not in the file; the problem's own position is the second key.
			msg = "key " + strconv.Quote(ye.GetToken().Value) + " is given twice"
		}
		return &yamlErr{pos{p.Line, p.Column}, msg}
	}
	return &yamlErr{pos{1, 1}, err.Error()}
}

// texts reads one text or a list of texts (numbers are texts too: 550).
// An item that YAML reads as "key: value", because it has ": " in it, is
// reported at the item with the cure: quotes.
func texts(fd field) ([]string, *yamlErr) {
	if fd.val == nil || isNull(fd.val) {
		return nil, nil
	}
	nodes := []ast.Node{fd.val}
	if seq, ok := sequenceValues(fd.val); ok {
		nodes = seq
	}
	out := make([]string, 0, len(nodes))
	for i, n := range nodes {
		if fields, ok := mapping(n); ok {
			at := posOf(n)
			if len(fields) > 0 {
				at = fields[0].kpos
			}
			what := fd.key
			if len(nodes) > 1 || fd.val != n {
				what = fmt.Sprintf("%s item %d", fd.key, i+1)
			}
			return nil, &yamlErr{at, what + ` reads as "key: value" because of the ": " in it: put it in quotes`}
		}
		var v any
		if err := scenario.YAMLGuard(func() error { return yaml.NodeToValue(n, &v) }); err != nil {
			e := fromYAMLError(err)
			return nil, &yamlErr{posOf(n), fd.key + ": " + e.msg}
		}
		switch s := v.(type) {
		case string:
			out = append(out, s)
		case nil:
			out = append(out, "")
		case uint64, int64, int, float64, bool:
			out = append(out, fmt.Sprint(s))
		default:
			return nil, &yamlErr{posOf(n), fd.key + ": want a text or a list of texts"}
		}
	}
	return out, nil
}

// scalarList is texts that must not be empty, each trimmed.
func scalarList(fd field) ([]string, *yamlErr) {
	list, err := texts(fd)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i] = strings.TrimSpace(list[i])
	}
	if len(list) == 0 {
		return nil, &yamlErr{fd.vpos, fd.key + " needs a value"}
	}
	return list, nil
}

// unknownKey is the message for a key that is not in the list.
func unknownKey(what, key string, known []string) string {
	return fmt.Sprintf("unknown key %q in %s: the keys are %s", key, what, strings.Join(known, ", "))
}

// sequenceValues lists the entries of a sequence node.
func sequenceValues(n ast.Node) ([]ast.Node, bool) {
	s, ok := n.(*ast.SequenceNode)
	if !ok {
		return nil, false
	}
	return s.Values, true
}

// whole reads a whole number.
func whole(fd field) (int, *yamlErr) {
	var v any
	if err := decode(fd, &v); err != nil {
		return 0, err
	}
	switch n := v.(type) {
	case uint64:
		return int(n), nil
	case int64:
		return int(n), nil
	case int:
		return n, nil
	case nil:
		return 0, &yamlErr{fd.vpos, fd.key + " needs a value: a whole number"}
	}
	return 0, &yamlErr{fd.vpos, fmt.Sprintf("%s: want a whole number, not %v", fd.key, v)}
}
