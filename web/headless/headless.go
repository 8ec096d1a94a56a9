// Package headless starts the Chromium the machine has, headless, for the
// browser tests and the page benchmark. Nothing is downloaded: the
// browser is Debian's chromium package (`apt-get install -y chromium`,
// which .ci/run does), found at its usual places.
package headless

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"sync"

	"github.com/chromedp/chromedp"
)

// ErrNoBrowser says no Chromium was found.
var ErrNoBrowser = errors.New("no Chromium on this machine: apt-get install -y chromium")

// Path returns the Chromium executable: the binary Debian installs behind
// its /usr/bin/chromium wrapper script, else whatever of the usual names is
// in PATH.
func Path() (string, error) {
	for _, p := range []string{"/usr/lib/chromium/chromium", "/usr/lib/chromium-browser/chromium-browser"} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoBrowser
}

// Start starts a headless Chromium with a fresh profile (removed when the
// returned cancel is called) and returns a chromedp context on its first
// tab.
func Start(parent context.Context) (context.Context, context.CancelFunc, error) {
	path, err := Path()
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "maillab-chromium-")
	if err != nil {
		return nil, nil, err
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // root in containers and CI cannot use the sandbox
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(dir),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(parent, opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	var once sync.Once
	cancel := func() {
		once.Do(func() {
			cancelCtx()
			cancelAlloc()
			os.RemoveAll(dir)
		})
	}
	if err := chromedp.Do(ctx); err != nil { // start the browser now
		cancel()
		return nil, nil, err
	}
	return ctx, cancel, nil
}

// Console collects what a page writes to its console.
type Console struct {
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
}

// Listen starts collecting the console of ctx's tab.
func Listen(ctx context.Context) *Console {
	c := &Console{}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			c.mu.Lock()
			c.msgs = append(c.msgs, m)
			c.mu.Unlock()
		}
	}()
	return c
}

// Problems returns the errors, warnings and uncaught exceptions so far.
func (c *Console) Problems() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, m := range c.msgs {
		if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning || m.IsException() {
			out = append(out, m.String()+" ("+m.URL+")")
		}
	}
	return out
}
