// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

// enrich adds Kubernetes enrichment (k8sflow) and batching to the stage that runs the outputs:
// the node collector in the Direct model, the gateway otherwise.
func (r *renderer) enrich(st *stage) {
	if r.avail.Has(ProcessorK8sFlow) {
		st.cfg.Processors["k8sflow"] = r.k8sflowProcessor()
		st.processors = append(st.processors, "k8sflow")
	} else {
		r.issue("spec.processor", "%s is not in this collector build yet: flows are not enriched with Kubernetes metadata (addZone, clusterName, subnetLabels)", ProcessorK8sFlow.Describe())
	}
	st.cfg.Processors["batch"] = map[string]any{}
	st.processors = append(st.processors, "batch")
}

// k8sflowProcessor maps spec.processor to the k8sflow processor keys (docs/configuration.md).
func (r *renderer) k8sflowProcessor() map[string]any {
	p := &r.spec.Processor
	cfg := map[string]any{
		"auth_type": "serviceAccount",
		"add_zone":  p.AddZone != nil && *p.AddZone,
		// NetObserv counts its own namespace as infrastructure, wherever it is.
		"infra_namespace_prefixes": []string{"kube-", "openshift", r.spec.NamespaceOrDefault()},
	}
	if p.ClusterName != "" {
		cfg["cluster_name"] = p.ClusterName
	}
	if labels := p.SubnetLabels.CustomLabels; len(labels) > 0 {
		out := make([]any, 0, len(labels))
		for _, l := range labels {
			out = append(out, map[string]any{"name": l.Name, "cidrs": nonNil(l.CIDRs)})
		}
		cfg["subnet_labels"] = out
	}
	return cfg
}
