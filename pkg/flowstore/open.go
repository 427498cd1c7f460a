// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowstore // import "github.com/flowlens/flowlens/pkg/flowstore"

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"sync"

	"modernc.org/sqlite"
)

var registerOnce sync.Once

// registerFunctions adds the SQL functions filters need: REGEXP (x REGEXP re) and
// in_cidr(address, cidr). They are the driver's, so every connection has them.
func registerFunctions() {
	registerOnce.Do(func() {
		var cache sync.Map
		sqlite.MustRegisterDeterministicScalarFunction("regexp", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			pat, _ := args[0].(string)
			s := fmt.Sprint(args[1])
			if args[1] == nil {
				s = ""
			}
			re, ok := cache.Load(pat)
			if !ok {
				c, err := regexp.Compile(pat)
				if err != nil {
					return nil, err
				}
				re, _ = cache.LoadOrStore(pat, c)
			}
			return re.(*regexp.Regexp).MatchString(s), nil
		})
		sqlite.MustRegisterDeterministicScalarFunction("in_cidr", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			a, _ := args[0].(string)
			c, _ := args[1].(string)
			addr, err1 := netip.ParseAddr(a)
			pfx, err2 := netip.ParsePrefix(c)
			return err1 == nil && err2 == nil && pfx.Contains(addr.Unmap()), nil
		})
		registerHistFunctions()
	})
}

// open opens the database file. WAL lets readers (the console, another process) read while the
// exporter writes; busy_timeout makes a reader and the writer wait for each other briefly
// instead of failing.
func open(path string, readOnly bool) (*sql.DB, error) {
	registerFunctions()
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "auto_vacuum(INCREMENTAL)") // effective on a new file only
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open flow store %s: %w", path, err)
	}
	if err := db.PingContext(context.Background()); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open flow store %s: %w", path, err)
	}
	return db, nil
}

func checkVersion(db *sql.DB, path string, create bool) error {
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("flow store %s: %w", path, err)
	}
	switch {
	case v == schemaVersion:
		return nil
	case v == 0 && create:
		if _, err := db.Exec(createSQL()); err != nil {
			return fmt.Errorf("create flow store schema: %w", err)
		}
		_, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", schemaVersion))
		return err
	case v == 0:
		return fmt.Errorf("flow store %s is empty: no collector has written to it yet", path)
	case (v == 1 || v == 2) && create:
		// Version 2 added the rollup, 3 its latency histograms: (re)build it from the flows.
		for _, stmt := range []string{"DROP TABLE IF EXISTS rollup", rollupCreateSQL(), rollupFromFlowsSQL(), fmt.Sprintf("PRAGMA user_version = %d", schemaVersion)} {
			if _, err := db.Exec(stmt); err != nil {
				return fmt.Errorf("upgrade flow store %s to version %d: %w", path, schemaVersion, err)
			}
		}
		return nil
	case v < schemaVersion:
		return fmt.Errorf("flow store %s has schema version %d: the collector upgrades it when it starts", path, v)
	}
	return fmt.Errorf("flow store %s has schema version %d, newer than this build's %d: use a newer flowlens, or another path", path, v, schemaVersion)
}
