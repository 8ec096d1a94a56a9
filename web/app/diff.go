package app

import "strings"

// Lines splits a panel's HTML (for a patch without Lines) as web/view writes the sequence diagram and
// the transcript: an opening tag on the first line, one child element per
// line, the closing tag on the last. ok is false for anything else.
func Lines(html string) (open string, children []string, ok bool) {
	lines := strings.Split(strings.TrimSuffix(html, "\n"), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "<") || !strings.HasPrefix(lines[len(lines)-1], "</") {
		return "", nil, false
	}
	for _, l := range lines[1 : len(lines)-1] {
		if !strings.HasPrefix(l, "<") {
			return "", nil, false
		}
	}
	return lines[0], lines[1 : len(lines)-1], true
}

// DiffLines matches the children of a new rendering of a panel with the
// old one, so the page can update only what changed: keep[i] is the index
// of the old child that new child i is (the same line), or -1 for a child
// to insert. Old children not kept are removed. Matches keep their order.
//
// A step of the cursor changes a handful of lines of a diagram of
// hundreds (the new step, the previous current one, the bands and the
// footer), so most lines match; greedy matching in order finds them, and
// a line repeated in the old rendering is matched at its next occurrence.
func DiffLines(old, new []string) (keep []int) {
	at := make(map[string][]int, len(old))
	for i, l := range old {
		at[l] = append(at[l], i)
	}
	keep = make([]int, len(new))
	last := -1
	for i, l := range new {
		keep[i] = -1
		idx := at[l]
		for len(idx) > 0 && idx[0] <= last {
			idx = idx[1:]
		}
		if len(idx) > 0 {
			keep[i], last = idx[0], idx[0]
			at[l] = idx[1:]
		}
	}
	return keep
}

// Attrs reads the attributes of an opening tag written by web/view (every
// value double-quoted and escaped), unescaped.
func Attrs(tag string) map[string]string {
	out := map[string]string{}
	tag = strings.TrimPrefix(tag, "<")
	if i := strings.IndexAny(tag, " >"); i >= 0 {
		tag = tag[i:]
	}
	for {
		eq := strings.Index(tag, `="`)
		if eq < 0 {
			return out
		}
		name := strings.TrimSpace(tag[:eq])
		rest := tag[eq+2:]
		end := strings.IndexByte(rest, '"')
		if end < 0 {
			return out
		}
		out[name] = unescape(rest[:end])
		tag = rest[end+1:]
	}
}

var unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&quot;", `"`, "&amp;", "&")

func unescape(s string) string { return unescaper.Replace(s) }
