package web

import (
	"context"
	"io/fs"
	"maillab/web/headless"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/chromedp"

	"maillab/web/view"
)

// browser returns a chromedp context on headless Chromium, or skips the
// test when there is no browser, except in CI, where a missing browser is a
// failure (CI installs Debian's chromium).
func browser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	found := false
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if _, err := exec.LookPath(name); err == nil {
			found = true
		}
	}
	if !found {
		if os.Getenv("CI") != "" {
			t.Fatal("no Chromium in CI: install it (apt-get install -y chromium)")
		}
		t.Skip("no Chromium: apt-get install -y chromium")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	// Root (CI, containers) cannot use Chromium's sandbox.
	ctx, cancelBrowser := chromedp.NewContext(ctx, chromedp.WithAllocatorOptions(chromedp.NoSandbox))
	t.Cleanup(cancelBrowser)
	return ctx
}

// pageFS is the embedded page plus the two files the Makefile adds: a wasm
// program and the Go runtime's wasm_exec.js.
func pageFS(t *testing.T, wasm []byte) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := static.ReadFile(p)
		m[strings.TrimPrefix(p, "static/")] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	delete(m, WasmName)
	delete(m, WasmName+".br")
	delete(m, WasmName+".gz")
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		t.Fatal(err)
	}
	m["wasm_exec.js"] = &fstest.MapFile{Data: js}
	if wasm != nil {
		m[WasmName] = &fstest.MapFile{Data: wasm}
	}
	return m
}

// buildBootWasm compiles testdata/bootwasm, a minimal page program.
func buildBootWasm(t *testing.T) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "boot.wasm")
	cmd := exec.Command("go", "build", "-o", out, "./testdata/bootwasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the test wasm: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBrowserBoot loads the page in headless Chromium: boot.js downloads the
// wasm with a progress bar that reaches the end, the Go program starts and
// renders web/view's output, the CSP lets all of it run, and the console
// stays clean. Then the same page in Chinese, and a server without its wasm.
func TestBrowserBoot(t *testing.T) {
	ctx := browser(t)
	wasm := buildBootWasm(t)
	srv := newTestServer(t, Handler(Options{Static: pageFS(t, wasm)}))
	con := headless.Listen(ctx)

	if err := chromedp.Do(ctx, chromedp.Navigate(srv+"/")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.documentElement.dataset.ready === "1"`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the wasm did not start: %v; console: %q", err, con.Problems())
	}
	type state struct {
		BootHidden bool   `json:"bootHidden"`
		AppHidden  bool   `json:"appHidden"`
		Steps      int    `json:"steps"`
		Bytes      string `json:"bytes"`
		Value      int    `json:"value"`
		Max        int    `json:"max"`
		Lang       string `json:"lang"`
		Explain    string `json:"explain"`
	}
	const probe = `({
		bootHidden: document.getElementById("boot").hidden,
		appHidden: document.getElementById("app").hidden,
		steps: document.querySelectorAll("#seq [data-step]").length,
		bytes: document.getElementById("boot-bytes").textContent,
		value: document.getElementById("boot-progress").value,
		max: document.getElementById("boot-progress").max,
		lang: document.documentElement.lang,
		explain: document.getElementById("explain-body").textContent,
	})`
	st, err := chromedp.Run(ctx, chromedp.Evaluate[state](probe))
	if err != nil {
		t.Fatal(err)
	}
	if !st.BootHidden || st.AppHidden || st.Steps != 6 {
		t.Errorf("after start: %+v", st)
	}
	if st.Max != len(wasm) || st.Value != st.Max || !strings.Contains(st.Bytes, " of ") {
		t.Errorf("the progress bar did not count the whole download (%d bytes): %+v", len(wasm), st)
	}
	if !strings.Contains(st.Explain, "550") {
		t.Errorf("no explanation rendered: %q", st.Explain)
	}
	if e := con.Problems(); len(e) > 0 {
		t.Errorf("console errors: %q", e)
	}

	// The language comes from the link (the query makes it a new load, not
	// a jump within the page).
	if err := chromedp.Do(ctx, chromedp.Navigate(srv+"/?reload#lang=zh-CN")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.documentElement.dataset.ready === "1"`)); err != nil {
		t.Fatal(err)
	}
	step, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang + " " + document.getElementById("ctl-step").textContent + " " + document.querySelector("#seq svg").getAttribute("aria-label")`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "zh-CN " + view.T("zh", "ctl.step") + " " + view.T("zh", "seq.title"); !strings.HasPrefix(step, want) {
		t.Errorf("in Chinese: %q, want prefix %q", step, want)
	}
	if e := con.Problems(); len(e) > 0 {
		t.Errorf("console errors: %q", e)
	}

	// Without its wasm, the page says what is wrong.
	bare := newTestServer(t, Handler(Options{Static: pageFS(t, nil)}))
	if err := chromedp.Do(ctx, chromedp.Navigate(bare+"/#lang=en")); err != nil {
		t.Fatal(err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Poll[string](`!document.getElementById("boot-error").hidden && document.getElementById("boot-error-text").textContent`))
	if err != nil {
		t.Fatal(err)
	}
	if msg != view.T("en", "boot.missing") {
		t.Errorf("missing wasm: %q", msg)
	}
}
