package pop3

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"maillab/sim/machine"
)

var update = flag.Bool("update", false, "rewrite the transcripts under testdata/ from what the machines do now")

// TestTranscripts runs every testdata/*.txt archive, one subtest each.
//
// A -- script -- section drives server sessions. Input lines:
//
//	> connect NAME       open a session (Start: the greeting); it becomes current
//	> use NAME           make another open session current
//	C: LINE              the client sends LINE + CRLF
//	> feed "GO STRING"   send raw bytes (pipelining, bare LF, long lines)
//	> lost | > timeout | > tlsready   the connection drops / autologout / handshake done
//	> advance 10m        move the virtual clock
//	> maildrop USER      show what the store holds for USER
//	# …                  a comment
//
// Every other line is output and is regenerated: S: lines the server sent,
// [state], [store], [note], [wait], [action], [log], [fault] and, for
// "> feed", [recv] lines showing how the server framed the bytes. The test
// fails when the regenerated script differs; -update writes it back.
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var got []byte
			var section string
			switch {
			case findSection(ar, "script") != nil:
				section = "script"
				got = runScript(t, file, ar)
			case findSection(ar, "client") != nil:
				section = "transcript"
				got = runPump(t, ar)
			default:
				t.Fatalf("%s: no script or client section", file)
			}
			want := findSection(ar, section)
			if want != nil && bytes.Equal(want.Data, got) {
				return
			}
			if *update {
				if want == nil {
					ar.Files = append(ar.Files, txtar.File{Name: section})
					want = &ar.Files[len(ar.Files)-1]
				}
				want.Data = got
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			var wantData []byte
			if want != nil {
				wantData = want.Data
			}
			t.Errorf("%s: %s differs (run go test -update and review the diff):\n%s", file, section, lineDiff(string(wantData), string(got)))
		})
	}
}

func findSection(ar *txtar.Archive, name string) *txtar.File {
	for i := range ar.Files {
		if ar.Files[i].Name == name {
			return &ar.Files[i]
		}
	}
	return nil
}

// runScript plays a script section and returns it regenerated.
func runScript(t *testing.T, file string, ar *txtar.Archive) []byte {
	w := newWorld(t, ar)
	sessions := map[string]*Server{}
	var cur *Server
	curName := ""
	now := start
	var out []string
	var r renderer
	emit := func(evs []machine.Event, sent string, raw bool) {
		for _, e := range evs {
			checkServerEvent(t, file+": "+curName, e)
			if sent != "" && e.Received && e.Step.Text != sent {
				t.Errorf("%s: server received %q, client sent %q", file, e.Step.Text, sent)
			}
			if e.Action == machine.Wait {
				now = now.Add(e.Delay)
			}
			out = append(out, r.render("", e, raw)...)
		}
	}
	lines := strings.Split(strings.TrimSuffix(string(findSection(ar, "script").Data), "\n"), "\n")
	for n, line := range lines {
		where := file + ": script:" + strconv.Itoa(n+1)
		switch {
		case strings.HasPrefix(line, "C: "):
			out = append(out, line)
			if cur == nil {
				t.Fatalf("%s: no session: start with > connect NAME", where)
			}
			text := strings.TrimPrefix(line, "C: ")
			emit(cur.Feed(now, []byte(text+"\r\n")), text, false)
		case strings.HasPrefix(line, "> "):
			out = append(out, line)
			cmd, arg, _ := strings.Cut(strings.TrimPrefix(line, "> "), " ")
			if cmd != "connect" && cmd != "advance" && cmd != "maildrop" && cur == nil {
				t.Fatalf("%s: no session: start with > connect NAME", where)
			}
			switch cmd {
			case "connect":
				cfg := w.cfg
				cfg.Conn = len(sessions) + 1
				cur, curName = NewServer(cfg), arg
				sessions[arg] = cur
				emit(cur.Start(now), "", false)
			case "use":
				cur, curName = sessions[arg], arg
				if cur == nil {
					t.Fatalf("%s: no session %q", where, arg)
				}
			case "feed":
				b, err := strconv.Unquote(arg)
				if err != nil {
					t.Fatalf("%s: feed wants a Go string: %v", where, err)
				}
				emit(cur.Feed(now, []byte(b)), "", true)
			case "lost":
				emit(cur.Lost(now), "", false)
			case "timeout":
				emit(cur.Timeout(now), "", false)
			case "tlsready":
				emit(cur.TLSReady(now), "", false)
			case "advance":
				d, err := time.ParseDuration(arg)
				if err != nil {
					t.Fatalf("%s: %v", where, err)
				}
				now = now.Add(d)
			case "maildrop":
				out = append(out, w.maildropLine(arg))
			default:
				t.Fatalf("%s: unknown directive %q", where, cmd)
			}
		case strings.HasPrefix(line, "#"), line == "":
			out = append(out, line)
		}
		// Anything else is old output: dropped and regenerated.
	}
	return []byte(strings.Join(out, "\n") + "\n")
}

// lineDiff shows the first lines where two texts differ, with context.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	var b strings.Builder
	from := max(0, i-3)
	for j := from; j < i; j++ {
		b.WriteString("  " + w[j] + "\n")
	}
	for j := i; j < min(len(w), i+8); j++ {
		b.WriteString("- " + w[j] + "\n")
	}
	for j := i; j < min(len(g), i+8); j++ {
		b.WriteString("+ " + g[j] + "\n")
	}
	return b.String()
}
