// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package k8sflowprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/processor/k8sflowprocessor/internal/kube"
)

// TestDirection follows NetObserv's FlowDirection rule, with our fallbacks.
func TestDirection(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                  string
		obs, srcNode, dstNode string
		before, ifDir, want   string
	}{
		{"source on the observer", "10.0.0.1", "10.0.0.1", "10.0.0.2", "", flow.DirIngress, flow.DirEgress},
		{"destination on the observer", "10.0.0.2", "10.0.0.1", "10.0.0.2", "", flow.DirEgress, flow.DirIngress},
		{"both on one node", "10.0.0.1", "10.0.0.1", "10.0.0.1", "", flow.DirEgress, flow.DirInner},
		{"to an external address", "10.0.0.1", "10.0.0.1", "", "", flow.DirEgress, flow.DirEgress},
		{"neither end known: interface direction", "10.0.0.1", "", "", "", flow.DirIngress, flow.DirIngress},
		{"neither end known: receiver's value kept", "10.0.0.1", "", "", flow.DirEgress, flow.DirIngress, flow.DirEgress},
		{"ends on other nodes: interface direction", "10.0.0.3", "10.0.0.1", "10.0.0.2", "", flow.DirEgress, flow.DirEgress},
		{"no observer", "", "10.0.0.1", "10.0.0.2", "", flow.DirIngress, flow.DirIngress},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := pcommon.NewMap()
			a.PutStr(flow.AttrIfaceDir, c.ifDir)
			if c.before != "" {
				a.PutStr(flow.AttrFlowDirection, c.before)
			}
			putDirection(a, c.obs, c.srcNode, c.dstNode)
			v, _ := a.Get(flow.AttrFlowDirection)
			assert.Equal(t, c.want, v.Str())
		})
	}
}

func TestLayer(t *testing.T) {
	t.Parallel()
	e, err := newEnricher(createDefaultConfig().(*Config))
	assert.NoError(t, err)
	ep := func(ns, name string) kube.Endpoint { return kube.Endpoint{Namespace: ns, Name: name} }
	assert.True(t, e.isApp(ep("shop", "web"), true))
	assert.False(t, e.isApp(ep("kube-system", "dns"), true))
	assert.False(t, e.isApp(ep("openshift-ingress", "router"), true))
	assert.False(t, e.isApp(ep("default", "kubernetes"), true), "the API server service is infra")
	assert.True(t, e.isApp(ep("default", "web"), true))
	assert.False(t, e.isApp(ep("", "node-1"), true), "nodes have no namespace")
	assert.False(t, e.isApp(ep("shop", "web"), false), "unknown end")
}
