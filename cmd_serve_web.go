package main

import (
	"errors"
	"net/http"
)

// httpHandler builds the page's handler. (The page is being written; see web/.)
func httpHandler(o serveOptions, live *nativeRuntime) (http.Handler, error) {
	return nil, errors.New("the page is not built yet")
}
