// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowstore // import "github.com/flowlens/flowlens/pkg/flowstore"

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/flowlens/flowlens/pkg/flow"
)

// endColumn is the position of end_ms in columns.
var endColumn = columnIndex("end_ms")

// rowsPerInsert bounds one multi-row INSERT (SQLite allows 32,766 parameters).
const rowsPerInsert = 256

// Writer appends flows to a store. It is not safe for concurrent use.
type Writer struct {
	db     *sql.DB
	path   string
	split  *flow.NetObservSplitter
	values []string
	arena  []byte
	args   []any
	full   *sql.Stmt // rowsPerInsert rows
	rollup *rollupBatch
	upsert *sql.Stmt
}

// OpenWriter opens (creating it and its folder if needed) the store at path.
func OpenWriter(path string) (*Writer, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create the flow store folder: %w", err)
	}
	db, err := open(path, false)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1) // one writer; SQLite serializes writes anyway
	if err := checkVersion(db, path, true); err != nil {
		_ = db.Close()
		return nil, err
	}
	w := &Writer{db: db, path: path, split: flow.NewNetObservSplitter(columnFields()), values: make([]string, len(columns))}
	if w.full, err = db.Prepare(insertSQL(rowsPerInsert)); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("prepare insert: %w", err)
	}
	w.rollup = newRollupBatch()
	if w.upsert, err = db.Prepare(rollupUpsertSQL()); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("prepare rollup: %w", err)
	}
	return w, nil
}

func insertSQL(rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO flows (")
	for _, c := range columns {
		b.WriteString(c.name + ", ")
	}
	b.WriteString("extra) VALUES ")
	row := "(" + strings.Repeat("?, ", len(columns)) + "?)"
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

// Write stores a batch of flows in one transaction and returns how many it wrote.
func (w *Writer) Write(ctx context.Context, ld plog.Logs) (int, error) {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	n, pending := 0, 0
	w.args = w.args[:0]
	clear(w.rollup.rows) // what a failed Write left
	flush := func(rows int) error {
		if rows == 0 {
			return nil
		}
		var err error
		if rows == rowsPerInsert {
			_, err = tx.StmtContext(ctx, w.full).ExecContext(ctx, w.args...)
		} else {
			_, err = tx.ExecContext(ctx, insertSQL(rows), w.args...)
		}
		w.args = w.args[:0]
		return err
	}
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		res := rls.At(i).Resource().Attributes()
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				w.arena = w.split.Append(w.arena[:0], res, lr, w.values)
				if w.values[endColumn] == "" {
					// A record without network.flow.end (not from ebpfflow): its timestamp, else
					// when it was observed, places it in time.
					ts := lr.Timestamp()
					if ts == 0 {
						ts = lr.ObservedTimestamp()
					}
					if ts != 0 {
						w.values[endColumn] = strconv.FormatInt(ts.AsTime().UnixMilli(), 10)
					}
				}
				w.rollup.add(w.values, w.appendRow())
				n++
				if pending++; pending == rowsPerInsert {
					if err := flush(pending); err != nil {
						return 0, fmt.Errorf("insert flows: %w", err)
					}
					pending = 0
				}
			}
		}
	}
	if err := flush(pending); err != nil {
		return 0, fmt.Errorf("insert flows: %w", err)
	}
	if err := w.rollup.flush(ctx, tx.StmtContext(ctx, w.upsert)); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	return n, nil
}

// appendRow adds the current flow's column values and extra JSON to the statement arguments
// and returns its column values among them.
func (w *Writer) appendRow() []any {
	start := len(w.args)
	for i, c := range columns {
		w.args = append(w.args, columnValue(c, w.values[i]))
	}
	row := w.args[start:len(w.args):len(w.args)]
	if string(w.arena) == "{}" {
		w.args = append(w.args, nil)
	} else {
		w.args = append(w.args, string(w.arena))
	}
	return row
}

// Close closes the store.
func (w *Writer) Close() error {
	for _, st := range []*sql.Stmt{w.full, w.upsert} {
		if st != nil {
			_ = st.Close()
		}
	}
	return w.db.Close()
}
