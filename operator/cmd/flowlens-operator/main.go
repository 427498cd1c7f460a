// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Command flowlens-operator runs the flowlens operator (`manager`, the default) or prints what it
// would apply for a FlowCollector file without a cluster (`render -f FILE`).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

const usage = `Usage:
  flowlens-operator [manager] [flags]   run the controller manager (in the cluster)
  flowlens-operator render -f FILE      print the objects a FlowCollector renders to, as YAML
  flowlens-operator help

Run "flowlens-operator <command> -h" for the flags of a command.
`

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "flowlens-operator:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	cmd := "manager"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "manager":
		return runManager(args, stderr)
	case "render":
		return runRender(args, os.Stdin, stdout, stderr)
	case "help":
		_, err := io.WriteString(stdout, usage)
		return err
	default:
		return fmt.Errorf("unknown command %q: want manager, render or help\n%s", cmd, usage)
	}
}
