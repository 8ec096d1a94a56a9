//go:build !js

// Command nativebench measures native mode against the servers people
// trust and writes bench/native.md (`make bench` runs it):
//
//   - SMTP throughput, all servers driven by Postfix's smtp-source over
//     loopback (20 sessions, 1 KB messages, with and without connection
//     reuse -d): Postfix's smtp-sink, a minimal github.com/emersion/go-smtp
//     server, and maillab with an in-memory store and with the durable
//     Maildir. The runs are alternated A B C D A B C D.
//   - POP3 retrieval throughput of maillab and Dovecot over the same
//     Maildir, driven by a small POP3 client here.
//   - 10,000 idle connections held by `maillab serve`: memory per
//     connection.
//
// It installs what it needs when it can (root and apt-get: postfix and
// dovecot-pop3d, with services kept from starting), otherwise the report
// says what is missing and the program still succeeds. It never leaves a
// server running: the servers it starts die with it (Pdeathsig on Linux)
// and are stopped before it exits.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"maillab/sim/mailstore"
	"maillab/sim/native"
	"maillab/sim/smtp"
)

var (
	outPath  = flag.String("out", "bench/native.md", "where to write the report")
	binPath  = flag.String("maillab", "bin/maillab", "the maillab binary (for the idle-connection test)")
	rounds   = flag.Int("rounds", 3, "alternated rounds of each measurement")
	msgs     = flag.Int("msgs", 5000, "messages per smtp-source run")
	sessions = flag.Int("sessions", 20, "parallel SMTP sessions (smtp-source -s)")
	size     = flag.Int("size", 1024, "message payload in octets (smtp-source -l)")
	idle     = flag.Int("idle", 10000, "idle connections to hold; 0 = skip")
	install  = flag.Bool("install", true, "install postfix and dovecot-pop3d with apt-get when missing (root only)")
	only     = flag.String("only", "", "measure only this part: smtp, pop3 or idle")
	cpuprof  = flag.String("cpuprofile", "", "write a CPU profile of this process (the in-process servers) here")
	servers  = flag.String("servers", "", "measure only the SMTP servers whose name contains this")
	memprof  = flag.String("memprofile", "", "write an allocation profile of this process here at the end")
	modeOnly = flag.String("mode", "", "run only this SMTP mode: new or reuse")
)

// report collects the sections of bench/native.md.
type report struct {
	bytes.Buffer
	missing []string
	failed  []string
}

func (r *report) printf(format string, args ...any) { fmt.Fprintf(r, format, args...) }

