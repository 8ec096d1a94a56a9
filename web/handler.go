// Package web serves the browser lab: the page's assets (index.html,
// style.css, boot.js, the Go runtime's wasm_exec.js and the compiled
// maillab.wasm), embedded in the binary so that `maillab serve` needs
// nothing else. The views themselves are rendered by web/view, in the
// browser, by the wasm program.
//
// Everything the handler sends is decided once, at start-up: every asset
// is read, hashed, and compressed with brotli and gzip (or taken from the
// .br/.gz files the build wrote beside it), so a request is a map lookup
// and a write.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"

	"maillab/web/view"
)

// static holds the page. The Makefile adds maillab.wasm (and its .br/.gz)
// and wasm_exec.js before building the maillab binary; without them the
// page loads and boot.js explains what is missing.
//
//go:embed static
var static embed.FS

// Assets returns the page's embedded assets (index.html, style.css,
// boot.js …, and what the Makefile added), for tests and tools that serve
// them with changes through Options.Static.
func Assets() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embed directive guarantees static/ exists
	}
	return sub
}

// WasmName is the file name of the compiled page program.
const WasmName = "maillab.wasm"

// CSP is the Content-Security-Policy of every response. Scripts come only
// from this server, never inline ('wasm-unsafe-eval' is what compiling
// WebAssembly needs and nothing more); styles only from style.css (the
// views use classes, never style attributes); nothing may frame the page
// or submit a form anywhere.
const CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
	"img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; manifest-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Options configure Handler. The zero value serves the embedded page.
type Options struct {
	// Wasm is the compiled page program, served as maillab.wasm. nil means
	// the one embedded from static/ (built there by the Makefile).
	Wasm []byte
	// Static replaces the embedded asset directory (index.html, style.css,
	// boot.js … at its root). nil means the embedded one.
	Static fs.FS
	// Logf, if set, is told about assets that could not be used, such as a
	// precompressed file that does not match its source.
	Logf func(format string, args ...any)

	// Course is the course the page shows, served as JSON under course/
	// (see package web/course). nil means the built-in one
	// (lessons.Builtin).
	Course fs.FS
	// Watch says Course is a folder being edited (`maillab serve
	// --lessons DIR`): it is read again whenever a file changes, and the
	// page reloads the lesson on screen.
	Watch bool

	// Live says the server also serves native mode's live view under
	// live/ (`maillab serve --smtp …`): index.html says so (data-live on
	// <html>), and the page shows its Live tab without asking first.
	Live bool
}

// LiveAttr is the attribute of <html> that tells the page the server runs
// native mode's live view.
const LiveAttr = "data-live"

// asset is one file ready to serve.
type asset struct {
	name   string // as in static/ ("boot.js")
	hashed string // with the content hash in the name ("boot.3f2a9c1b7d.js"), "" for index.html
	ctype  string
	raw    []byte
	etag   string // quoted hash of raw
	br, gz func() []byte
}

type handler struct {
	byPath map[string]*asset // URL path without the leading "/" → asset
	index  *asset
	course *courseServer
}

// Handler serves the page. It answers GET and HEAD for the assets by name
// and by content-hashed name, "/" with index.html, and 404 for everything
// else: there are no directories to list and no path is ever joined onto
// a file system, so "../" cannot lead anywhere.
func Handler(opts Options) http.Handler {
	root := opts.Static
	if root == nil {
		root = Assets()
	}
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}

	files := map[string][]byte{}
	err := fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(path.Base(p), ".") {
			return nil
		}
		b, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		files[p] = b
		return nil
	})
	if err != nil {
		logf("web: reading the page's assets: %v", err)
	}
	if opts.Wasm != nil {
		files[WasmName] = opts.Wasm
		delete(files, WasmName+".br") // they belong to the embedded one
		delete(files, WasmName+".gz")
	}

	h := &handler{byPath: map[string]*asset{}, course: newCourseServer(opts.Course, opts.Watch, logf)}
	var names []string
	for name := range files {
		if strings.HasSuffix(name, ".br") || strings.HasSuffix(name, ".gz") {
			continue // precompressed variants, picked up with their source
		}
		names = append(names, name)
	}
	sort.Strings(names)
	var assets []*asset
	for _, name := range names {
		a := &asset{name: name, ctype: contentType(name), raw: files[name]}
		sum := sha256.Sum256(a.raw)
		a.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
		if name != "index.html" {
			a.hashed = hashedName(name, hex.EncodeToString(sum[:5]))
		}
		assets = append(assets, a)
	}

	// index.html names the other assets by their hashed names, so they can
	// be cached for good, and carries the labels boot.js needs before the
	// wasm (which has all of them) has loaded.
	for _, a := range assets {
		if a.name == "index.html" {
			a.raw = rewriteIndex(a.raw, assets)
			if opts.Live {
				a.raw = bytes.Replace(a.raw, []byte("<html "), []byte("<html "+LiveAttr+`="1" `), 1)
			}
			sum := sha256.Sum256(a.raw)
			a.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
			h.index = a
		}
	}

	for _, a := range assets {
		setupCompression(a, files, logf)
		h.byPath[a.name] = a
		if a.hashed != "" {
			h.byPath[a.hashed] = a
		}
	}
	return h
}

