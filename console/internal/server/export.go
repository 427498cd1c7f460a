// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package server // import "github.com/flowlens/flowlens/console/internal/server"

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// export answers the records query as CSV: the columns asked for, or every field found.
func (s *server) export(w http.ResponseWriter, r *http.Request) error {
	if f := r.URL.Query().Get("format"); f != "" && f != "csv" {
		return badParam("format: %q is not supported, must be csv", f)
	}
	a, err := s.queryRecords(r)
	if err != nil {
		return err
	}
	var cols []string
	if c := strings.TrimSpace(r.URL.Query().Get("columns")); c != "" {
		for _, f := range strings.Split(c, ",") {
			if f = strings.TrimSpace(f); f != "" {
				cols = append(cols, f)
			}
		}
	} else {
		seen := map[string]bool{}
		for _, rec := range a.Records {
			for k := range rec {
				if !seen[k] {
					seen[k] = true
					cols = append(cols, k)
				}
			}
		}
		sort.Strings(cols)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="flows-%s.csv"`, s.Now().UTC().Format("20060102-150405")))
	cw := csv.NewWriter(w)
	if err := cw.Write(cols); err != nil {
		return err
	}
	row := make([]string, len(cols))
	for _, rec := range a.Records {
		for i, c := range cols {
			row[i] = cell(rec[c])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = cell(e)
		}
		return strings.Join(parts, ",")
	default:
		return fmt.Sprint(x)
	}
}
