package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/andybalholm/brotli"

	"maillab/web/view"
)

// fakeWasm is big enough to be compressed in the background, and
// compressible (like a real wasm) but not trivially so.
func fakeWasm() []byte {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"\x00asm", "runtime.", "syscall/js.", "maillab/sim/", "\x01\x02\x03", "func", "type"}
	var b bytes.Buffer
	b.WriteString("\x00asm\x01\x00\x00\x00")
	for b.Len() < 400<<10 {
		b.WriteString(words[r.IntN(len(words))])
		b.WriteByte(byte(r.IntN(256)))
	}
	return b.Bytes()
}

var testWasm = fakeWasm()

func get(t *testing.T, h http.Handler, target string, hdr ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, r *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decode undoes the response's Content-Encoding.
func decode(t *testing.T, r *http.Response) []byte {
	t.Helper()
	b := body(t, r)
	switch r.Header.Get("Content-Encoding") {
	case "br":
		out, err := io.ReadAll(brotli.NewReader(bytes.NewReader(b)))
		if err != nil {
			t.Fatal(err)
		}
		return out
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	return b
}

func TestCSP(t *testing.T) {
	h := Handler(Options{Wasm: testWasm})
	for _, p := range []string{"/", "/index.html", "/style.css", "/boot.js", "/maillab.wasm", "/nope", "/../etc/passwd"} {
		r := get(t, h, p)
		csp := r.Header.Get("Content-Security-Policy")
		if csp == "" {
			t.Fatalf("%s: no Content-Security-Policy", p)
		}
		directives := map[string]string{}
		for _, d := range strings.Split(csp, ";") {
			name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
			directives[name] = value
		}
		script, ok := directives["script-src"]
		if !ok {
			t.Fatalf("%s: CSP has no script-src: %s", p, csp)
		}
		if strings.Contains(script, "unsafe-inline") || strings.Contains(script, "'unsafe-eval'") {
			t.Errorf("%s: script-src allows inline or eval: %s", p, script)
		}
		if !strings.Contains(script, "'wasm-unsafe-eval'") {
			t.Errorf("%s: script-src lacks 'wasm-unsafe-eval', so WebAssembly cannot compile: %s", p, script)
		}
		if strings.Contains(directives["style-src"], "unsafe-inline") {
			t.Errorf("%s: style-src allows inline styles", p)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", p)
		}
	}
}

func TestEncodings(t *testing.T) {
	h := Handler(Options{Wasm: testWasm})
	for _, c := range []struct {
		accept string
		want   string
	}{
		{"br", "br"},
		{"gzip, deflate, br, zstd", "br"}, // Chromium's header
		{"gzip, deflate", "gzip"},
		{"gzip", "gzip"},
		{"", ""},
		{"identity", ""},
		{"deflate", ""},
		{"br;q=0, gzip", "gzip"},
		{"br;q=0.5, gzip;q=0.8", "gzip"},
		{"*", "br"},
		{"*;q=0, gzip", "gzip"},
		{"BR", "br"},
	} {
		t.Run(fmt.Sprintf("%q", c.accept), func(t *testing.T) {
			r := get(t, h, "/maillab.wasm", "Accept-Encoding", c.accept)
			if r.StatusCode != 200 {
				t.Fatalf("status %d", r.StatusCode)
			}
			if got := r.Header.Get("Content-Encoding"); got != c.want {
				t.Errorf("Content-Encoding %q, want %q", got, c.want)
			}
			if r.Header.Get("Vary") != "Accept-Encoding" {
				t.Error("no Vary: Accept-Encoding")
			}
			if r.Header.Get("Content-Type") != "application/wasm" {
				t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
			}
			if r.Header.Get("X-Decoded-Length") != strconv.Itoa(len(testWasm)) {
				t.Errorf("X-Decoded-Length %q", r.Header.Get("X-Decoded-Length"))
			}
			raw := body(t, r)
			if cl := r.Header.Get("Content-Length"); cl != strconv.Itoa(len(raw)) {
				t.Errorf("Content-Length %s for %d bytes", cl, len(raw))
			}
			r.Body = io.NopCloser(bytes.NewReader(raw))
			if !bytes.Equal(decode(t, r), testWasm) {
				t.Error("the body does not decode to the wasm")
			}
			if c.want != "" && len(raw) >= len(testWasm) {
				t.Errorf("%s is not smaller (%d ≥ %d)", c.want, len(raw), len(testWasm))
			}
		})
	}
	// Small text assets are compressed too; the ETag differs per encoding.
	br := get(t, h, "/style.css", "Accept-Encoding", "br")
	id := get(t, h, "/style.css")
	if br.Header.Get("Content-Encoding") != "br" || id.Header.Get("Content-Encoding") != "" {
		t.Error("style.css is not served with brotli")
	}
	if br.Header.Get("ETag") == id.Header.Get("ETag") {
		t.Error("the brotli and identity representations share an ETag")
	}
}

func TestNotFound(t *testing.T) {
	static := fstest.MapFS{
		"index.html":        {Data: []byte(`<!doctype html><script type="application/json" id="i18n">{}</script>`)},
		"fonts/mono.woff2":  {Data: []byte("wOF2")},
		"fonts/.hidden":     {Data: []byte("secret")},
		".env":              {Data: []byte("secret")},
		"style.css":         {Data: []byte("body{}")},
		"deep/er/file.json": {Data: []byte("{}")},
	}
	h := Handler(Options{Static: static})
	for _, p := range []string{
		"/../handler.go", "/../../go.mod", "/..", "/%2e%2e/handler.go", "/..%2fhandler.go",
		"/fonts", "/fonts/", "/deep/", "/deep/er", "/static/", "/static/index.html",
		"/fonts/.hidden", "/.env", "/./style.css", "//style.css", "/style.css/", "/STYLE.CSS",
		"/nope", "/index.html/..", "/fonts/../style.css", `/\..\handler.go`,
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.Path = p // as a raw client could send it, uncleaned
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, rec.Code)
		}
		if strings.Contains(rec.Body.String(), "secret") || strings.Contains(rec.Body.String(), "<a href") {
			t.Errorf("%s: leaks a file or a listing: %s", p, rec.Body.String())
		}
	}
	for _, p := range []string{"/", "/index.html", "/fonts/mono.woff2", "/deep/er/file.json", "/style.css"} {
		if r := get(t, h, p); r.StatusCode != 200 {
			t.Errorf("%s: status %d, want 200", p, r.StatusCode)
		}
	}
	// Through a real server too: Go's client sends the path as written.
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, p := range []string{"/../handler.go", "/fonts/", "/%2e%2e/%2e%2e/go.mod"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		req.URL.Opaque = p
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("server %s: status %d", p, resp.StatusCode)
		}
	}
}