func main() {
	flag.Parse()
	r := &report{}
	tools := findTools()
	if *install && (tools.source == "" || tools.sink == "" || tools.dovecot == "") {
		installPackages(r)
		tools = findTools()
	}
	if tools.source == "" || tools.sink == "" {
		r.missing = append(r.missing, "postfix (smtp-source, smtp-sink): the SMTP comparison is skipped")
	}
	if tools.dovecot == "" {
		r.missing = append(r.missing, "dovecot-pop3d (dovecot): the POP3 comparison is skipped")
	}
	r.printf("# Native mode benchmark\n\n")
	r.printf("Written by `make bench` (`go run ./sim/native/nativebench`) on %s: %d CPUs, Linux %s, %s; %s; %s.\n\n",
		time.Now().Format("2006-01-02 15:04"), runtime.NumCPU(), kernel(), runtime.Version(), tools.postfixVersion, tools.dovecotVersion)
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		r.printf("Load average when it started: %s (other work on the machine slows every server alike; the alternation below spreads it).\n\n", strings.Join(strings.Fields(string(b))[:3], " "))
	}
	r.printf("All numbers come from this one run; ratios compare medians of rounds that were alternated (A B C D, A B C D …) so that a slow moment of the machine hits every server.\n\n")

	if *cpuprof != "" {
		if f, err := os.Create(*cpuprof); err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	if tools.source != "" && (*only == "" || *only == "smtp") {
		smtpBench(r, tools)
	}
	if tools.dovecot != "" && (*only == "" || *only == "pop3") {
		pop3Bench(r, tools)
	}
	if *idle > 0 && (*only == "" || *only == "idle") {
		idleBench(r)
	}
	if *memprof != "" {
		if f, err := os.Create(*memprof); err == nil {
			pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	if len(r.missing) > 0 {
		r.printf("## Not measured\n\n")
		for _, m := range r.missing {
			r.printf("- %s\n", m)
		}
		r.printf("\n")
	}
	if len(r.failed) > 0 {
		r.printf("## Failures\n\n")
		for _, f := range r.failed {
			r.printf("- %s\n", f)
		}
		r.printf("\n")
	}
	if err := os.MkdirAll(filepath.Dir(*outPath), 0o755); err == nil {
		err = os.WriteFile(*outPath, r.Bytes(), 0o644)
		if err != nil {
			fmt.Fprintln(os.Stderr, "nativebench:", err)
		}
	}
	os.Stdout.Write(r.Bytes())
	fmt.Printf("report: %s\n", *outPath)
	if len(r.failed) > 0 {
		pprof.StopCPUProfile()
		os.Exit(1) // maillab misbehaved: that is not a missing package
	}
}

// --- tools ---

type tools struct {
	source, sink, dovecot          string
	postfixVersion, dovecotVersion string
}

func lookPath(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/sbin"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

func findTools() tools {
	t := tools{source: lookPath("smtp-source"), sink: lookPath("smtp-sink"), dovecot: lookPath("dovecot"),
		postfixVersion: "Postfix not installed", dovecotVersion: "Dovecot not installed"}
	if pc := lookPath("postconf"); pc != "" && t.source != "" {
		if out, err := exec.Command(pc, "-d", "mail_version").Output(); err == nil {
			t.postfixVersion = "Postfix " + strings.TrimSpace(strings.TrimPrefix(string(out), "mail_version ="))
		}
	}
	if t.dovecot != "" {
		if out, err := exec.Command(t.dovecot, "--version").Output(); err == nil {
			t.dovecotVersion = "Dovecot " + strings.Fields(string(out))[0]
		}
	}
	return t
}

// installPackages installs postfix and dovecot-pop3d with apt-get when
// running as root. policy-rc.d keeps Debian's scripts from starting the
// services: the benchmark leaves no server running.
func installPackages(r *report) {
	apt := lookPath("apt-get")
	if os.Geteuid() != 0 || apt == "" {
		r.missing = append(r.missing, "installing postfix and dovecot-pop3d needs root and apt-get; install them to compare")
		return
	}
	fmt.Fprintln(os.Stderr, "nativebench: installing postfix and dovecot-pop3d (benchmark only)")
	const policy = "/usr/sbin/policy-rc.d"
	if _, err := os.Stat(policy); errors.Is(err, os.ErrNotExist) {
		if os.WriteFile(policy, []byte("#!/bin/sh\nexit 101\n"), 0o755) == nil {
			defer os.Remove(policy)
		}
	}
	if ds := lookPath("debconf-set-selections"); ds != "" {
		c := exec.Command(ds)
		c.Stdin = strings.NewReader("postfix postfix/main_mailer_type select No configuration\npostfix postfix/mailname string localhost\n")
		c.Run()
	}
	env := append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	for _, args := range [][]string{{"update", "-qq"}, {"install", "-y", "-qq", "postfix", "dovecot-pop3d"}} {
		c := exec.Command(apt, args...)
		c.Env = env
		if out, err := c.CombinedOutput(); err != nil {
			r.missing = append(r.missing, fmt.Sprintf("apt-get %s failed: %v (%s)", args[0], err, lastLines(string(out), 2)))
			return
		}
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " / ")
}

func kernel() string {
	b, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return strings.TrimSpace(string(b))
}

// startProcess starts a server process that dies with this one.
func startProcess(path string, args ...string) (*exec.Cmd, error) {
	c := exec.Command(path, args...)
	setPdeathsig(c)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Start(); err != nil {
		return nil, err
	}
	return c, nil
}

func stopProcess(c *exec.Cmd) {
	if c == nil || c.Process == nil {
		return
	}
	c.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { c.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		c.Process.Kill()
		<-done
	}
}

// waitPort waits until addr accepts connections and sends its greeting.
func waitPort(addr string) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		nc, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			nc.SetReadDeadline(time.Now().Add(2 * time.Second))
			b := make([]byte, 64)
			n, _ := nc.Read(b)
			nc.Close()
			if n > 0 {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("nothing answers on %s", addr)
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// --- SMTP ---

// smtpTarget is one server smtp-source sends to.
// cpuTime is CPU time used, in user space and in the kernel.
type cpuTime struct{ user, sys time.Duration }

func (c cpuTime) minus(o cpuTime) cpuTime { return cpuTime{c.user - o.user, c.sys - o.sys} }
func (c cpuTime) total() time.Duration    { return c.user + c.sys }

type smtpTarget struct {
	name   string
	addr   string
	cpu    func() cpuTime  // CPU time the server has used so far
	before func()          // before a run (after reset), if set
	after  func()          // after a run, if set
	reset  func()          // before a run: empty the store
	verify func(int) error // after a run: n messages must be stored
	close  func()
}

var users = map[string]string{"alice": "alice-secret", "bob": "bob-secret"}

func smtpBench(r *report, t tools) {
	var targets []*smtpTarget
	defer func() {
		for _, x := range targets {
			x.close()
		}
	}()
	// Postfix's smtp-sink: accepts and discards, the reference for speed.
	sinkAddr := freeAddr()
	sinkArgs := []string{sinkAddr, "256"}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postfix"); err == nil {
			sinkArgs = append([]string{"-u", "postfix"}, sinkArgs...)
		}
	}
	if sink, err := startProcess(t.sink, sinkArgs...); err == nil && waitPort(sinkAddr) == nil {
		targets = append(targets, &smtpTarget{name: "smtp-sink (Postfix)", addr: sinkAddr, close: func() { stopProcess(sink) },
			cpu: func() cpuTime { return procCPU(sink.Process.Pid) }})
	} else {
		stopProcess(sink)
		r.missing = append(r.missing, fmt.Sprintf("smtp-sink did not start (%v)", err))
		return
	}
	// A minimal go-smtp server that reads each message and throws it away.
	gsLn, _ := net.Listen("tcp", "127.0.0.1:0")
	gs := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return discard{}, nil }))
	gs.Domain = "go-smtp.example"
	gs.MaxMessageBytes = 10240000
	gs.ReadTimeout, gs.WriteTimeout = 5*time.Minute, 5*time.Minute
	go gs.Serve(gsLn)
	targets = append(targets, &smtpTarget{name: "go-smtp (minimal)", addr: gsLn.Addr().String(), close: func() { gs.Close() }, cpu: selfCPU})

	// maillab, as `maillab serve` runs it, with two stores.
	mem := &swapStore{}
	mem.reset()
	memLab, err := startLab(mem)
	if err != nil {
		r.failed = append(r.failed, "maillab (memory) did not start: "+err.Error())
		return
	}
	targets = append(targets, &smtpTarget{name: "maillab, in-memory store", addr: memLab.Addr("smtp", false).String(),
		reset: mem.reset, verify: mem.verify, close: func() { memLab.Close() }, cpu: selfCPU})
	dir, _ := os.MkdirTemp("", "nativebench-maildir")
	defer os.RemoveAll(dir)
	md, err := mailstore.NewMaildir(dir)
	if err != nil {
		r.failed = append(r.failed, "Maildir: "+err.Error())
		return
	}
	createCost := fileCreateCost(dir, 2000)
	mdLab, err := startLab(md)
	if err != nil {
		r.failed = append(r.failed, "maillab (Maildir) did not start: "+err.Error())
		return
	}
	// Between rounds the messages are moved aside, not deleted: deleting
	// thousands of files just before a round would bill the next round for
	// it (ext4 without a journal skips recently deleted inodes one by one
	// when it allocates new ones: ~250 µs per file created here). They are
	// deleted once the SMTP measurements are over.
	trash, _ := os.MkdirTemp("", "nativebench-trash")
	defer os.RemoveAll(trash)
	resets := 0
	targets = append(targets, &smtpTarget{name: "maillab, durable Maildir", addr: mdLab.Addr("smtp", false).String(),
		reset: func() {
			resets++
			if os.Rename(filepath.Join(dir, "bob"), filepath.Join(trash, strconv.Itoa(resets))) != nil {
				os.RemoveAll(filepath.Join(dir, "bob"))
			}
		},
		verify: func(n int) error { return countFiles(filepath.Join(dir, "bob", "new"), n) },
		close:  func() { mdLab.Close() }, cpu: selfCPU})
	// The same in-memory server with the Go scheduler on one CPU: shows
	// what the runtime's work across two CPUs (waking and spinning
	// threads) costs when the load generator needs the other one.
	var procs int
	targets = append(targets, &smtpTarget{name: "maillab, in-memory store, GOMAXPROCS=1", addr: memLab.Addr("smtp", false).String(),
		reset: mem.reset, verify: mem.verify, close: func() {}, cpu: selfCPU,
		before: func() { procs = runtime.GOMAXPROCS(1) },
		after:  func() { runtime.GOMAXPROCS(procs) }})

	modes := []struct {
		name  string
		reuse bool
	}{{"a new connection per message", false}, {"connection reuse (-d)", true}}
	rates := map[string]map[string][]float64{}   // mode → target → msgs/s
	cpus := map[string]map[string][]float64{}    // mode → target → server CPU µs per message
	sysCPUs := map[string]map[string][]float64{} // mode → target → of which in the kernel
	sourceCPUs := map[string][]float64{}         // mode → smtp-source's own CPU µs per message against smtp-sink
	for _, m := range modes {
		rates[m.name] = map[string][]float64{}
		cpus[m.name] = map[string][]float64{}
		sysCPUs[m.name] = map[string][]float64{}
		if (*modeOnly == "new" && m.reuse) || (*modeOnly == "reuse" && !m.reuse) {
			continue
		}
		for range *rounds {
			for _, x := range targets {
				if !strings.Contains(x.name, *servers) {
					continue
				}
				if x.reset != nil {
					x.reset()
				}
				runtime.GC() // the last run's garbage is not this run's work
				if x.before != nil {
					x.before()
				}
				cpu0 := x.cpu()
				d, sourceCPU, err := runSource(t.source, x.addr, m.reuse)
				cpu := x.cpu().minus(cpu0)
				if x.after != nil {
					x.after()
				}
				if err == nil && x.verify != nil {
					err = x.verify(*msgs)
				}
				if err != nil {
					r.failed = append(r.failed, fmt.Sprintf("%s, %s: %v", x.name, m.name, err))
					continue
				}
				rates[m.name][x.name] = append(rates[m.name][x.name], float64(*msgs)/d.Seconds())
				cpus[m.name][x.name] = append(cpus[m.name][x.name], float64(cpu.total().Microseconds())/float64(*msgs))
				sysCPUs[m.name][x.name] = append(sysCPUs[m.name][x.name], float64(cpu.sys.Microseconds())/float64(*msgs))
				if x == targets[0] {
					sourceCPUs[m.name] = append(sourceCPUs[m.name], float64(sourceCPU.total().Microseconds())/float64(*msgs))
				}
			}
		}
	}
	if mem != nil {
		mem.reset()
	}
	r.printf("## SMTP throughput\n\n")
	r.printf("`smtp-source -s %d -m %d -l %d [-d] 127.0.0.1:PORT`, %d alternated rounds; messages per second, median (all rounds):\n\n", *sessions, *msgs, *size, *rounds)
	r.printf("| server | %s | %s |\n|---|---|---|\n", modes[0].name, modes[1].name)
	for _, x := range targets {
		r.printf("| %s |", x.name)
		for _, m := range modes {
			v := rates[m.name][x.name]
			r.printf(" %.0f (%s) |", median(v), joinRates(v))
		}
		r.printf("\n")
	}
	r.printf("\nServer CPU time per message (user + kernel, µs, median, with the kernel's share in brackets; smtp-sink is measured from /proc at 10 ms resolution, the Go servers from the benchmark process they run in):\n\n")
	r.printf("| server | %s | %s |\n|---|---|---|\n", modes[0].name, modes[1].name)
	for _, x := range targets {
		r.printf("| %s |", x.name)
		for _, m := range modes {
			r.printf(" %.0f (%.0f) |", median(cpus[m.name][x.name]), median(sysCPUs[m.name][x.name]))
		}
		r.printf("\n")
	}
	r.printf("| *smtp-source itself, against smtp-sink* | *%.0f* | *%.0f* |\n", median(sourceCPUs[modes[0].name]), median(sourceCPUs[modes[1].name]))
	r.printf("\nsmtp-source is one process with one thread: against smtp-sink it keeps one CPU busy (its own CPU per message × messages per second ≈ 1 s per second), so smtp-sink's rate is smtp-source's limit, and the other server is measured against that. On this machine's 2 CPUs a server keeps up with it only if it needs no more CPU per message than smtp-source does; smtp-sink needs less and spends most of it in the kernel (the reads and writes of the dialogue). Every SMTP server pays those system calls; maillab pays them plus its state machines and the live view's record of every line, and that difference is what the ratios below measure.\n")
	r.printf("\nRatios of medians (maillab ÷ other; goals: in-memory ≥ 1 × smtp-sink, Maildir ≥ 0.5 × smtp-sink):\n\n")
	r.printf("| maillab | vs | %s | %s |\n|---|---|---|---|\n", modes[0].name, modes[1].name)
	for _, ml := range targets[2:] {
		for _, other := range targets[:2] {
			r.printf("| %s | %s |", ml.name, other.name)
			for _, m := range modes {
				a, b := median(rates[m.name][ml.name]), median(rates[m.name][other.name])
				if b > 0 {
					r.printf(" **%.2f** |", a/b)
				} else {
					r.printf(" – |")
				}
			}
			r.printf("\n")
		}
	}
	verdict := func(target *smtpTarget, goal float64) {
		var got []string
		met := true
		for _, m := range modes {
			ratio := median(rates[m.name][target.name]) / max(median(rates[m.name][targets[0].name]), 1)
			got = append(got, fmt.Sprintf("%.2f", ratio))
			met = met && ratio >= goal
		}
		word := "met"
		if !met {
			word = "**not met**"
		}
		r.printf("- %s ≥ %.1f × smtp-sink: %s (%s)\n", target.name, goal, word, strings.Join(got, ", "))
	}
	r.printf("\nGoals:\n\n")
	verdict(targets[2], 1)
	verdict(targets[3], 0.5)
	r.printf("\n(The GOMAXPROCS=1 row is for understanding, not a goal: `maillab serve` runs with Go's default, one scheduler thread per CPU.)\n")
	r.printf("\nWhere the time goes is in the CPU table: maillab records every line of every session for the live view (a machine event and a hub step per line of text, which also makes garbage to collect), and the Maildir adds kernel time to create, rename and sync each file. smtp-sink parses nothing it does not need and keeps nothing.\n")
	r.printf("\nThe Maildir store answers 250 only once the message file, and then its name in new/, are on disk; concurrent deliveries share those syncs (group commit: on Linux ≥ 5.8 one syncfs(2) serves every delivery waiting when it begins), and a message needs two in a row (the file before its name enters new/, then the name). On this disk one file written and fsynced with its directory takes %s (median of 20); creating, writing and renaming one file (no sync) in a fresh directory beside the store's takes %s (median of 2000). The store's own directories can cost far more: ext4 without a journal (as this project's build machine has) steps over every inode of a block group freed in the last half minute or so whenever it allocates one, so a Maildir whose block group saw many files deleted recently (an earlier benchmark run, a test suite) pays for each of them on every message; profiling one such run here found a fifth of the Maildir server's CPU time in that scan (ext4's recently_deleted) and a tenth waiting for the directory lock that twenty sessions delivering to one user share. smtp-sink and go-smtp store nothing. Every maillab run is checked: the store holds exactly the messages smtp-source sent.\n\n", fsyncLatency(dir), createCost)
}

