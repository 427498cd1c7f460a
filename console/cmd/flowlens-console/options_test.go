// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"flag"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFlagErrorsNameTheFlag(t *testing.T) {
	for args, want := range map[string][]string{
		"no backend":           {},
		"--auth":               {"--store=/tmp/x.db", "--auth=maybe"},
		"--mode":               {"--store=/tmp/x.db", "--mode=cloud"},
		"--loki-url":           {"--loki-url=loki:3100"},
		"--prometheus-url":     {"--prometheus-url=ftp://p"},
		"--loki-ca-file":       {"--loki-url=https://loki:3100", "--loki-ca-file=/nonexistent/ca.pem"},
		"--loki-static-labels": {"--loki-url=http://loki:3100", "--loki-static-labels=app"},
	} {
		var o options
		fl := flag.NewFlagSet("t", flag.ContinueOnError)
		o.register(fl)
		require.NoError(t, fl.Parse(append(want, "--config=/nonexistent-optional.yaml")))
		_, closeAll, err := o.build(context.Background(), slog.Default())
		closeAll()
		require.Error(t, err, args)
		if args == "no backend" {
			assert.ErrorContains(t, err, "no backend: give --store, --loki-url or --prometheus-url")
		} else {
			assert.ErrorContains(t, err, args)
		}
	}
}
