// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ebpfflowreceiver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/metadata"
)

// TestLifecycleFollowsInterfaces starts the receiver on a dummy interface (no traffic: it is
// down), checks it is hooked, deletes the interface, checks it is let go, and shuts down. The
// package's goleak check then proves no goroutine outlives Shutdown.
func TestLifecycleFollowsInterfaces(t *testing.T) {
	testutil.RequireRoot(t)
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	dummy := "fltest" + hex.EncodeToString(b)

	cfg := createDefaultConfig().(*Config)
	cfg.Interfaces = []string{dummy}
	cfg.CacheActiveTimeout = 200 * time.Millisecond
	r, err := NewFactory().CreateLogs(context.Background(), receivertest.NewNopSettings(metadata.Type), cfg, new(consumertest.LogsSink))
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
	fr := r.(*flowReceiver)

	// A veth pair (this kernel has no dummy driver), both ends down: no packet ever crosses it.
	testutil.MustRun(t, "ip", "link", "add", dummy, "type", "veth", "peer", "name", dummy+"p")
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", dummy).Run() })
	testutil.WaitFor(t, 5*time.Second, "the dummy interface to be hooked", func() bool {
		return len(fr.att.Attached()) == 1
	})
	require.Equal(t, []string{dummy}, fr.att.Attached())

	testutil.MustRun(t, "ip", "link", "del", dummy)
	testutil.WaitFor(t, 5*time.Second, "the deleted interface to be let go", func() bool {
		return len(fr.att.Attached()) == 0
	})
	time.Sleep(300 * time.Millisecond) // let one eviction run
	require.NoError(t, r.Shutdown(context.Background()))
}

// TestShutdownWithoutStart is what the collector does when another component fails to start.
func TestShutdownWithoutStart(t *testing.T) {
	r, err := NewFactory().CreateLogs(context.Background(), receivertest.NewNopSettings(metadata.Type), createDefaultConfig(), new(consumertest.LogsSink))
	require.NoError(t, err)
	require.NoError(t, r.Shutdown(context.Background()))
}