// fileCreateCost times creating, writing (1100 octets) and renaming n files
// in a new directory under root, as the Maildir store does for each
// message without its syncs. The files are removed only at the end of the
// benchmark (see the trash in smtpBench).
func fileCreateCost(root string, n int) string {
	dir, err := os.MkdirTemp(root, "create-probe")
	if err != nil {
		return "(unknown)"
	}
	os.Mkdir(filepath.Join(dir, "tmp"), 0o700)
	os.Mkdir(filepath.Join(dir, "new"), 0o700)
	data := make([]byte, 1100)
	var v []float64
	for i := range n {
		name := strconv.Itoa(i)
		start := time.Now()
		if os.WriteFile(filepath.Join(dir, "tmp", name), data, 0o600) != nil ||
			os.Rename(filepath.Join(dir, "tmp", name), filepath.Join(dir, "new", name)) != nil {
			return "(unknown)"
		}
		v = append(v, float64(time.Since(start).Nanoseconds())/1000)
	}
	return fmt.Sprintf("%.0f µs", median(v))
}

// fsyncLatency times writing a small file and fsyncing it and its directory.
func fsyncLatency(dir string) string {
	var v []float64
	for i := range 20 {
		start := time.Now()
		p := filepath.Join(dir, "fsync-probe-"+strconv.Itoa(i))
		f, err := os.Create(p)
		if err != nil {
			return "(unknown)"
		}
		f.Write(make([]byte, 1400))
		f.Sync()
		f.Close()
		if d, err := os.Open(dir); err == nil {
			d.Sync()
			d.Close()
		}
		v = append(v, float64(time.Since(start).Microseconds()))
		os.Remove(p)
	}
	return fmt.Sprintf("%.2f ms", median(v)/1000)
}