func TestMethods(t *testing.T) {
	h := Handler(Options{Wasm: testWasm})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader("x")))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d %q", rec.Code, rec.Header().Get("Allow"))
	}
	rec = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodHead, "/maillab.wasm", nil)
	req.Header.Set("Accept-Encoding", "br")
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") == "" || rec.Header().Get("Content-Encoding") != "br" {
		t.Errorf("HEAD: %d, %d body bytes, headers %v", rec.Code, rec.Body.Len(), rec.Header())
	}
}

var hashedRef = regexp.MustCompile(`"(maillab|style|boot|wasm_exec|favicon)\.([0-9a-f]{10})\.(wasm|css|js|svg)"`)

func TestCaching(t *testing.T) {
	h := Handler(Options{Wasm: testWasm})
	idx := get(t, h, "/")
	page := string(body(t, idx))
	if cc := idx.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("index.html Cache-Control %q: the page must revalidate to see new asset names", cc)
	}
	refs := hashedRef.FindAllStringSubmatch(page, -1)
	seen := map[string]bool{}
	for _, m := range refs {
		seen[m[1]] = true
		name := strings.Trim(m[0], `"`)
		r := get(t, h, "/"+name, "Accept-Encoding", "gzip")
		if r.StatusCode != 200 {
			t.Fatalf("%s: %d", name, r.StatusCode)
		}
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
			t.Errorf("%s: Cache-Control %q, want immutable", name, cc)
		}
	}
	for _, want := range []string{"maillab", "style", "boot"} {
		if !seen[want] {
			t.Errorf("index.html does not reference %s by its hashed name:\n%s", want, page)
		}
	}
	// The plain name revalidates with an ETag.
	r := get(t, h, "/maillab.wasm", "Accept-Encoding", "br")
	etag := r.Header.Get("ETag")
	if r.Header.Get("Cache-Control") != "no-cache" || etag == "" {
		t.Fatalf("maillab.wasm: Cache-Control %q, ETag %q", r.Header.Get("Cache-Control"), etag)
	}
	r = get(t, h, "/maillab.wasm", "Accept-Encoding", "br", "If-None-Match", etag)
	if r.StatusCode != http.StatusNotModified || len(body(t, r)) != 0 {
		t.Errorf("If-None-Match: status %d", r.StatusCode)
	}
	r = get(t, h, "/maillab.wasm", "Accept-Encoding", "gzip", "If-None-Match", etag)
	if r.StatusCode != 200 {
		t.Errorf("an ETag of the brotli representation matched the gzip one")
	}
	// A new wasm gets a new name.
	wasmRef := regexp.MustCompile(`maillab\.[0-9a-f]{10}\.wasm`)
	other := Handler(Options{Wasm: append([]byte("\x00asm"), testWasm[4:len(testWasm)-1]...)})
	n1, n2 := wasmRef.FindString(page), wasmRef.FindString(string(body(t, get(t, other, "/"))))
	if n1 == "" || n1 == n2 {
		t.Errorf("a different wasm kept the same hashed name: %q, %q", n1, n2)
	}
}

