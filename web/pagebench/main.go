// Command pagebench measures the browser lab's page for `make bench` and
// writes the report (bench/page.txt):
//
//   - the bytes the browser transfers before the first step can be taken,
//     resource by resource, as headless Chromium counts them, and the same
//     resources as brotli (what the 1.2 MB budget is about);
//   - where the page program's bytes go, by package;
//   - the time from navigation to the first step being clickable, in
//     headless Chromium on loopback, against a bare Go wasm hello-world page
//     served in the same page shell, measured alternately in the same run
//     (cold loads: the browser's cache is off);
//   - how long a step and a fault re-run take to repaint a 200-step trace.
//
// Usage:
//
//	go run ./web/pagebench [-runs 7] [-out bench/page.txt]
//
// The page program and its .br are taken from web/static (make build puts
// them there); -wasm FILE uses another build.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing/fstest"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"maillab/web"
	"maillab/web/app"
	"maillab/web/headless"
)

func main() {
	runs := flag.Int("runs", 7, "cold loads of each page")
	out := flag.String("out", "bench/page.txt", "the report")
	wasmFile := flag.String("wasm", "", "the page program (default: web/static/maillab.wasm as embedded, or a fresh build)")
	flag.Parse()
	if err := run(*runs, *out, *wasmFile); err != nil {
		fmt.Fprintln(os.Stderr, "pagebench:", err)
		os.Exit(1)
	}
}

type report struct{ bytes.Buffer }

func (r *report) f(format string, args ...any) { fmt.Fprintf(&r.Buffer, format+"\n", args...) }

func run(runs int, out, wasmFile string) error {
	tmp, err := os.MkdirTemp("", "pagebench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	labAssets, wasm, err := labPage(wasmFile, tmp)
	if err != nil {
		return err
	}
	hello, err := build("./web/pagebench/hello", filepath.Join(tmp, "hello.wasm"), true)
	if err != nil {
		return err
	}
	helloAssets := overlay(labAssets, map[string][]byte{web.WasmName: hello, web.WasmName + ".br": web.Brotli(hello, 11), web.WasmName + ".gz": web.Gzip(hello)})
	lab := httptest.NewServer(web.Handler(web.Options{Static: labAssets}))
	defer lab.Close()
	base := httptest.NewServer(web.Handler(web.Options{Static: helloAssets}))
	defer base.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bctx, bcancel, err := headless.Start(ctx)
	if err != nil {
		return err
	}
	defer bcancel()
	con := headless.Listen(bctx)
	net := &netLog{bodies: map[network.RequestID]float64{}, urls: map[network.RequestID]string{}, enc: map[network.RequestID]string{}}
	if err := chromedp.Listen(bctx, net.event); err != nil {
		return err
	}
	setup := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
			return err
		}
		_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: "globalThis.maillabBench = {flush: [], render: []}"})
		return err
	})
	if err := chromedp.Do(bctx, setup); err != nil {
		return err
	}

	var r report
	r.f("maillab page benchmark, %s", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	if v, err := exec.Command("go", "version").Output(); err == nil {
		r.f("%s", strings.TrimSpace(string(v)))
	}
	if p, err := headless.Path(); err == nil {
		if v, err := exec.Command(p, "--version").Output(); err == nil {
			r.f("%s, headless, loopback, cache off", strings.TrimSpace(string(v)))
		}
	}
	r.f("")

	// One warm-up load of each (the OS caches files, Chromium starts its
	// processes), then the transfer of a cold load of the lab.
	for _, u := range []string{base.URL + "/?warm", lab.URL + "/?warm#lang=en"} {
		if _, err := loadTime(bctx, u); err != nil {
			return fmt.Errorf("warm-up %s: %v (console: %q)", u, err, con.Problems())
		}
	}
	net.reset()
	if _, err := loadTime(bctx, lab.URL+"/?transfer#lang=en"); err != nil {
		return err
	}
	transfer(&r, net.snapshot(), lab.URL)
	if err := brotliSizes(&r, lab.URL); err != nil {
		return err
	}
	wasmBreakdown(&r, wasm, tmp)

	// Load times, alternating.
	var tl, tb []float64
	for i := 0; i < runs; i++ {
		b, err := loadTime(bctx, fmt.Sprintf("%s/?run=%d", base.URL, i))
		if err != nil {
			return err
		}
		l, err := loadTime(bctx, fmt.Sprintf("%s/?run=%d#lang=en", lab.URL, i))
		if err != nil {
			return err
		}
		tb, tl = append(tb, b), append(tl, l)
	}
	marks, err := chromedp.Run(bctx, chromedp.Evaluate[string](`performance.getEntriesByType("mark").map(m => m.name + " " + Math.round(m.startTime)).join("; ") + "; wasm response end " + Math.round((performance.getEntriesByType("resource").find(r => r.name.includes(".wasm")) || {}).responseEnd || 0)`))
	if err != nil {
		return err
	}
	ml, mb := median(tl), median(tb)
	r.f("Time from navigation to the first step being clickable (performance mark \"maillab-ready\"),")
	r.f("median of %d cold loads each, alternating:", runs)
	r.f("  %-34s %7.0f ms   (runs: %s)", "maillab (first lesson)", ml, list(tl))
	r.f("  %-34s %7.0f ms   (runs: %s)", "bare Go wasm hello-world page", mb, list(tb))
	r.f("  ratio %.2f of the medians, %.2f of the fastest runs (budget 1.5)", ml/mb, slices.Min(tl)/slices.Min(tb))
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		r.f("  (load average during the run: %s; the machine's other work makes single runs vary)", strings.Join(strings.Fields(string(load))[:3], " "))
	}
	r.f("  the lab's last load, ms after navigation: %s", marks)
	r.f("")

	if err := repaint(&r, bctx, lab.URL); err != nil {
		return err
	}
	if p := con.Problems(); len(p) > 0 {
		r.f("console problems: %q", p)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, r.Bytes(), 0o644); err != nil {
		return err
	}
	os.Stdout.Write(r.Bytes())
	return nil
}