func joinRates(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strings.Join(s, ", ")
}

// runSource runs smtp-source once and times it; it also returns the CPU
// time smtp-source used.
func runSource(source, addr string, reuse bool) (time.Duration, cpuTime, error) {
	args := []string{"-s", strconv.Itoa(*sessions), "-m", strconv.Itoa(*msgs), "-l", strconv.Itoa(*size),
		"-f", "alice@example.com", "-t", "bob@example.com", "-M", "client.example"}
	if reuse {
		args = append(args, "-d")
	}
	args = append(args, addr)
	c := exec.Command(source, args...)
	setPdeathsig(c)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	start := time.Now()
	err := c.Run()
	d := time.Since(start)
	var used cpuTime
	if c.ProcessState != nil {
		used = cpuTime{user: c.ProcessState.UserTime(), sys: c.ProcessState.SystemTime()}
	}
	if err != nil {
		return d, used, fmt.Errorf("smtp-source: %v: %s", err, lastLines(out.String(), 3))
	}
	return d, used, nil
}

type discard struct{}

func (discard) Mail(string, *gosmtp.MailOptions) error { return nil }
func (discard) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (discard) Data(r io.Reader) error                 { _, err := io.Copy(io.Discard, r); return err }
func (discard) Reset()                                 {}
func (discard) Logout() error                          { return nil }