func TestIndexLabels(t *testing.T) {
	h := Handler(Options{Wasm: testWasm})
	page := body(t, get(t, h, "/"))
	m := regexp.MustCompile(`(?s)<script type="application/json" id="i18n">(.*?)</script>`).FindSubmatch(page)
	if m == nil {
		t.Fatal("no i18n block")
	}
	var labels map[string]map[string]string
	if err := json.Unmarshal(m[1], &labels); err != nil {
		t.Fatalf("i18n block: %v", err)
	}
	for _, lang := range view.Langs {
		for _, k := range []string{"boot.noWasm", "boot.progress", "ctl.step", "page.title"} {
			if labels[lang][k] == "" || labels[lang][k] != view.T(lang, k) {
				t.Errorf("%s %s: %q", lang, k, labels[lang][k])
			}
		}
	}
}

// The static page follows the rules the CSP and the issue set: no inline
// script or style, every data-i18n key exists and the English text in the
// file is the label's, every control has an accessible name.
func TestIndexHTML(t *testing.T) {
	src, err := static.ReadFile("static/index.html")
	if err != nil {
		t.Fatal(err)
	}
	page := string(src)
	for _, m := range regexp.MustCompile(`<script([^>]*)>([^<]*)</script>`).FindAllStringSubmatch(page, -1) {
		if !strings.Contains(m[1], "src=") && !strings.Contains(m[1], `type="application/json"`) {
			t.Errorf("inline script: %s", m[0])
		}
		if strings.Contains(m[1], "src=") && strings.TrimSpace(m[2]) != "" {
			t.Errorf("script with src and content: %s", m[0])
		}
	}
	if regexp.MustCompile(`\sstyle=|<style|\son[a-z]+=|javascript:`).MatchString(page) {
		t.Error("inline style or event handler in index.html (the CSP forbids them)")
	}
	keys := map[string]bool{}
	for _, k := range view.Keys() {
		keys[k] = true
	}
	text := regexp.MustCompile(`<([a-z0-9]+)[^>]*\sdata-i18n="([^"]+)"[^>]*>([^<]*)<`)
	for _, m := range text.FindAllStringSubmatch(page, -1) {
		if !keys[m[2]] {
			t.Errorf("data-i18n=%q: no such label in web/view", m[2])
			continue
		}
		if strings.TrimSpace(m[3]) != view.T("en", m[2]) {
			t.Errorf("<%s data-i18n=%q> says %q, the label is %q", m[1], m[2], m[3], view.T("en", m[2]))
		}
	}
	for _, m := range regexp.MustCompile(`data-i18n-(?:label|title)="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if !keys[m[1]] {
			t.Errorf("%s: no such label", m[0])
		}
	}
	for _, m := range regexp.MustCompile(`(?s)<button([^>]*)>(.*?)</button>`).FindAllStringSubmatch(page, -1) {
		if strings.TrimSpace(m[2]) == "" && !strings.Contains(m[1], "aria-label") {
			t.Errorf("button without an accessible name: %s", m[0])
		}
		if !strings.Contains(m[1], `type="button"`) {
			t.Errorf("button without type=button (it would submit): %s", m[0])
		}
	}
	for _, m := range regexp.MustCompile(`<(input|select|textarea)([^>]*)>`).FindAllStringSubmatch(page, -1) {
		if strings.Contains(m[2], " hidden") {
			continue
		}
		id := regexp.MustCompile(`id="([^"]+)"`).FindStringSubmatch(m[2])
		if id == nil {
			t.Errorf("control without id: %s", m[0])
			continue
		}
		wrapped := regexp.MustCompile(`(?s)<label[^>]*>(?:[^<]|<span[^>]*>[^<]*</span>|\s)*<` + m[1] + `[^>]*id="` + id[1] + `"`).MatchString(page)
		if !strings.Contains(page, `for="`+id[1]+`"`) && !strings.Contains(m[2], "aria-label") && !wrapped {
			t.Errorf("control %s has no label", id[1])
		}
	}
	for _, f := range []string{"static/style.css", "static/boot.js", "static/favicon.svg"} {
		if _, err := fs.Stat(static, f); err != nil {
			t.Errorf("%s is not embedded: %v", f, err)
		}
	}
}

