// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"fmt"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
)

// lokiStreamLabels are NetObserv's stream labels (the lokiflow exporter's default), minus
// spec.loki.advanced.excludeLabels.
var lokiStreamLabels = []string{
	"SrcK8S_Namespace", "SrcK8S_OwnerName", "SrcK8S_Type", "DstK8S_Namespace", "DstK8S_OwnerName",
	"DstK8S_Type", "K8S_FlowLayer", "FlowDirection",
}

// lokiTarget is where flows are pushed and read, per spec.loki.mode.
type lokiTarget struct {
	pushURL, queryURL, tenant string
	tls                       v1beta2.ClientTLS
	token                     bool // authenticate with the pod's service account token
	lokiStack                 *v1beta2.LokiStackRef
}

func (r *renderer) lokiTarget() lokiTarget {
	l := &r.spec.Loki
	switch l.Mode {
	case v1beta2.LokiModeManual:
		return lokiTarget{
			pushURL: orDefault(l.Manual.IngesterURL, "http://loki:3100/"), queryURL: orDefault(l.Manual.QuerierURL, "http://loki:3100/"),
			tenant: orDefault(l.Manual.TenantID, "netobserv"), tls: l.Manual.TLS,
			token: l.Manual.AuthToken == v1beta2.LokiAuthUseHostToken || l.Manual.AuthToken == v1beta2.LokiAuthForwardUserToken,
		}
	case v1beta2.LokiModeMicroservices:
		return lokiTarget{
			pushURL: orDefault(l.Microservices.IngesterURL, "http://loki-distributor:3100/"), queryURL: orDefault(l.Microservices.QuerierURL, "http://loki-query-frontend:3100/"),
			tenant: orDefault(l.Microservices.TenantID, "netobserv"), tls: l.Microservices.TLS,
		}
	case v1beta2.LokiModeLokiStack:
		ref := l.LokiStack
		ref.Name = orDefault(ref.Name, "loki")
		ref.Namespace = orDefault(ref.Namespace, r.spec.NamespaceOrDefault())
		// The Loki Operator's gateway: tenant "network" in the path, service CA, and the
		// writer's service account token (authorized by the flowlens-loki-writer ClusterRole).
		base := fmt.Sprintf("https://%s-gateway-http.%s.svc:8080/api/logs/v1/network/", ref.Name, ref.Namespace)
		return lokiTarget{
			pushURL: base, queryURL: base, tenant: "network", token: true, lokiStack: &ref,
			tls: v1beta2.ClientTLS{Enable: true, CACert: v1beta2.CertificateReference{
				Type: v1beta2.RefTypeConfigMap, Name: ref.Name + "-gateway-ca-bundle", Namespace: ref.Namespace, CertFile: "service-ca.crt",
			}},
		}
	default: // Monolithic
		u := orDefault(l.Monolithic.URL, "http://loki:3100/")
		return lokiTarget{pushURL: u, queryURL: u, tenant: orDefault(l.Monolithic.TenantID, "netobserv"), tls: l.Monolithic.TLS}
	}
}

// lokiOutput writes flows to Loki with the lokiflow exporter (NetObserv's labels and JSON
// lines, so a NetObserv console or LogQL query keeps working).
func (r *renderer) lokiOutput(st *stage) {
	if !r.spec.UseLoki() || !r.need("spec.loki", ExporterLokiFlow) {
		return
	}
	st.addLogsExporter("lokiflow", r.lokiflowExporter(st))
}

func (r *renderer) lokiflowExporter(st *stage) map[string]any {
	l := &r.spec.Loki
	t := r.lokiTarget()
	cfg := map[string]any{
		"endpoint":  strings.TrimSuffix(t.pushURL, "/") + "/loki/api/v1/push",
		"tenant_id": t.tenant,
		"timeout":   durationOr(l.WriteTimeout, 10*time.Second),
		"sending_queue": map[string]any{"batch": map[string]any{
			"flush_timeout": durationOr(l.WriteBatchWait, time.Second),
			"sizer":         "bytes",
			"max_size":      orDefaultInt64(l.WriteBatchSize, 10485760),
		}},
	}
	if tls := r.clientTLS(st, t.tls); tls != nil {
		cfg["tls"] = tls
	}
	if t.token {
		cfg["bearer_token_file"] = st.tokenPath()
	}
	cfg["retry_on_failure"] = lokiRetry(l.Advanced)
	staticLabels := map[string]string{"app": "netobserv-flowcollector"}
	if a := l.Advanced; a != nil {
		if a.StaticLabels != nil {
			staticLabels = a.StaticLabels
		}
		if len(a.ExcludeLabels) > 0 {
			cfg["labels"] = slices.DeleteFunc(slices.Clone(lokiStreamLabels), func(s string) bool { return slices.Contains(a.ExcludeLabels, s) })
		}
	}
	cfg["static_labels"] = staticLabels
	return cfg
}

// lokiRetry maps NetObserv's backoff and retry count to exporterhelper's retry settings. The
// retry count has no direct equivalent: it bounds the total time to about retries × max
// backoff.
func lokiRetry(a *v1beta2.AdvancedLokiConfig) map[string]any {
	minB, maxB, retries := time.Second, 5*time.Second, int32(2)
	if a != nil {
		if a.WriteMinBackoff != nil {
			minB = a.WriteMinBackoff.Duration
		}
		if a.WriteMaxBackoff != nil {
			maxB = a.WriteMaxBackoff.Duration
		}
		if a.WriteMaxRetries != nil {
			retries = *a.WriteMaxRetries
		}
	}
	if retries == 0 {
		return map[string]any{"enabled": false}
	}
	return map[string]any{
		"enabled":          true,
		"initial_interval": minB.String(),
		"max_interval":     maxB.String(),
		"max_elapsed_time": (time.Duration(retries) * maxB).String(),
	}
}

func durationOr(d *metav1.Duration, def time.Duration) string {
	if d == nil {
		return def.String()
	}
	return d.Duration.String()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orDefaultInt64(n, def int64) int64 {
	if n == 0 {
		return def
	}
	return n
}