// swapStore is an in-memory store emptied between runs.
type swapStore struct {
	mu  sync.Mutex
	cur *mailstore.Memory
	n   int
}

func (s *swapStore) reset() {
	s.mu.Lock()
	s.cur, s.n = mailstore.NewMemory(), 0
	s.mu.Unlock()
}

func (s *swapStore) store() *mailstore.Memory {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

func (s *swapStore) Deliver(user string, msg []byte) (string, error) {
	s.mu.Lock()
	s.n++
	s.mu.Unlock()
	return s.store().Deliver(user, msg)
}
func (s *swapStore) Open(user string) (mailstore.Maildrop, error) { return s.store().Open(user) }
func (s *swapStore) Users() []string                              { return s.store().Users() }

func (s *swapStore) verify(n int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n != n {
		return fmt.Errorf("%d messages stored, %d sent", s.n, n)
	}
	return nil
}

func countFiles(dir string, n int) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(ents) != n {
		return fmt.Errorf("%d files in %s, %d messages sent", len(ents), dir, n)
	}
	return nil
}

// startLab starts maillab's SMTP and POP3 servers in this process, as
// `maillab serve` configures them (a hub recording every session for the
// live view included).
func startLab(store mailstore.Store) (*native.Lab, error) {
	return native.Start(native.Setup{
		SMTP:   smtp.Config{Hostname: "mail.example.com", MyDestination: []string{"example.com"}, Users: users},
		Store:  store,
		Limits: native.Limits{MaxConns: 200},
	}, native.Addrs{SMTP: "127.0.0.1:0", POP3: "127.0.0.1:0"})
}

