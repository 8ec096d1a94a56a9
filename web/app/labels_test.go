package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"maillab/web/view"
)

// Every label the page model asks web/view for exists (in both languages:
// web/view's own test checks that each label has both).
func TestLabelsUsedExist(t *testing.T) {
	known := map[string]bool{}
	for _, k := range view.Keys() {
		known[k] = true
	}
	checked := 0
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			arg := -1
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr: // view.T(lang, key), view.Tf(lang, key, …), m.t(key)
				switch fn.Sel.Name {
				case "T", "Tf":
					arg = 1
				case "t":
					arg = 0
				}
			case *ast.Ident: // msg(key, …)
				if fn.Name == "msg" {
					arg = 0
				}
			}
			if arg < 0 || len(call.Args) <= arg {
				return true
			}
			lit, ok := call.Args[arg].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			checked++
			if key, _ := strconv.Unquote(lit.Value); !known[key] {
				t.Errorf("%s: label %q does not exist in web/view", fset.Position(lit.Pos()), key)
			}
			return true
		})
	}
	if checked < 50 {
		t.Errorf("only %d labels found: the test no longer sees the calls", checked)
	}
	for _, q := range liveQuickOrder {
		if _, ok := LiveQuick[q.name]; !ok || !known[q.label] {
			t.Errorf("quick rule %s: label %q", q.name, q.label)
		}
	}
}