// hashedName puts a content hash before the extension: style.css →
// style.1a2b3c4d5e.css.
func hashedName(name, hash string) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hash + ext
}

// rewriteIndex replaces every quoted reference to an asset in index.html
// with its hashed name, and fills the boot labels.
func rewriteIndex(src []byte, assets []*asset) []byte {
	out := src
	for _, a := range assets {
		if a.hashed == "" {
			continue
		}
		out = bytes.ReplaceAll(out, []byte(`"`+a.name+`"`), []byte(`"`+a.hashed+`"`))
	}
	return bytes.Replace(out, []byte(`<script type="application/json" id="i18n">{}</script>`),
		[]byte(`<script type="application/json" id="i18n">`+bootLabels(src)+`</script>`), 1)
}

var i18nAttr = regexp.MustCompile(`data-i18n(?:-label|-title)?="([^"]+)"`)

// bootLabels returns, as JSON, the labels the static page uses (its
// data-i18n attributes) and boot.js's messages, in both languages: what the
// page can show before the wasm runs. json.Marshal escapes <, > and &, so
// the result is safe inside a <script> element.
func bootLabels(index []byte) string {
	keys := map[string]bool{}
	for _, m := range i18nAttr.FindAllSubmatch(index, -1) {
		keys[string(m[1])] = true
	}
	for _, k := range view.Keys() {
		if strings.HasPrefix(k, "boot.") {
			keys[k] = true
		}
	}
	out := map[string]map[string]string{}
	for _, lang := range view.Langs {
		m := map[string]string{}
		for k := range keys {
			m[k] = view.T(lang, k)
		}
		out[lang] = m
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// contentType by extension, from a fixed table: mime.TypeByExtension reads
// the system's tables, which differ between machines (and .wasm must be
// application/wasm for streaming compilation).
func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".wasm":
		return "application/wasm"
	case ".svg":
		return "image/svg+xml"
	case ".json", ".map":
		return "application/json"
	case ".md":
		return "text/markdown; charset=utf-8"
	case ".txt":
		return "text/plain; charset=utf-8"
	case ".png":
		return "image/png"
	case ".ico":
		return "image/x-icon"
	case ".woff2":
		return "font/woff2"
	}
	return "application/octet-stream"
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.HasPrefix(ctype, "application/wasm") ||
		strings.HasPrefix(ctype, "application/json") || strings.HasPrefix(ctype, "image/svg")
}

// Compression settings. Brotli at quality 11 compresses a Go wasm binary
// about 13 % better than quality 6 but takes some 15 s, so it belongs in the
// build (cmd precompress, run by the Makefile); at start-up a large asset
// without a prebuilt .br gets quality 6 (a fraction of a second).
const (
	bigAsset     = 256 << 10
	brotliSmallQ = 11
	brotliBigQ   = 6
	minCompress  = 256 // smaller than this, the headers cost more than they save
)