// --- POP3 ---

const (
	pop3Users = 10
	pop3Msgs  = 500
)

func pop3Bench(r *report, t tools) {
	dir, _ := os.MkdirTemp("", "nativebench-pop3")
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755) // Dovecot's auth and mail processes do not run as root
	root := filepath.Join(dir, "Maildir")
	names := map[string]string{}
	for u := range pop3Users {
		names["user"+strconv.Itoa(u)] = "secret" + strconv.Itoa(u)
	}
	// The same messages for both servers, written as a delivery leaves them.
	var total int64
	for name := range names {
		for _, sub := range []string{"tmp", "new", "cur"} {
			os.MkdirAll(filepath.Join(root, name, sub), 0o700)
		}
		for i := range pop3Msgs {
			msg := fmt.Sprintf("Return-Path: <alice@example.com>\nDelivered-To: %s@example.com\nSubject: message %d\nFrom: alice@example.com\n\n%s", name, i, strings.Repeat("The quick brown fox jumps over the lazy dog.\n", 22))
			total += int64(len(msg))
			os.WriteFile(filepath.Join(root, name, "new", fmt.Sprintf("1700000000.%d_%d.bench", 100+i, i)), []byte(msg), 0o600)
		}
	}
	// Dovecot refuses to read mail as root: the Maildir belongs to "mail".
	uid, gid := "mail", "mail"
	if u, err := user.Lookup("mail"); err == nil {
		uidN, _ := strconv.Atoi(u.Uid)
		gidN, _ := strconv.Atoi(u.Gid)
		filepath.Walk(root, func(p string, _ os.FileInfo, _ error) error { return os.Chown(p, uidN, gidN) })
	}
	store, err := mailstore.NewMaildir(root)
	if err != nil {
		r.failed = append(r.failed, "POP3 Maildir: "+err.Error())
		return
	}
	lab, err := native.Start(native.Setup{
		SMTP:  smtp.Config{Hostname: "mail.example.com", MyDestination: []string{"example.com"}, Users: names},
		Store: store, Limits: native.Limits{MaxConns: 200},
	}, native.Addrs{POP3: "127.0.0.1:0"})
	if err != nil {
		r.failed = append(r.failed, "maillab POP3: "+err.Error())
		return
	}
	defer lab.Close()
	dv, dvAddr, err := startDovecot(t.dovecot, dir, root, names, uid, gid)
	if err != nil {
		r.missing = append(r.missing, "Dovecot did not start: "+err.Error())
		return
	}
	defer stopProcess(dv)
	targets := []struct{ name, addr string }{{"maillab", lab.Addr("pop3", false).String()}, {"Dovecot", dvAddr}}
	rates := map[string][]float64{}
	for range *rounds {
		for _, x := range targets {
			d, n, err := retrieveAll(x.addr, names)
			if err == nil && n != pop3Users*pop3Msgs {
				err = fmt.Errorf("retrieved %d messages, want %d", n, pop3Users*pop3Msgs)
			}
			if err != nil {
				if x.name == "Dovecot" {
					log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
					r.missing = append(r.missing, fmt.Sprintf("Dovecot failed: %v (log: %s)", err, lastLines(string(log), 3)))
				} else {
					r.failed = append(r.failed, fmt.Sprintf("POP3 %s: %v", x.name, err))
				}
				continue
			}
			rates[x.name] = append(rates[x.name], float64(n)/d.Seconds())
		}
	}
	r.printf("## POP3 retrieval\n\n")
	r.printf("%d users × %d messages of about %d octets in one Maildir; %d sessions in parallel, one per user, each: USER, PASS, STAT, RETR 1…%d (one command at a time, as poplib does), QUIT. %d alternated rounds; messages per second, median (all rounds):\n\n",
		pop3Users, pop3Msgs, total/int64(pop3Users*pop3Msgs), pop3Users, pop3Msgs, *rounds)
	r.printf("| server | messages/s | MB/s |\n|---|---|---|\n")
	for _, x := range targets {
		m := median(rates[x.name])
		r.printf("| %s | %.0f (%s) | %.1f |\n", x.name, m, joinRates(rates[x.name]), m*float64(total)/float64(pop3Users*pop3Msgs)/1e6)
	}
	if a, b := median(rates["maillab"]), median(rates["Dovecot"]); b > 0 {
		r.printf("\nRatio maillab ÷ Dovecot: **%.2f**\n\n", a/b)
	}
}

