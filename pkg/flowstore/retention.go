// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowstore // import "github.com/flowlens/flowlens/pkg/flowstore"

import (
	"context"
	"fmt"
	"time"
)

// Retention bounds the store by age and by size; zero disables a bound.
type Retention struct {
	MaxAge  time.Duration
	MaxSize int64 // bytes of live data pages
}

// Enforce deletes flows older than MaxAge, then the oldest flows until the data fits in
// MaxSize, returns the space to the file (incremental vacuum) and truncates the WAL. It returns
// how many flows it deleted.
func (w *Writer) Enforce(ctx context.Context, r Retention, now time.Time) (int64, error) {
	var deleted int64
	if r.MaxAge > 0 {
		res, err := w.db.ExecContext(ctx, "DELETE FROM flows WHERE end_ms < ?", now.Add(-r.MaxAge).UnixMilli())
		if err != nil {
			return 0, fmt.Errorf("retention by age: %w", err)
		}
		n, _ := res.RowsAffected()
		deleted += n
		if _, err := w.db.ExecContext(ctx, "DELETE FROM rollup WHERE minute_ms < ?", now.Add(-r.MaxAge).UnixMilli()/rollupMinute*rollupMinute); err != nil {
			return deleted, fmt.Errorf("retention by age (rollup): %w", err)
		}
	}
	if r.MaxSize > 0 {
		for range 64 { // each round deletes a tenth; bounded so a tiny max_size cannot spin
			used, err := w.UsedBytes(ctx)
			if err != nil {
				return deleted, err
			}
			if used <= r.MaxSize {
				break
			}
			res, err := w.db.ExecContext(ctx, `DELETE FROM flows WHERE id <= (
				SELECT id FROM flows ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 10 FROM flows))`)
			if err != nil {
				return deleted, fmt.Errorf("retention by size: %w", err)
			}
			n, _ := res.RowsAffected()
			deleted += n
			if n == 0 {
				break
			}
			// The rollup keeps the minutes that still have flows.
			if _, err := w.db.ExecContext(ctx, "DELETE FROM rollup WHERE minute_ms < (SELECT coalesce(min(end_ms), 0) / 60000 * 60000 FROM flows)"); err != nil {
				return deleted, fmt.Errorf("retention by size (rollup): %w", err)
			}
			if _, err := w.db.ExecContext(ctx, "PRAGMA incremental_vacuum"); err != nil {
				return deleted, err
			}
		}
	}
	if deleted > 0 {
		if _, err := w.db.ExecContext(ctx, "PRAGMA incremental_vacuum"); err != nil {
			return deleted, err
		}
	}
	// Keep the WAL from growing while readers come and go.
	_, err := w.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return deleted, err
}

// UsedBytes is the size of the pages holding data (the file minus its free pages).
func (w *Writer) UsedBytes(ctx context.Context) (int64, error) {
	var pages, free, size int64
	if err := w.db.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		return 0, err
	}
	if err := w.db.QueryRowContext(ctx, "PRAGMA freelist_count").Scan(&free); err != nil {
		return 0, err
	}
	if err := w.db.QueryRowContext(ctx, "PRAGMA page_size").Scan(&size); err != nil {
		return 0, err
	}
	return (pages - free) * size, nil
}
