// Command maillab is a teaching lab for SMTP and POP3: it runs scenarios,
// serves the browser lab, checks lessons, and runs the same protocol
// machines over real TCP.
//
//	maillab run SCENARIO.yaml [--explain] [--lang en|zh]
//	maillab serve [--http ADDR] [--lessons DIR] [--smtp ADDR --pop3 ADDR …]
//	maillab lint PATH...
//	maillab build [--lessons DIR] -o OUT
//	maillab send / fetch   (SMTP and POP3 clients over TCP)
package main

import (
	"fmt"
	"os"
)

// commands maps each subcommand to its implementation. Each returns the
// process exit status.
var commands = map[string]func(args []string) int{
	"run":   cmdRun,
	"build": cmdBuild,
	"serve": cmdServe,
	"send":  cmdSend,
	"fetch": cmdFetch,
	"lint":  cmdLint,
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		if os.Args[1] == "help" || os.Args[1] == "-h" || os.Args[1] == "--help" {
			usage()
			os.Exit(0)
		}
		fmt.Fprintf(os.Stderr, "maillab: unknown command %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	os.Exit(cmd(os.Args[2:]))
}

func usage() {
	fmt.Fprint(os.Stderr, `maillab: a teaching lab for SMTP and POP3

Commands:
  run SCENARIO.yaml [--explain] [--lang en|zh]   print the scenario's dialogue
  serve [--http ADDR]                            serve the browser lab
  lint PATH...                                   check lessons
  build [--lessons DIR] -o OUT                   write the lab as a static site
  send --server HOST:PORT --from A --to B        send a message over real SMTP
  fetch --server HOST:PORT --user U --password P read a maildrop over real POP3
`)
}
