package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"sort"
	"strings"
)

func uleb(b []byte) (uint64, int) {
	v, n := binary.Uvarint(b)
	return v, n
}

func main() {
	b, _ := os.ReadFile(os.Args[1])
	p := b[8:]
	var codeSizes []int
	names := map[int]string{}
	nImports := 0
	secs := map[string]int{}
	for len(p) > 0 {
		id := p[0]
		sz, n := uleb(p[1:])
		body := p[1+n : 1+n+int(sz)]
		p = p[1+n+int(sz):]
		switch id {
		case 2:
			q := body
			cnt, n := uleb(q)
			q = q[n:]
			for i := 0; i < int(cnt); i++ {
				l, n := uleb(q); q = q[n+int(l):]
				l, n = uleb(q); q = q[n+int(l):]
				kind := q[0]; q = q[1:]
				switch kind {
				case 0: _, n = uleb(q); q = q[n:]; nImports++
				case 1: q = q[1:]; fl, n := uleb(q); q = q[n:]; _, n = uleb(q); q = q[n:]; if fl&1 == 1 { _, n = uleb(q); q = q[n:] }
				case 2: fl, n := uleb(q); q = q[n:]; _, n = uleb(q); q = q[n:]; if fl&1 == 1 { _, n = uleb(q); q = q[n:] }
				case 3: q = q[2:]
				}
			}
			secs["import"] += len(body)
		case 10:
			q := body
			cnt, n := uleb(q)
			q = q[n:]
			for i := 0; i < int(cnt); i++ {
				l, n := uleb(q)
				codeSizes = append(codeSizes, int(l)+n)
				q = q[n+int(l):]
			}
			secs["code"] += len(body)
		case 11:
			secs["data"] += len(body)
		case 0:
			nl, n := uleb(body)
			name := string(body[n : n+int(nl)])
			secs["custom:"+name] += len(body)
			if name == "name" {
				q := body[n+int(nl):]
				for len(q) > 0 {
					sid := q[0]
					ssz, n := uleb(q[1:])
					sb := q[1+n : 1+n+int(ssz)]
					q = q[1+n+int(ssz):]
					if sid == 1 {
						cnt, n := uleb(sb)
						sb = sb[n:]
						for i := 0; i < int(cnt); i++ {
							idx, n := uleb(sb); sb = sb[n:]
							l, n := uleb(sb); sb = sb[n:]
							names[int(idx)] = string(sb[:l]); sb = sb[l:]
						}
					}
				}
			}
		default:
			secs[fmt.Sprint(id)] += len(body)
		}
	}
	fmt.Println(secs)
	pkg := map[string]int{}
	for i, s := range codeSizes {
		name := names[i+nImports]
		k := pkgOf(name)
		pkg[k] += s
	}
	type kv struct{ k string; v int }
	var l []kv
	for k, v := range pkg { l = append(l, kv{k, v}) }
	sort.Slice(l, func(i, j int) bool { return l[i].v > l[j].v })
	for _, x := range l[:min(60, len(l))] { fmt.Printf("%8d %s\n", x.v, x.k) }
	_ = bytes.Equal
}

func pkgOf(name string) string {
	if strings.HasPrefix(name, "github.com") { rest := name[len("github.com/"):]; i := strings.IndexAny(rest, ".("); if i < 0 { return name }; parts := strings.SplitN(rest[:i], "_", 3); if len(parts) > 2 { return "gh:" + parts[0] + "/" + parts[1] + "/" + strings.SplitN(parts[2], ".", 2)[0] }; return "gh:" + rest[:i] }
	// e.g. github.com/yuin/goldmark/parser.(*x).y
	slash := strings.LastIndex(name, "/")
	rest := name[slash+1:]
	dot := strings.Index(rest, ".")
	if dot < 0 { return name }
	return name[:slash+1+dot]
}
