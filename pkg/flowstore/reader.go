// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowstore // import "github.com/flowlens/flowlens/pkg/flowstore"

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/flowlens/flowlens/pkg/flowquery"
)

// Reader queries a store. Any number of readers may use one store while a Writer writes it,
// from the same process or another.
type Reader struct {
	db   *sql.DB
	path string
	// noRollup makes metrics read the flows table only (tests and benchmarks compare the two).
	noRollup bool
}

// OpenReader opens an existing store read-only.
func OpenReader(path string) (*Reader, error) {
	db, err := open(path, true)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(db, path, false); err != nil {
		_ = db.Close()
		return nil, err
	}
	return &Reader{db: db, path: path}, nil
}

// Close closes the reader.
func (r *Reader) Close() error { return r.db.Close() }

// Records returns flows of the time range that match the filters, newest first, at most
// q.Limit, each as a map of NetObserv field names to values.
func (r *Reader) Records(ctx context.Context, q flowquery.Records) ([]map[string]any, error) {
	where, args := whereSQL(q.Filters)
	var cols strings.Builder
	for _, c := range columns {
		cols.WriteString(c.name + ", ")
	}
	query := "SELECT " + cols.String() + "extra FROM flows WHERE end_ms >= ? AND end_ms <= ? AND " + where +
		" ORDER BY end_ms DESC LIMIT ?"
	args = append([]any{q.Start.UnixMilli(), q.End.UnixMilli()}, args...)
	args = append(args, q.Limit)
	rows, err := r.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query flows: %w", err)
	}
	defer rows.Close()
	var out []map[string]any
	vals := make([]any, len(columns)+1)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		rec := map[string]any{}
		if extra, ok := vals[len(columns)].(string); ok && extra != "" {
			if err := json.Unmarshal([]byte(extra), &rec); err != nil {
				return nil, fmt.Errorf("flow %s: %w", extra, err)
			}
		}
		for i, c := range columns {
			if vals[i] != nil {
				rec[c.field] = vals[i]
			}
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}

// Values returns distinct values of a field seen in the time range that contain prefix
// (case-insensitive), for autocompletion.
func (r *Reader) Values(ctx context.Context, field, prefix string, start, end time.Time, limit int) ([]string, error) {
	expr, _ := fieldExpr(field)
	rows, err := r.db.QueryContext(ctx, "SELECT DISTINCT CAST("+expr+" AS TEXT) AS v FROM flows WHERE end_ms >= ? AND end_ms <= ? AND v IS NOT NULL AND v != '' AND instr(lower(v), lower(?)) > 0 ORDER BY v LIMIT ?",
		start.UnixMilli(), end.UnixMilli(), prefix, limit)
	if err != nil {
		return nil, fmt.Errorf("query values of %s: %w", field, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Stats describes the store's content.
type Stats struct {
	Flows          int64     `json:"flows"`
	Oldest, Newest time.Time `json:"-"`
	OldestMs       int64     `json:"oldestMs"`
	NewestMs       int64     `json:"newestMs"`
}

// Stats counts the flows and their time span.
func (r *Reader) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	var oldest, newest sql.NullInt64
	err := r.db.QueryRowContext(ctx, "SELECT count(*), min(end_ms), max(end_ms) FROM flows").Scan(&s.Flows, &oldest, &newest)
	s.OldestMs, s.NewestMs = oldest.Int64, newest.Int64
	s.Oldest, s.Newest = time.UnixMilli(oldest.Int64), time.UnixMilli(newest.Int64)
	return s, err
}