// setupCompression prepares the brotli and gzip variants of an asset: the
// build's precompressed files when they decode to exactly the asset (a
// stale one is ignored), else compressed here. Large assets are compressed
// in the background; the first request that needs one waits for it.
func setupCompression(a *asset, files map[string][]byte, logf func(string, ...any)) {
	if !compressible(a.ctype) || len(a.raw) < minCompress {
		return
	}
	raw := a.raw
	if pre, ok := files[a.name+".br"]; ok && a.name != "index.html" {
		if got, err := io.ReadAll(brotli.NewReader(bytes.NewReader(pre))); err == nil && bytes.Equal(got, raw) {
			a.br = func() []byte { return pre }
		} else {
			logf("web: ignoring %s.br: it is not a compressed copy of %s (rebuild with make)", a.name, a.name)
		}
	}
	if pre, ok := files[a.name+".gz"]; ok && a.name != "index.html" {
		if zr, err := gzip.NewReader(bytes.NewReader(pre)); err == nil {
			if got, err := io.ReadAll(zr); err == nil && bytes.Equal(got, raw) {
				a.gz = func() []byte { return pre }
			}
		}
		if a.gz == nil {
			logf("web: ignoring %s.gz: it is not a compressed copy of %s (rebuild with make)", a.name, a.name)
		}
	}
	q := brotliSmallQ
	if len(raw) > bigAsset {
		q = brotliBigQ
	}
	if a.br == nil {
		a.br = sync.OnceValue(func() []byte { return Brotli(raw, q) })
		if len(raw) > bigAsset {
			go a.br()
		} else {
			a.br()
		}
	}
	if a.gz == nil {
		a.gz = sync.OnceValue(func() []byte { return Gzip(raw) })
		if len(raw) > bigAsset {
			go a.gz()
		} else {
			a.gz()
		}
	}
}

// Brotli compresses b at the given quality (0–11) with a 4 MiB window.
func Brotli(b []byte, quality int) []byte {
	var out bytes.Buffer
	w := brotli.NewWriterOptions(&out, brotli.WriterOptions{Quality: quality, LGWin: 22})
	w.Write(b) // writes to a bytes.Buffer do not fail
	w.Close()
	return out.Bytes()
}

// Gzip compresses b at the best compression level.
func Gzip(b []byte) []byte {
	var out bytes.Buffer
	w, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", CSP)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("Cross-Origin-Opener-Policy", "same-origin")
	hdr.Set("Cross-Origin-Resource-Policy", "same-origin")

	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := strings.TrimPrefix(r.URL.Path, "/")
	var a *asset
	switch {
	case p == "":
		a = h.index
	case strings.HasPrefix(p, "course/"):
		a = h.course.asset(strings.TrimPrefix(p, "course/"))
	default:
		a = h.byPath[p]
	}
	if a == nil {
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	serveAsset(w, r, a, a.hashed != "" && p == a.hashed)
}

// serveAsset writes an asset, compressed as the request accepts, with its
// ETag; immutable assets (named by their content hash) are cached for good.
func serveAsset(w http.ResponseWriter, r *http.Request, a *asset, immutable bool) {
	hdr := w.Header()
	hdr.Set("Content-Type", a.ctype)
	if immutable {
		// The name changes whenever the content does.
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		// Always revalidate: cheap with the ETag, and never stale.
		hdr.Set("Cache-Control", "no-cache")
	}
	if a.name == WasmName {
		// The browser reports progress in decoded bytes, while
		// Content-Length counts compressed ones: boot.js needs this to
		// draw its progress bar.
		hdr.Set("X-Decoded-Length", strconv.Itoa(len(a.raw)))
	}

	body, enc := a.raw, ""
	if a.br != nil {
		hdr.Set("Vary", "Accept-Encoding")
		switch pickEncoding(r.Header.Values("Accept-Encoding")) {
		case "br":
			body, enc = a.br(), "br"
		case "gzip":
			body, enc = a.gz(), "gzip"
		}
	}
	etag := a.etag
	if enc != "" {
		// Each encoding is its own representation (RFC 9110 §8.8.3).
		etag = strings.TrimSuffix(etag, `"`) + "-" + enc + `"`
		hdr.Set("Content-Encoding", enc)
	}
	hdr.Set("ETag", etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}

// etagMatch implements If-None-Match's weak comparison (RFC 9110 §13.1.2).
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// pickEncoding chooses br, gzip or "" (identity) from Accept-Encoding
// values: the highest q wins, brotli before gzip on a tie, and q=0 means
// "not acceptable" (RFC 9110 §12.5.3).
func pickEncoding(values []string) string {
	q := map[string]float64{}
	star := -1.0
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			weight := 1.0
			for _, p := range strings.Split(params, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
						weight = f
					}
				}
			}
			if name == "*" {
				star = weight
				continue
			}
			q[name] = weight
		}
	}
	weight := func(enc string) float64 {
		if w, ok := q[enc]; ok {
			return w
		}
		if star >= 0 {
			return star
		}
		return 0
	}
	best, bestQ := "", 0.0
	for _, enc := range []string{"br", "gzip"} {
		if w := weight(enc); w > bestQ {
			best, bestQ = enc, w
		}
	}
	return best
}
