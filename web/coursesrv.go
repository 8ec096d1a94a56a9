package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"maillab/lessons"
	"maillab/web/course"
)

// courseServer serves a course as the JSON documents of package
// web/course: course/index.json, course/LANG/ID.json, and the course's
// pictures under course/files/. The built-in course is built once, on
// the first request; a watched folder is built again whenever one of its
// files changes (checked when the page asks for the index, which it polls).
type courseServer struct {
	fsys  fs.FS
	watch bool
	logf  func(string, ...any)

	mu      sync.Mutex
	built   map[string]*asset // path under course/ → asset
	sig     string            // the files' names, sizes and times when built
	checked time.Time         // when sig was last compared with the folder
}

// watchEvery is how often, at most, a watched folder is looked at again.
const watchEvery = 300 * time.Millisecond

func newCourseServer(fsys fs.FS, watch bool, logf func(string, ...any)) *courseServer {
	if fsys == nil {
		fsys, watch = lessons.Builtin, false
	}
	return &courseServer{fsys: fsys, watch: watch, logf: logf}
}

// asset returns the asset at p (a path under course/), or nil.
func (c *courseServer) asset(p string) *asset {
	if strings.HasPrefix(p, "files/") {
		return c.file(strings.TrimPrefix(p, "files/"))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.built == nil || (c.watch && p == "index.json" && time.Since(c.checked) >= watchEvery) {
		sig := ""
		if c.watch {
			sig = signature(c.fsys)
			c.checked = time.Now()
		}
		if c.built == nil || sig != c.sig {
			c.build()
			c.sig = sig
		}
	}
	return c.built[p]
}

// build reads the whole course again. Called with c.mu held.
func (c *courseServer) build() {
	start := time.Now()
	idx, docs := course.Build(c.fsys, c.watch)
	built := map[string]*asset{}
	add := func(name string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			c.logf("web: course: %s: %v", name, err)
			return
		}
		built[name] = jsonAsset(name, b)
	}
	add("index.json", idx)
	for p, d := range docs {
		add(strings.TrimPrefix(p, "course/"), d)
	}
	c.built = built
	if c.watch {
		c.logf("maillab: read the course (%d lessons, %d problems) in %v", len(idx.Lessons), len(idx.Problems), time.Since(start).Round(time.Millisecond))
	}
}

// jsonAsset is a course document ready to serve; it is compressed when a
// request first asks for it compressed (a course has dozens of documents
// and a student reads a few).
func jsonAsset(name string, b []byte) *asset {
	sum := sha256.Sum256(b)
	a := &asset{name: name, ctype: "application/json", raw: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	if len(b) >= minCompress {
		a.br = sync.OnceValue(func() []byte { return Brotli(b, 9) })
		a.gz = sync.OnceValue(func() []byte { return Gzip(b) })
	}
	return a
}

// pictureTypes are the files of a course folder that are served: what a
// lesson can show with ![alt](file).
var pictureTypes = map[string]string{
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".svg": "image/svg+xml", ".webp": "image/webp",
}

// file serves a picture of the course folder. fs.ValidPath refuses "..",
// and only pictures are served: the lessons' sources are not needed.
func (c *courseServer) file(p string) *asset {
	ctype, ok := pictureTypes[strings.ToLower(path.Ext(p))]
	if !ok || !fs.ValidPath(p) {
		return nil
	}
	b, err := fs.ReadFile(c.fsys, p)
	if err != nil {
		return nil
	}
	sum := sha256.Sum256(b)
	return &asset{name: p, ctype: ctype, raw: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
}

// signature lists every file of the folder with its size and time, so a
// change anywhere (a lesson saved, a picture added, a file removed) shows.
func signature(fsys fs.FS) string {
	var lines []string
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if strings.HasPrefix(path.Base(p), ".") {
			return nil // editors' swap and lock files
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		lines = append(lines, p+" "+strconv.FormatInt(info.Size(), 10)+" "+strconv.FormatInt(info.ModTime().UnixNano(), 10))
		return nil
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
