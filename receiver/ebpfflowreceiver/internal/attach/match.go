// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package attach // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/attach"

import (
	"fmt"
	"regexp"
	"strings"
)

// Matcher selects interfaces by name: exact names, or /regex/ patterns.
type Matcher struct {
	names    map[string]bool
	patterns []*regexp.Regexp
}

// NewMatcher compiles entries; field names the config key in errors.
func NewMatcher(field string, entries []string) (Matcher, error) {
	m := Matcher{names: map[string]bool{}}
	for i, e := range entries {
		if len(e) >= 2 && strings.HasPrefix(e, "/") && strings.HasSuffix(e, "/") {
			re, err := regexp.Compile(e[1 : len(e)-1])
			if err != nil {
				return m, fmt.Errorf("%s[%d]: invalid regular expression %q: %w", field, i, e, err)
			}
			m.patterns = append(m.patterns, re)
			continue
		}
		if e == "" {
			return m, fmt.Errorf("%s[%d]: empty interface name; use a name or a /regex/", field, i)
		}
		m.names[e] = true
	}
	return m, nil
}

// Empty reports whether the matcher has no entry.
func (m Matcher) Empty() bool { return len(m.names) == 0 && len(m.patterns) == 0 }

// Match reports whether name is selected.
func (m Matcher) Match(name string) bool {
	if m.names[name] {
		return true
	}
	for _, re := range m.patterns {
		if re.MatchString(name) {
			return true
		}
	}
	return false
}

// Selector applies NetObserv's rule: an interface is used when it matches the include list (or
// the list is empty) and does not match the exclude list, which wins.
type Selector struct {
	Include, Exclude Matcher
}

// Selected reports whether the interface named name should be attached.
func (s Selector) Selected(name string) bool {
	if s.Exclude.Match(name) {
		return false
	}
	return s.Include.Empty() || s.Include.Match(name)
}