// labPage returns the page's assets with the page program (and its
// brotli and gzip copies) and wasm_exec.js, and the program itself.
func labPage(wasmFile, tmp string) (fs.FS, []byte, error) {
	assets := web.Assets()
	extra := map[string][]byte{}
	var wasm []byte
	switch b, err := fs.ReadFile(assets, web.WasmName); {
	case wasmFile != "":
		if wasm, err = os.ReadFile(wasmFile); err != nil {
			return nil, nil, err
		}
	case err == nil && len(b) > 0:
		wasm = b
	default:
		if wasm, err = build("./wasm", filepath.Join(tmp, "maillab.wasm"), true); err != nil {
			return nil, nil, err
		}
	}
	if br, err := fs.ReadFile(assets, web.WasmName+".br"); err != nil || wasmFile != "" || !decodesTo(br, wasm) {
		fmt.Fprintln(os.Stderr, "pagebench: compressing the page program with brotli at quality 11 (as make build does)…")
		extra[web.WasmName+".br"] = web.Brotli(wasm, 11)
		extra[web.WasmName+".gz"] = web.Gzip(wasm)
	}
	extra[web.WasmName] = wasm
	if _, err := fs.Stat(assets, "wasm_exec.js"); err != nil {
		goroot, err := exec.Command("go", "env", "GOROOT").Output()
		if err != nil {
			return nil, nil, err
		}
		js, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
		if err != nil {
			return nil, nil, err
		}
		extra["wasm_exec.js"] = js
	}
	return overlay(assets, extra), wasm, nil
}

func decodesTo(br, raw []byte) bool {
	// The handler checks this too; here it decides whether to recompress.
	return len(br) > 0 && len(br) < len(raw)
}

// overlay copies fsys into a map file system with files replaced or added.
func overlay(fsys fs.FS, files map[string][]byte) fs.FS {
	m := fstest.MapFS{}
	fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	for k, v := range files {
		m[k] = &fstest.MapFile{Data: v}
	}
	return m
}

// build compiles a page program (stripped, as the Makefile builds it).
func build(pkg, out string, strip bool) ([]byte, error) {
	args := []string{"build", "-trimpath", "-o", out}
	if strip {
		args = append(args, "-ldflags=-s -w")
	}
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return os.ReadFile(out)
}

// loadTime navigates to url and returns the time of the page's
// "maillab-ready" mark, in milliseconds since navigation started.
func loadTime(ctx context.Context, url string) (float64, error) {
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		return 0, err
	}
	return chromedp.Run(ctx, chromedp.Poll[float64](`(() => { const m = performance.getEntriesByName("maillab-ready"); return m.length ? m[0].startTime : 0 })()`,
		chromedp.WithPollingTimeout(60*time.Second)))
}

// netLog records what the browser downloads.
type netLog struct {
	mu     sync.Mutex
	urls   map[network.RequestID]string
	enc    map[network.RequestID]string
	bodies map[network.RequestID]float64
	order  []network.RequestID
}