// The stylesheet switches theme with prefers-color-scheme and has a layout
// for narrow screens.
func TestStyleSheet(t *testing.T) {
	css, err := static.ReadFile("static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"prefers-color-scheme: dark", "max-width: 960px", ":focus-visible", ".rc-5xx", ".rc-err", ".tls-band", ".cursor-band", ".states .current"} {
		if !bytes.Contains(css, []byte(want)) {
			t.Errorf("style.css lacks %s", want)
		}
	}
}

func TestPrecompressed(t *testing.T) {
	wasm := testWasm
	stale := Brotli([]byte("an older build"), 5)
	var logged []string
	h := Handler(Options{
		Static: fstest.MapFS{
			"index.html":      {Data: []byte("<!doctype html>")},
			"maillab.wasm":    {Data: wasm},
			"maillab.wasm.br": {Data: stale},
			"maillab.wasm.gz": {Data: Gzip(wasm)},
		},
		Logf: func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) },
	})
	r := get(t, h, "/maillab.wasm", "Accept-Encoding", "br")
	if !bytes.Equal(decode(t, r), wasm) {
		t.Error("a stale .br was served")
	}
	if len(logged) != 1 || !strings.Contains(logged[0], "maillab.wasm.br") {
		t.Errorf("logged %q", logged)
	}
	// The .br/.gz files themselves are not served as assets of their own.
	if r := get(t, h, "/maillab.wasm.gz"); r.StatusCode != 404 {
		t.Errorf("maillab.wasm.gz: %d", r.StatusCode)
	}

	dir := t.TempDir()
	p := filepath.Join(dir, "maillab.wasm")
	if err := os.WriteFile(p, wasm, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Precompress(p); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(p + ".br")
	if err != nil {
		t.Fatal(err)
	}
	logged = nil
	h = Handler(Options{Static: fstest.MapFS{"maillab.wasm": {Data: wasm}, "maillab.wasm.br": {Data: good}}, Logf: func(f string, a ...any) { logged = append(logged, f) }})
	r = get(t, h, "/maillab.wasm", "Accept-Encoding", "br")
	if b := body(t, r); !bytes.Equal(b, good) || len(logged) != 0 {
		t.Errorf("the build's .br was not used (logged %q)", logged)
	}
}

func TestPickEncoding(t *testing.T) {
	for in, want := range map[string]string{
		"br":                  "br",
		"gzip;q=1.0, br;q=1":  "br",
		"gzip;q=1.0, br;q=.9": "gzip",
		"x-gzip":              "",
		"br;q=0;foo=bar":      "",
		" gzip ; q = 0.5 ":    "gzip",
	} {
		if got := pickEncoding([]string{in}); got != want {
			t.Errorf("pickEncoding(%q) = %q, want %q", in, got, want)
		}
	}
}

// newTestServer serves h on 127.0.0.1 for the length of the test and
// returns its base URL.
func newTestServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
