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

// group names the package group of a function (the linker writes
// "maillab_sim_smtp.(*Server).Feed" for maillab/sim/smtp).
func group(fn string) string {
	if fn == "" {
		return "(unnamed)"
	}
	host := ""
	for _, h := range []string{"github.com_", "golang.org_"} {
		if strings.HasPrefix(fn, h) {
			host, fn = strings.TrimSuffix(h, "_")+"/", fn[len(h):]
		}
	}
	pkg := fn
	if i := strings.IndexAny(fn, ".("); i > 0 {
		pkg = fn[:i]
	}
	parts := strings.Split(pkg, "_")
	switch {
	case host != "":
		if len(parts) > 2 {
			parts = parts[:2]
		}
		return host + strings.Join(parts, "/")
	case parts[0] == "maillab":
		return strings.Join(parts, "/")
	case parts[0] == "runtime" || parts[0] == "internal" || parts[0] == "type:" || strings.HasPrefix(pkg, "type:"):
		return "runtime and internal/*"
	}
	return strings.Join(parts, "/")
}
