package main

import "testing"

func TestGroup(t *testing.T) {
	for fn, want := range map[string]string{
		"maillab_sim_smtp.__Server_.authStart":             "maillab/sim/smtp",
		"github.com_goccy_go_yaml_token.init":              "github.com/goccy/go-yaml",
		"github.com_yuin_goldmark_util.init":               "github.com/yuin/goldmark",
		"github.com_hack_pad_safejs_internal_stackerr.New": "github.com/hack-pad/safejs",
		"github.com_chromedp_cdproto_cdp.x":                "github.com/chromedp/cdproto",
		"runtime.mallocgc":                                 "runtime and internal/*",
		"internal_runtime_maps.__Map_.Get":                 "runtime and internal/*",
		"encoding_json.Unmarshal":                          "encoding/json",
		"crypto_internal_fips140_aes.New":                  "crypto/*",
		"":                                                 "(unnamed)",
	} {
		if got := group(fn); got != want {
			t.Errorf("group(%q) = %q, want %q", fn, got, want)
		}
	}
}