func (n *netLog) event(ev any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventResponseReceived:
		if e.Response == nil {
			return
		}
		n.urls[e.RequestID] = e.Response.URL
		n.order = append(n.order, e.RequestID)
		for k, v := range e.Response.Headers {
			if strings.EqualFold(k, "content-encoding") {
				n.enc[e.RequestID] = fmt.Sprint(v)
			}
		}
	case *network.EventLoadingFinished:
		n.bodies[e.RequestID] = e.EncodedDataLength
	}
}

func (n *netLog) reset() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.urls, n.enc, n.bodies, n.order = map[network.RequestID]string{}, map[network.RequestID]string{}, map[network.RequestID]float64{}, nil
}

type resource struct {
	url, enc string
	bytes    float64
}

func (n *netLog) snapshot() []resource {
	time.Sleep(300 * time.Millisecond) // the last loadingFinished events
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []resource
	for _, id := range n.order {
		out = append(out, resource{url: n.urls[id], enc: n.enc[id], bytes: n.bodies[id]})
	}
	return out
}

func transfer(r *report, res []resource, base string) {
	r.f("Bytes transferred before the first step can be taken (cold load of the first lesson, as Chromium")
	r.f("counts them: headers and bodies; Chromium chooses the encoding):")
	total := 0.0
	for _, x := range res {
		enc := x.enc
		if enc == "" {
			enc = "identity"
		}
		r.f("  %-44s %-8s %9.0f", strings.TrimPrefix(x.url, base), enc, x.bytes)
		total += x.bytes
	}
	r.f("  %-44s %-8s %9.0f  (%.2f MB)", "total", "", total, total/1e6)
	r.f("")
}

var assetRef = regexp.MustCompile(`(?:href|src|data-wasm)="([^"#]+)"`)

