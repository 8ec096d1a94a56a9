package main

import (
	"context"
	"errors"
)

// nativeRuntime is what native mode gives the page: the live sessions and
// the fault rules. (Native mode is being written; see sim/native.)
type nativeRuntime struct{}

// startNative starts the real SMTP and POP3 servers the flags ask for.
func startNative(ctx context.Context, o serveOptions) (*nativeRuntime, error) {
	if o.SMTP == "" && o.POP3 == "" && o.SMTPS == "" && o.POP3S == "" {
		return nil, nil
	}
	return nil, errors.New("native mode is not built yet")
}
