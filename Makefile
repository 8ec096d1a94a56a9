# maillab — a teaching lab for SMTP and POP3.
#   make run    build the lab and serve it (prints the address)
#   make test   every test: vet, gofmt, unit and golden tests, wasm under Node, browser and interop tests
#   make bench  the benchmark reports (bench/sim.txt, bench/native.md, bench/web.txt, bench/page.txt)
#   make fuzz   every fuzz target for a bounded time

GO       ?= go
GOROOT   := $(shell $(GO) env GOROOT)
# go test for GOOS=js runs the test binary through go_js_wasm_exec, which lives here.
export PATH := $(GOROOT)/lib/wasm:$(PATH)
FUZZTIME ?= 15s
HTTP     ?= 127.0.0.1:8080

WASM_SRC := $(shell find sim lessons web wasm -name '*.go' -not -name '*_test.go' 2>/dev/null) go.mod go.sum
LESSONS  := $(shell find lessons -name '*.md' -o -name '*.yaml' 2>/dev/null)

.PHONY: build run test bench fuzz clean wasm

build: bin/maillab

wasm: web/static/maillab.wasm web/static/wasm_exec.js

# The page's wasm and wasm_exec.js are embedded in the binary (go:embed).
bin/maillab: wasm $(shell find . -name '*.go' -not -name '*_test.go') $(LESSONS)
	$(GO) build -trimpath -o $@ .

# The page program, and its brotli (quality 11) and gzip copies, which
# maillab serve sends as they are (compressing 10 MB at quality 11 takes
# some 20 s: it belongs in the build, not in every start of the server).
web/static/maillab.wasm: $(WASM_SRC)
	@mkdir -p web/static
	@if [ -f wasm/main.go ]; then \
		echo "GOOS=js GOARCH=wasm $(GO) build -o $@ ./wasm"; \
		GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o $@ ./wasm && \
		echo "$(GO) run ./web/precompress $@" && \
		$(GO) run ./web/precompress $@; \
	else touch $@; fi

# Copied from the Go installation: nothing is downloaded at build time.
web/static/wasm_exec.js: $(GOROOT)/lib/wasm/wasm_exec.js
	@mkdir -p web/static
	cp $< $@

run: build
	./bin/maillab serve --http $(HTTP)

test: build
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) test -count=1 ./...
	GOOS=js GOARCH=wasm $(GO) test -count=1 ./sim/... $$(test -d wasm && echo ./wasm/...)

# bench/native.md: native mode against Postfix's smtp-sink, go-smtp and
# Dovecot, driven by smtp-source (installs postfix and dovecot-pop3d when run
# as root with apt-get; reports what is missing otherwise).
# bench/page.txt: the page in headless Chromium: bytes before the first step
# (brotli), load time against a bare Go wasm page, repaint times.
bench: build
	@mkdir -p bench
	$(GO) test -run '^$$' -bench . -benchmem -count 3 ./sim/... | tee bench/sim.txt
	$(GO) run ./sim/native/nativebench -out bench/native.md -maillab bin/maillab
	$(GO) test -run '^$$' -bench . -benchmem -count 3 ./web/view ./web/app | tee bench/web.txt
	$(GO) run ./web/pagebench -out bench/page.txt
	@echo "reports: bench/sim.txt bench/native.md bench/web.txt bench/page.txt"

# Every Fuzz target in the module, each for FUZZTIME.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$t"; \
			$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

clean:
	rm -rf bin web/static/maillab.wasm web/static/maillab.wasm.br web/static/maillab.wasm.gz web/static/wasm_exec.js