// brotliSizes fetches what the page loads before its first step with
// Accept-Encoding: br.
func brotliSizes(r *report, base string) error {
	get := func(path string, br bool) (int, string, error) {
		req, _ := http.NewRequest("GET", base+path, nil)
		if br {
			req.Header.Set("Accept-Encoding", "br")
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return len(b), string(b), err
	}
	_, index, err := get("/", false)
	if err != nil {
		return err
	}
	paths := []string{"/"}
	for _, m := range assetRef.FindAllStringSubmatch(index, -1) {
		if !strings.Contains(m[1], ":") && !slices.Contains(paths, "/"+m[1]) {
			paths = append(paths, "/"+m[1])
		}
	}
	paths = append(paths, "/course/index.json")
	r.f("The same resources with brotli (what `maillab serve` sends a browser that accepts br):")
	total := 0
	for _, p := range paths {
		n, _, err := get(p, true)
		if err != nil {
			return err
		}
		raw, _, _ := get(p, false)
		r.f("  %-44s %9d  (raw %d)", p, n, raw)
		total += n
	}
	r.f("  %-44s %9d  (%.2f MB; budget 1.2 MB)", "total", total, float64(total)/1e6)
	r.f("")
	return nil
}

// wasmBreakdown says where the page program's bytes go: a build with
// function names is split by package (code section); the data section
// holds strings, tables and the runtime's metadata.
func wasmBreakdown(r *report, wasm []byte, tmp string) {
	named, err := build("./wasm", filepath.Join(tmp, "named.wasm"), false)
	if err != nil {
		r.f("(no breakdown: %v)", err)
		return
	}
	secs, pkgs := analyze(named)
	br := len(web.Brotli(wasm, 11))
	r.f("The page program: %d bytes, %d with brotli (%.1f:1), %d with gzip.", len(wasm), br, float64(len(wasm))/float64(br), len(web.Gzip(wasm)))
	r.f("Sections (of a build that keeps function names): code %d, data %d.", secs["code"], secs["data"])
	r.f("Code by package group, raw bytes (brotli shrinks code about %.1f:1 overall):", float64(len(wasm))/float64(br))
	type kv struct {
		k string
		v int
	}
	var l []kv
	for k, v := range pkgs {
		l = append(l, kv{k, v})
	}
	sort.Slice(l, func(i, j int) bool { return l[i].v > l[j].v })
	for _, x := range l {
		if x.v < 20000 {
			continue
		}
		r.f("  %-40s %9d  ≈ %4.0f kB brotli", x.k, x.v, float64(x.v)*float64(br)/float64(len(wasm))/1000)
	}
	r.f("")
}

// repaint loads a long scenario and times steps and a fault re-run: the
// Go side of a repaint (the model, the views, the DOM writes), per the
// page's own flush timings.
func repaint(r *report, ctx context.Context, base string) error {
	src := `title: two messages, relayed, then read with POP3
client: smtplib
server: mail.example.com
servers:
  mail.example.com: {mydestination: [example.com], users: {alice: secret}, auth: required}
  mx.example.org: {mydestination: [example.org], users: {bob: secret}}
dns: {example.org: mx.example.org}
send:
  - {from: alice@example.com, to: [bob@example.org], subject: One, body: "Hello,\nthis is the first message.", auth: {user: alice, password: secret}}
  - {from: alice@example.com, to: [bob@example.org], subject: Two, body: "Hello again,\nthis is the second.", auth: {user: alice, password: secret}}
fetch: {server: mx.example.org, user: bob, password: secret, delete: true}
`
	st := app.State{Lang: app.LangEN, Lesson: "journey", Scenario: "journey", Source: src, Step: 150, Tab: app.TabSession}
	if _, err := loadTime(ctx, base+"/?repaint#"+st.Fragment()); err != nil {
		return err
	}
	total, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("ctl-position").textContent`))
	if err != nil {
		return err
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`maillabBench.flush = []; maillabBench.render = []; document.activeElement && document.activeElement.blur()`)); err != nil {
		return err
	}
	const steps = 40
	for i := 0; i < steps; i++ {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowRight)); err != nil {
			return err
		}
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.getElementById("ctl-position").textContent.startsWith("Step %d ")`, st.Step+steps), chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		return err
	}
	stepTimes, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`maillabBench.flush.slice()`))
	if err != nil {
		return err
	}
	// A fault re-run: 550 on the first RCPT.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`maillabBench.flush = []; document.querySelector('#transcript button[data-action="fault"][data-when^="RCPT"]').click()`)); err != nil {
		return err
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("fault-menu").open`)); err != nil {
		return err
	}
	// From the click to the first frame painted after the flush: a task
	// posted from the first animation frame callback after it runs once
	// that frame's style, layout and paint are done.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => {
		maillabBench.flush = []; maillabBench.render = []; maillabBench.painted = 0;
		const t0 = performance.now();
		const wait = () => requestAnimationFrame(() => {
			if (maillabBench.flush.length === 0) return wait();
			const ch = new MessageChannel();
			ch.port1.onmessage = () => { maillabBench.painted = performance.now() - t0 };
			ch.port2.postMessage(0);
		});
		document.querySelector('#fault-menu-body button[data-action="add-fault"]').click();
		wait();
	})()`)); err != nil {
		return err
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`maillabBench.painted > 0 && !document.getElementById("fault-menu").open`)); err != nil {
		return err
	}
	painted, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`maillabBench.painted`))
	if err != nil {
		return err
	}
	faultTimes, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`maillabBench.flush.slice()`))
	if err != nil {
		return err
	}
	faultRender, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`maillabBench.render.slice()`))
	if err != nil {
		return err
	}
	slices.Sort(stepTimes)
	r.f("Repaint of a long trace (%s, cursor near step 150; budget one frame, 16 ms).", total)
	r.f("Measured inside the page: model, views and DOM writes of one flush; layout and paint follow.")
	r.f("  one step (%d steps): median %.1f ms, 90th percentile %.1f ms, max %.1f ms", len(stepTimes), median(stepTimes), stepTimes[len(stepTimes)*9/10], stepTimes[len(stepTimes)-1])
	i := slices.Index(faultTimes, slices.Max(faultTimes))
	r.f("  a fault re-run (550 on a RCPT): %.1f ms, of which %.1f ms the run, the model and the views (the rest: DOM writes);", faultTimes[i], faultRender[min(i, len(faultRender)-1)])
	var flushed float64
	for _, f := range faultTimes {
		flushed += f
	}
	flushes := "flushes"
	if len(faultTimes) == 1 {
		flushes = "flush"
	}
	r.f("    from the click to the next frame painted after it: %.1f ms (%d %s, %.1f ms in all; the rest is the browser's", painted, len(faultTimes), flushes, flushed)
	r.f("    style, layout and paint of the rewritten rows, with the GPU off in headless Chromium, and the wait for a frame)")
	r.f("")
	return nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func list(xs []float64) string {
	var parts []string
	for _, x := range xs {
		parts = append(parts, fmt.Sprintf("%.0f", x))
	}
	return strings.Join(parts, " ")
}
