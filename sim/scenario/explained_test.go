package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"maillab/sim/explain"
	"maillab/sim/trace"
)

// TestEveryReplyIsExplained: every reply the engine sends in the golden
// scenarios and the profile matrix has its own explanation (not the
// fallback for codes RFC 5321 does not define) in English and Chinese, with
// what the client does next and an RFC section with a link.
func TestEveryReplyIsExplained(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.yaml")
	seen := map[string]bool{}
	for _, file := range files {
		src, _ := os.ReadFile(file)
		spec, err := Parse(file, src)
		if err != nil {
			t.Fatal(err)
		}
		tr, _ := Run(spec)
		for _, st := range tr.Steps {
			if st.Kind != trace.Reply || st.More {
				continue
			}
			key := st.Proto + " " + st.Text[:min(len(st.Text), 9)] + " " + st.ReplyTo
			if seen[key] {
				continue
			}
			seen[key] = true
			for _, lang := range []string{"en", "zh"} {
				var e explain.Entry
				if st.Proto == "pop3" {
					e = explain.POP3(lang, st.Status, st.RespCode, st.ReplyTo)
				} else {
					e = explain.SMTP(lang, st.Code, st.Enhanced, st.ReplyTo)
					if strings.Contains(e.Summary, "not defined in RFC 5321") || strings.Contains(e.Summary, "RFC 5321 未定义") {
						t.Errorf("%s: %q (to %s) gets only the fallback explanation", file, st.Text, st.ReplyTo)
					}
				}
				if e.Summary == "" || e.Next == "" || e.RFC == "" || explain.RFCURL(e.RFC) == "" {
					t.Errorf("%s %s: %q (to %s): incomplete explanation %+v", file, lang, st.Text, st.ReplyTo, e)
				}
			}
		}
	}
	if len(seen) < 20 {
		t.Fatalf("only %d distinct replies seen", len(seen))
	}
}
