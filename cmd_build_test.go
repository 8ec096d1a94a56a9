package main

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"maillab/web"
)

// TestBuildWritesASiteAnyHostServes writes the lab as a static site and
// opens it in Chromium from a plain file server (http.FileServer: no
// maillab code, no special headers), as a department's web host would.
func TestBuildWritesASiteAnyHostServes(t *testing.T) {
	wasm, err := pageProgram()
	if err != nil {
		t.Fatal(err)
	}
	assets := fstest.MapFS{}
	fs.WalkDir(web.Assets(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(p, web.WasmName) {
			b, _ := fs.ReadFile(web.Assets(), p)
			assets[p] = &fstest.MapFile{Data: b}
		}
		return nil
	})
	goroot, _ := exec.Command("go", "env", "GOROOT").Output()
	js, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		t.Fatal(err)
	}
	assets["wasm_exec.js"] = &fstest.MapFile{Data: js}

	dir := t.TempDir()
	files, err := web.WriteSite(dir, web.Options{Wasm: wasm, Static: assets})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"index.html", "course/index.json", "_headers"} {
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			t.Errorf("the site lacks %s (wrote %v)", want, files)
		}
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()

	b := openBrowser(t)
	b.open(srv.URL + "/")
	before := b.position()
	b.click("#ctl-step")
	if after := b.position(); after == before {
		t.Errorf("stepping in the static site did nothing: %q", after)
	}
	if title := str(b, `document.querySelector("h1") ? document.querySelector("h1").textContent : ""`); title == "" {
		t.Error("no lesson on the page")
	}
	b.clean()
}

func TestBuildRefusesBrokenLessons(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "en"), 0o755)
	os.WriteFile(filepath.Join(dir, "en", "01-x.md"), []byte("---\nid: x\ntitle: X\nlang: en\norder: 1\n---\n\n```scenario\nclient: nobody\n```\n"), 0o644)
	_, errOut, code := runMaillab(t, "build", "--lessons", dir, "-o", t.TempDir())
	if code != 1 || !strings.Contains(errOut, "01-x.md:") {
		t.Errorf("exit %d, stderr %q: want 1 and the problem with its file", code, errOut)
	}
}