// startDovecot runs Dovecot in the foreground with POP3 only, on the
// Maildir, with a config of its own in dir.
func startDovecot(bin, dir, root string, names map[string]string, uid, gid string) (*exec.Cmd, string, error) {
	addr := freeAddr()
	_, port, _ := net.SplitHostPort(addr)
	var pw bytes.Buffer
	for n, p := range names {
		fmt.Fprintf(&pw, "%s:{PLAIN}%s\n", n, p)
	}
	os.WriteFile(filepath.Join(dir, "passwd"), pw.Bytes(), 0o644) // made-up passwords of this run
	for _, d := range []string{"run", "state"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	conf := fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
protocols = pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 1
mail_location = maildir:%[2]s/%%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = static
  args = uid=%[4]s gid=%[5]s home=%[2]s/%%u
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = %[3]s
  }
}
service imap-login {
  inet_listener imap {
    port = 0
  }
}
protocol pop3 {
  pop3_uidl_format = %%f
}
`, dir, root, port, uid, gid)
	cf := filepath.Join(dir, "dovecot.conf")
	if err := os.WriteFile(cf, []byte(conf), 0o644); err != nil {
		return nil, "", err
	}
	c, err := startProcess(bin, "-F", "-c", cf)
	if err != nil {
		return nil, "", err
	}
	if err := waitPort(addr); err != nil {
		stopProcess(c)
		log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
		return nil, "", fmt.Errorf("%v: %s", err, lastLines(string(log), 3))
	}
	return c, addr, nil
}

// retrieveAll reads every message of every user, one session per user in
// parallel, and returns the time and the number of messages read.
func retrieveAll(addr string, names map[string]string) (time.Duration, int, error) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var total int
	var firstErr error
	start := time.Now()
	for name, pass := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := retrieveUser(addr, name, pass)
			mu.Lock()
			total += n
			if err != nil && firstErr == nil {
				firstErr = fmt.Errorf("%s: %w", name, err)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return time.Since(start), total, firstErr
}

func retrieveUser(addr, name, pass string) (int, error) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return 0, err
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(2 * time.Minute))
	br := bufio.NewReaderSize(nc, 64<<10)
	w := bufio.NewWriter(nc)
	line := func() (string, error) {
		l, err := br.ReadString('\n')
		return strings.TrimRight(l, "\r\n"), err
	}
	ok := func(cmd string) (string, error) {
		if cmd != "" {
			w.WriteString(cmd + "\r\n")
			w.Flush()
		}
		l, err := line()
		if err == nil && !strings.HasPrefix(l, "+OK") {
			err = fmt.Errorf("%s: %s", cmd, l)
		}
		return l, err
	}
	if _, err := ok(""); err != nil {
		return 0, err
	}
	if _, err := ok("USER " + name); err != nil {
		return 0, err
	}
	if _, err := ok("PASS " + pass); err != nil {
		return 0, err
	}
	stat, err := ok("STAT")
	if err != nil {
		return 0, err
	}
	var count, octets int
	fmt.Sscanf(stat, "+OK %d %d", &count, &octets)
	read := 0
	for i := 1; i <= count; i++ {
		if _, err := ok("RETR " + strconv.Itoa(i)); err != nil {
			return read, err
		}
		for {
			l, err := line()
			if err != nil {
				return read, err
			}
			if l == "." {
				break
			}
		}
		read++
	}
	_, err = ok("QUIT")
	return read, err
}

// --- idle connections ---

// idleBench starts `maillab serve` and holds many idle SMTP connections
// to it, each greeted; the server's resident memory per connection is the
// growth divided by their number.
func idleBench(r *report) {
	bin, err := filepath.Abs(*binPath)
	if err == nil {
		_, err = os.Stat(bin)
	}
	if err != nil {
		r.missing = append(r.missing, fmt.Sprintf("%s not found (run make build): the idle-connection test is skipped", *binPath))
		return
	}
	dir, _ := os.MkdirTemp("", "nativebench-idle")
	defer os.RemoveAll(dir)
	addr := freeAddr()
	c := exec.Command(bin, "serve", "--http", "127.0.0.1:0", "--smtp", addr, "--maildir", filepath.Join(dir, "Maildir"),
		"--max-conns", strconv.Itoa(*idle+100), "--smtp-timeout", "30m")
	c.Env = append(os.Environ(), "XDG_DATA_HOME="+dir)
	setPdeathsig(c)
	if err := c.Start(); err != nil {
		r.failed = append(r.failed, "maillab serve: "+err.Error())
		return
	}
	defer stopProcess(c)
	if err := waitPort(addr); err != nil {
		r.failed = append(r.failed, "maillab serve: "+err.Error())
		return
	}
	time.Sleep(200 * time.Millisecond)
	before := rss(c.Process.Pid)
	var conns []net.Conn
	defer func() {
		for _, nc := range conns {
			nc.Close()
		}
	}()
	greeted, refused := 0, 0
	buf := make([]byte, 128)
	for range *idle {
		nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			r.missing = append(r.missing, fmt.Sprintf("idle connections: stopped at %d: %v (file descriptor limit?)", len(conns), err))
			break
		}
		conns = append(conns, nc)
		nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _ := nc.Read(buf)
		switch {
		case bytes.HasPrefix(buf[:n], []byte("220 ")):
			greeted++
		default:
			refused++
		}
	}
	time.Sleep(500 * time.Millisecond)
	after := rss(c.Process.Pid)
	r.printf("## Idle connections\n\n")
	if greeted == 0 {
		r.printf("No connection was greeted.\n\n")
		return
	}
	per := float64(after-before) / float64(greeted)
	r.printf("`maillab serve` holding %d greeted, idle SMTP connections (%d refused): resident memory %.1f MB before, %.1f MB with them: **%.1f KB per connection** (goroutine, read buffer, SMTP machine, and the live view's record of the session).\n\n",
		greeted, refused, float64(before)/1e6, float64(after)/1e6, per/1024)
}

// rss is a process's resident set in octets.
func rss(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			f := strings.Fields(l)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
