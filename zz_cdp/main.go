package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/chromedp/chromedp"
)

func main() {
	url := os.Args[1]
	dir, _ := os.MkdirTemp("", "cdp")
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath("/usr/lib/chromium/chromium"), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.UserDataDir(dir),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.WindowSize(1400, 1000)}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel2 := chromedp.NewContext(actx)
	defer cancel2()
	ctx, cancel3 := context.WithTimeout(ctx, 60*time.Second)
	defer cancel3()
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			fmt.Println("CONSOLE", m.Type, m.String(), m.URL)
		}
	}()
	t0 := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		fmt.Println("nav", err)
	}
	v, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.documentElement.dataset.ready === "1"`, chromedp.WithPollingTimeout(30*time.Second)))
	fmt.Println("ready", v, err, time.Since(t0))
	for _, js := range os.Args[2:] {
		r, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
		fmt.Println("EVAL", js, "=>", r, err)
		time.Sleep(300 * time.Millisecond)
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err == nil {
		os.WriteFile("/tmp/shot.png", shot, 0o644)
	}
	time.Sleep(500 * time.Millisecond)
}
