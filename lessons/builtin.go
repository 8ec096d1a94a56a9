//go:build !js

package lessons

import (
	"embed"
	"io/fs"
)

// The built-in course is embedded in the maillab command only: the page
// gets its lessons from the server as JSON (web/course), so the wasm does
// not carry the markdown (about 68 KB brotli).

//go:embed en zh course.yaml
var builtin embed.FS

// Builtin is the course that ships with maillab: en/*.md, zh/*.md and
// course.yaml.
var Builtin fs.FS = builtin
