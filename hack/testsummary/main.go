// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Command testsummary reads `go test -json` on stdin, prints the output of failed tests as they
// finish, and ends with a summary that names every skipped test and why, so `make test` says out
// loud what it could not run. It exits 1 when anything failed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

type key struct{ pkg, test string }

func main() {
	out := map[key][]string{}
	var failed, skipped []key
	passed := 0
	pkgTimes := map[string]float64{}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	start := time.Now()
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil {
			fmt.Println(string(line)) // build errors and other non-JSON output
			continue
		}
		k := key{e.Package, e.Test}
		switch e.Action {
		case "output":
			out[k] = append(out[k], e.Output)
		case "pass":
			if e.Test == "" {
				pkgTimes[e.Package] = e.Elapsed
				fmt.Printf("ok    %-70s %6.1fs\n", e.Package, e.Elapsed)
			} else {
				passed++
			}
			delete(out, k)
		case "skip":
			if e.Test != "" {
				skipped = append(skipped, k)
			} else {
				fmt.Printf("skip  %-70s (no tests)\n", e.Package)
				delete(out, k)
			}
		case "fail":
			failed = append(failed, k)
			if e.Test == "" {
				fmt.Printf("FAIL  %s\n", e.Package)
			}
			fmt.Print(strings.Join(out[k], ""))
			delete(out, k)
		}
	}
	fmt.Printf("\n=== %d passed, %d failed, %d skipped in %s\n", passed, len(failed), len(skipped), time.Since(start).Round(time.Second))
	if len(skipped) > 0 {
		sort.Slice(skipped, func(i, j int) bool { return skipped[i].pkg+skipped[i].test < skipped[j].pkg+skipped[j].test })
		fmt.Println("Skipped (not run here), with the reason each test gave:")
		for _, k := range skipped {
			fmt.Printf("  %s %s: %s\n", strings.TrimPrefix(k.pkg, "github.com/flowlens/flowlens/"), k.test, reason(out[k]))
		}
	}
	if len(failed) > 0 {
		fmt.Println("Failed:")
		for _, k := range failed {
			fmt.Printf("  %s %s\n", k.pkg, k.test)
		}
		os.Exit(1)
	}
}

// reason picks the skip message out of a skipped test's output.
func reason(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "--- SKIP") || strings.HasPrefix(l, "=== ") {
			continue
		}
		if idx := strings.Index(l, ": "); idx > 0 && strings.Contains(l[:idx], ".go:") {
			l = l[idx+2:]
		}
		return l
	}
	return "(no reason printed)"
}
