package web

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// WriteSite writes the lab as a static site into dir: the page, its
// assets under their content-hashed names (and plain names), the wasm with
// .br and .gz beside it for hosts that serve precompressed files, the
// course as JSON under course/ and its pictures. Any static web host
// serves it as is (`maillab build`); a `_headers` file carries the
// Content-Security-Policy and caching rules for hosts that read one
// (Netlify, Cloudflare Pages). It returns the files written.
func WriteSite(dir string, opts Options) ([]string, error) {
	opts.Watch = false
	h, ok := Handler(opts).(*handler)
	if !ok {
		return nil, fmt.Errorf("web: unexpected handler type")
	}
	files := map[string][]byte{}
	for name, a := range h.byPath {
		files[name] = a.raw
		if strings.HasSuffix(name, ".wasm") && a.br != nil && a.gz != nil {
			files[name+".br"] = a.br()
			files[name+".gz"] = a.gz()
		}
	}
	h.course.mu.Lock()
	h.course.build()
	for name, a := range h.course.built {
		files["course/"+name] = a.raw
	}
	h.course.mu.Unlock()
	if opts.Course != nil {
		fs.WalkDir(opts.Course, ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if a := h.course.file(p); a != nil {
					files["course/files/"+p] = a.raw
				}
			}
			return nil
		})
	}
	files["_headers"] = []byte("/*\n  Content-Security-Policy: " + CSP + "\n  X-Content-Type-Options: nosniff\n/index.html\n  Cache-Control: no-cache\n")

	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !fs.ValidPath(name) {
			return nil, fmt.Errorf("web: refusing to write %q", name)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return nil, err
		}
	}
	return names, nil
}
