package web

import (
	"fmt"
	"os"
	"path/filepath"
)

// Precompress writes name.br (brotli, quality 11) and name.gz (gzip, best)
// beside each named file, for the Makefile to run after building the wasm:
// quality 11 is too slow to run at every start of `maillab serve`, and it
// is what keeps the page's first download small. Handler uses these files
// only if they decode to exactly their source, so a stale one is harmless.
func Precompress(paths ...string) error {
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for ext, b := range map[string][]byte{".br": Brotli(raw, 11), ".gz": Gzip(raw)} {
			if err := writeAtomic(p+ext, b); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeAtomic writes through a temporary file and a rename, so that an
// interrupted build never leaves a truncated .br for go:embed to pick up.
func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".precompress-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("precompress: %w", err)
	}
	return nil
}
