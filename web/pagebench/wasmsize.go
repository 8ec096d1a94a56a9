package main

import (
	"encoding/binary"
	"strings"
)

// analyze reads a wasm binary's sections and, from its name section, the
// size of each function's code, summed by package group.
func analyze(b []byte) (sections map[string]int, pkgs map[string]int) {
	sections, pkgs = map[string]int{}, map[string]int{}
	if len(b) < 8 {
		return
	}
	p := b[8:]
	var sizes []int
	names := map[int]string{}
	imports := 0
	next := func(q []byte) (uint64, []byte, bool) {
		v, n := binary.Uvarint(q)
		if n <= 0 {
			return 0, nil, false
		}
		return v, q[n:], true
	}
	for len(p) > 0 {
		id := p[0]
		sz, rest, ok := next(p[1:])
		if !ok || int(sz) > len(rest) {
			return
		}
		body := rest[:sz]
		p = rest[sz:]
		switch id {
		case 2: // imports: functions are numbered after them
			cnt, q, _ := next(body)
			for i := 0; i < int(cnt) && len(q) > 0; i++ {
				for j := 0; j < 2; j++ { // module and field names
					l, r, _ := next(q)
					q = r[l:]
				}
				kind := q[0]
				q = q[1:]
				switch kind {
				case 0:
					_, q, _ = next(q)
					imports++
				case 1:
					q = q[1:]
					fallthrough
				case 2:
					fl, r, _ := next(q)
					_, q, _ = next(r)
					if fl&1 == 1 {
						_, q, _ = next(q)
					}
				case 3:
					q = q[2:]
				}
			}
		case 10:
			sections["code"] += len(body)
			cnt, q, _ := next(body)
			for i := 0; i < int(cnt); i++ {
				l, r, _ := next(q)
				sizes = append(sizes, int(l)+len(q)-len(r))
				q = r[l:]
			}
		case 11:
			sections["data"] += len(body)
		case 0:
			nl, q, _ := next(body)
			name := string(q[:nl])
			sections["custom "+name] += len(body)
			if name != "name" {
				continue
			}
			q = q[nl:]
			for len(q) > 0 {
				sid := q[0]
				ssz, r, _ := next(q[1:])
				sub := r[:ssz]
				q = r[ssz:]
				if sid != 1 {
					continue
				}
				cnt, s, _ := next(sub)
				for i := 0; i < int(cnt); i++ {
					idx, s2, _ := next(s)
					l, s3, _ := next(s2)
					names[int(idx)] = string(s3[:l])
					s = s3[l:]
				}
			}
		}
	}
	for i, s := range sizes {
		pkgs[group(names[i+imports])] += s
	}
	return
}

// modules are the third-party modules the page links, as the linker
// writes them in function names ("/", "-" and "." of a path become "_").
var modules = map[string]string{
	"goccy_go_yaml":   "github.com/goccy/go-yaml",
	"yuin_goldmark":   "github.com/yuin/goldmark",
	"hack_pad_safejs": "github.com/hack-pad/safejs",
}

// group names the package group of a function: the linker writes
// "maillab_sim_smtp.__Server_.Feed" for maillab/sim/smtp.(*Server).Feed. A
// third-party package counts for its module; the runtime and internal/*
// packages are one group, crypto/* another.
func group(fn string) string {
	if fn == "" {
		return "(unnamed)"
	}
	for _, host := range []string{"github.com_", "golang.org_"} {
		if rest, ok := strings.CutPrefix(fn, host); ok {
			for prefix, mod := range modules {
				if strings.HasPrefix(rest, prefix) {
					return mod
				}
			}
			parts := strings.SplitN(rest, "_", 3)
			return strings.TrimSuffix(host, "_") + "/" + strings.Join(parts[:min(2, len(parts))], "/")
		}
	}
	pkg := fn
	if i := strings.IndexByte(fn, '.'); i > 0 {
		pkg = fn[:i]
	}
	switch {
	case pkg == "runtime" || strings.HasPrefix(pkg, "runtime_") || strings.HasPrefix(pkg, "internal_") || strings.HasPrefix(pkg, "type_") || strings.HasPrefix(pkg, "go_"):
		return "runtime and internal/*"
	case strings.HasPrefix(pkg, "crypto_"):
		return "crypto/*"
	}
	return strings.ReplaceAll(pkg, "_", "/")
}
