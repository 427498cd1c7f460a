// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package testutil // import "github.com/flowlens/flowlens/internal/testutil"

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc"
	_ "google.golang.org/grpc/encoding/gzip" // exporters compress by default
)

// StartKafka runs a franz-go kfake cluster (one broker, the real Kafka protocol) on loopback
// with the given topics created, and returns its address.
func StartKafka(t testing.TB, topics ...string) string {
	t.Helper()
	return StartKafkaWith(t, []kfake.Opt{kfake.SeedTopics(1, topics...)})
}

// StartKafkaWith runs a kfake cluster with extra options (SASL users, TLS...).
func StartKafkaWith(t testing.TB, opts []kfake.Opt) string {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	if err != nil {
		t.Fatalf("start kfake: %v", err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()[0]
}

// OTLPSink is an OTLP/gRPC logs server on loopback that keeps what it receives.
type OTLPSink struct {
	plogotlp.UnimplementedGRPCServer
	Addr string
	mu   sync.Mutex
	logs []plog.Logs
}

// StartOTLPSink listens on a free loopback port until the test ends.
func StartOTLPSink(t testing.TB) *OTLPSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	s := &OTLPSink{Addr: ln.Addr().String()}
	srv := grpc.NewServer()
	plogotlp.RegisterGRPCServer(srv, s)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return s
}

// Export implements plogotlp.GRPCServer.
func (s *OTLPSink) Export(_ context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	ld := plog.NewLogs()
	req.Logs().CopyTo(ld)
	s.mu.Lock()
	s.logs = append(s.logs, ld)
	s.mu.Unlock()
	return plogotlp.NewExportResponse(), nil
}

// Records returns every log record received so far, with its resource attributes merged in
// under a "resource." prefix.
func (s *OTLPSink) Records() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, ld := range s.logs {
		rls := ld.ResourceLogs()
		for i := 0; i < rls.Len(); i++ {
			res := rls.At(i).Resource().Attributes().AsRaw()
			sls := rls.At(i).ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				lrs := sls.At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					m := lrs.At(k).Attributes().AsRaw()
					for rk, rv := range res {
						m["resource."+rk] = rv
					}
					out = append(out, m)
				}
			}
		}
	}
	return out
}
