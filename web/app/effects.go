package app

import (
	"strings"
	"time"
)

// Patch is one change to the page: the model says what each element must
// hold, the wasm glue writes it (and skips a write whose value has not
// changed since the last one). Element IDs are those of web/static/
// index.html, and those the model writes into the lesson's HTML.
type Patch struct {
	ID string // the element's id; Root is <html>
	// Attr is what to set: HTML (innerHTML), Text (textContent), Value
	// (the value property of a form field), or an attribute name.
	Attr  string
	Value string
	Del   bool // remove the attribute instead
	// Lines, for an HTML patch, are its content line by line (Value is
	// then empty): an opening tag, one child element per line, the closing
	// tag. The page updates such a panel line by line.
	Lines []string
}

// Content is a patch's value, its Lines joined if it has them.
func (p Patch) Content() string {
	if p.Lines == nil {
		return p.Value
	}
	return strings.Join(p.Lines, "\n") + "\n"
}

// Special values of Patch.ID and Patch.Attr.
const (
	Root  = ":root"
	HTML  = ":html"
	Text  = ":text"
	Value = ":value"
)

// Cmd is something the model needs the browser to do; the glue does it
// and posts the outcome back as a call on the model (IndexLoaded,
// DocLoaded, CopyDone …).
type Cmd struct {
	Kind   CmdKind
	Method string        // Request: GET, POST, DELETE
	Path   string        // Fetch, Request, Stream: the URL, relative to the page
	Key    string        // Save: the localStorage key; Dialog: the dialog's id
	Text   string        // Save: the value; Copy and Download: the text; Request: the JSON body
	Name   string        // Download: the file name
	Type   string        // Download: the MIME type
	Line   int           // SelectLine: the line (1-based)
	Col    int           // SelectLine: the column (1-based)
	Open   bool          // Dialog: open (showModal) or close
	URL    string        // SetURL: the fragment, without "#"
	Wait   time.Duration // Poll: when to call Poll again; Stream: when to open it
	Token  string        // Request: sent as "Authorization: Bearer Token" (serve --fault-token)
}

// CmdKind says what a Cmd asks for.
type CmdKind int

const (
	Fetch      CmdKind = iota // GET Path; answer with FetchDone
	Save                      // localStorage[Key] = Text
	Copy                      // put Text on the clipboard; answer with CopyDone
	Download                  // save Text as a file called Name
	Dialog                    // open or close the <dialog> Key
	SelectLine                // put the editor's caret at Line:Col and focus it
	SetURL                    // history.replaceState to #URL
	Poll                      // call Poll after Wait
	Focus                     // focus the element Key
	Later                     // render again soon (after the browser has painted)
	// Request sends Method to Path (with Text as a JSON body, if any) and
	// answers with RequestDone, whatever the status.
	Request
	// Stream opens the event stream at Path (after Wait), closing the one
	// open before; its events go to StreamOpened, StreamEvent and
	// StreamError.
	Stream
)
