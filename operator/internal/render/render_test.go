// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
	"github.com/flowlens/flowlens/operator/internal/crdschema"
)

// admit builds a FlowCollector from a spec YAML, defaulted as the API server would.
func admit(t *testing.T, spec string) *v1beta2.FlowCollector {
	t.Helper()
	s, err := crdschema.Load()
	require.NoError(t, err)
	doc := "apiVersion: flows.netobserv.io/v1beta2\nkind: FlowCollector\nmetadata: {name: cluster}\nspec:\n" + indent(spec)
	fcs, err := s.AdmitYAML([]byte(doc))
	require.NoError(t, err)
	return fcs[0]
}

func indent(s string) string {
	if strings.TrimSpace(s) == "" {
		return "  {}\n"
	}
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString("  " + l + "\n")
	}
	return b.String()
}

func find[T client.Object](objs []client.Object, name string) T {
	var zero T
	for _, o := range objs {
		if t, ok := o.(T); ok && o.GetName() == name {
			return t
		}
	}
	return zero
}

// config parses the collector config of ConfigMap name.
func config(t *testing.T, res *Result, name string) map[string]any {
	t.Helper()
	cm := find[*corev1.ConfigMap](res.Objects, name)
	require.NotNil(t, cm, "ConfigMap %s", name)
	var cfg map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(cm.Data[ConfigKey]), &cfg))
	return cfg
}

func dig(m map[string]any, path ...string) any {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

func issuePaths(res *Result) []string {
	var out []string
	for _, i := range res.Issues {
		out = append(out, i.Path)
	}
	return out
}

// core is the collector before any flowlens output existed: it renders every output as missing.
var core = Components{
	ReceiverEBPFFlow: true, ReceiverOTLP: true, ProcessorMemoryLimiter: true, ProcessorBatch: true,
	ExporterOTLPGRPC: true, ExporterOTLPHTTP: true, ExporterDebug: true, ExtensionHealthCheck: true, ExtensionPprof: true,
}

func without(cs Components, drop ...Component) Components {
	out := Components{}
	for c, on := range cs {
		out[c] = on
	}
	for _, c := range drop {
		delete(out, c)
	}
	return out
}

func TestRenderIsDeterministic(t *testing.T) {
	fc := admit(t, "exporters:\n- {type: IPFIX, ipfix: {targetHost: h}}\n- {type: OpenTelemetry, openTelemetry: {targetHost: o}}")
	var first string
	for i := 0; i < 5; i++ {
		res, err := Render(fc, Options{Available: All(), ServiceMonitorCRD: true, PrometheusRuleCRD: true})
		require.NoError(t, err)
		y, err := YAML(res.Objects)
		require.NoError(t, err)
		if i == 0 {
			first = y
			continue
		}
		require.Equal(t, first, y)
	}
}

func TestSamplingChangesConfigHash(t *testing.T) {
	hashOf := func(sampling string) string {
		res, err := Render(admit(t, "agent: {ebpf: {sampling: "+sampling+"}}"), Options{})
		require.NoError(t, err)
		ds := find[*appsv1.DaemonSet](res.Objects, NodeName)
		require.NotNil(t, ds)
		assert.Equal(t, int64(mustInt(t, sampling)), int64(dig(config(t, res, NodeConfigMap), "receivers", "ebpfflow", "sampling").(float64)))
		return ds.Spec.Template.Annotations[AnnotationConfigHash]
	}
	a, b := hashOf("50"), hashOf("10")
	assert.Len(t, a, 64)
	assert.NotEqual(t, a, b)
	assert.Equal(t, a, hashOf("50"))
}

func mustInt(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}

func TestDeploymentModels(t *testing.T) {
	kafka := "deploymentModel: Kafka\nkafka: {address: 'k:9092', topic: flows}"
	for _, tc := range []struct {
		name, spec string
		avail      Components
		gateway    bool
		receiver   string // gateway receiver
		nodeExport string
		issue      string
	}{
		{"service", "", core, true, "otlp", "otlp_grpc/gateway", ""},
		{"direct", "deploymentModel: Direct", core, false, "", "debug", ""},
		{"direct with Loki", "deploymentModel: Direct", All(), false, "", "lokiflow", ""},
		{"kafka", kafka, All(), true, "kafka", "kafka", ""},
		{"kafka without kafka components", kafka, without(All(), ReceiverKafka), true, "otlp", "otlp_grpc/gateway", "spec.deploymentModel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Render(admit(t, tc.spec), Options{Available: tc.avail})
			require.NoError(t, err)
			node := config(t, res, NodeConfigMap)
			assert.Contains(t, dig(node, "service", "pipelines", "logs", "exporters"), tc.nodeExport)
			dep := find[*appsv1.Deployment](res.Objects, GatewayName)
			if !tc.gateway {
				assert.Nil(t, dep)
				assert.Nil(t, find[*corev1.ConfigMap](res.Objects, GatewayConfigMap))
				return
			}
			require.NotNil(t, dep)
			gw := config(t, res, GatewayConfigMap)
			assert.Equal(t, []any{tc.receiver}, dig(gw, "service", "pipelines", "logs", "receivers"))
			if tc.issue != "" {
				assert.Contains(t, issuePaths(res), tc.issue)
			}
		})
	}
}

func TestOutputsNeedTheirComponents(t *testing.T) {
	fc := admit(t, "exporters:\n- {type: IPFIX, ipfix: {targetHost: h}}")
	res, err := Render(fc, Options{Available: core})
	require.NoError(t, err)
	gw := config(t, res, GatewayConfigMap)
	assert.Nil(t, dig(gw, "exporters", "lokiflow"))
	assert.Nil(t, dig(gw, "exporters", "ipfix/export-0"))
	assert.Contains(t, issuePaths(res), "spec.loki")
	assert.Contains(t, issuePaths(res), "spec.exporters[0]")

	res, err = Render(fc, Options{Available: All()})
	require.NoError(t, err)
	gw = config(t, res, GatewayConfigMap)
	assert.Equal(t, "http://loki:3100/loki/api/v1/push", dig(gw, "exporters", "lokiflow", "endpoint"))
	assert.Equal(t, "h:4739", dig(gw, "exporters", "ipfix/export-0", "endpoint"))
	assert.Equal(t, "tcp", dig(gw, "exporters", "ipfix/export-0", "transport"))
	assert.Empty(t, res.Issues)
}

func TestNodeSecurity(t *testing.T) {
	for _, tc := range []struct {
		name, spec string
		privileged bool
		caps       []corev1.Capability
		tracefs    bool
	}{
		{"capabilities", "", false, defaultCapabilities, false},
		{"privileged", "agent: {ebpf: {privileged: true}}", true, nil, false},
		{"override", "agent: {ebpf: {advanced: {capOverride: [BPF, NET_ADMIN, SYS_RESOURCE]}}}", false, []corev1.Capability{"BPF", "NET_ADMIN", "SYS_RESOURCE"}, false},
		{"tracefs for PacketDrop", "agent: {ebpf: {features: [PacketDrop]}}", false, defaultCapabilities, true},
		{"no tracefs for DNS", "agent: {ebpf: {features: [DNSTracking, FlowRTT]}}", false, defaultCapabilities, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Render(admit(t, tc.spec), Options{Available: All()})
			require.NoError(t, err)
			ds := find[*appsv1.DaemonSet](res.Objects, NodeName)
			pod := ds.Spec.Template.Spec
			assert.True(t, pod.HostNetwork)
			assert.Equal(t, corev1.DNSClusterFirstWithHostNet, pod.DNSPolicy)
			sc := pod.Containers[0].SecurityContext
			assert.Equal(t, int64(0), *sc.RunAsUser)
			if tc.privileged {
				assert.True(t, *sc.Privileged)
				assert.Nil(t, sc.Capabilities)
			} else {
				assert.Nil(t, sc.Privileged)
				assert.Equal(t, tc.caps, sc.Capabilities.Add)
				assert.Equal(t, []corev1.Capability{"ALL"}, sc.Capabilities.Drop)
			}
			hasTracefs := false
			for _, v := range pod.Volumes {
				hasTracefs = hasTracefs || v.Name == "tracefs"
				assert.NotEqual(t, "/sys/fs/bpf", ptr.Deref(v.HostPath, corev1.HostPathVolumeSource{}).Path, "no feature pins maps")
			}
			assert.Equal(t, tc.tracefs, hasTracefs)
			env := pod.Containers[0].Env[0]
			assert.Equal(t, "NODE_IP", env.Name)
			assert.Equal(t, "status.hostIP", env.ValueFrom.FieldRef.FieldPath)
		})
	}
}

func TestGatewayReplicasAndHPA(t *testing.T) {
	kafka := "deploymentModel: Kafka\nkafka: {address: 'k:9092', topic: flows}\n"
	for _, tc := range []struct {
		name, spec string
		replicas   *int32
		hpa        bool
	}{
		{"default", "", ptr.To(int32(3)), false},
		{"consumerReplicas", "processor: {consumerReplicas: 5}", ptr.To(int32(5)), false},
		{"unmanaged", "processor: {unmanagedReplicas: true}", nil, false},
		{"kafka deprecated replicas", kafka + "processor: {kafkaConsumerReplicas: 4}", ptr.To(int32(4)), false},
		{"kafka autoscaler", kafka + "processor: {kafkaConsumerAutoscaler: {status: Enabled, minReplicas: 2, maxReplicas: 9}}", nil, true},
		{"autoscaler ignored outside kafka", "processor: {kafkaConsumerAutoscaler: {status: Enabled}}", ptr.To(int32(3)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Render(admit(t, tc.spec), Options{Available: All()})
			require.NoError(t, err)
			dep := find[*appsv1.Deployment](res.Objects, GatewayName)
			require.NotNil(t, dep)
			assert.Equal(t, tc.replicas, dep.Spec.Replicas)
			found := false
			for _, o := range res.Objects {
				found = found || o.GetObjectKind().GroupVersionKind().Kind == "HorizontalPodAutoscaler"
			}
			assert.Equal(t, tc.hpa, found)
		})
	}
}

func TestRBACFollowsTheConfig(t *testing.T) {
	kinds := func(res *Result) []string {
		var out []string
		for _, o := range res.Objects {
			if k := o.GetObjectKind().GroupVersionKind().Kind; strings.HasPrefix(k, "ClusterRole") {
				out = append(out, k+"/"+o.GetName())
			}
		}
		return out
	}
	res, err := Render(admit(t, ""), Options{Available: core})
	require.NoError(t, err)
	assert.Equal(t, []string{"ClusterRole/flowlens-console", "ClusterRoleBinding/flowlens-console"}, kinds(res), "no k8sflow, no informer rights")

	res, err = Render(admit(t, "deploymentModel: Direct\nloki: {mode: LokiStack}"), Options{Available: All()})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{
		"ClusterRole/flowlens-console", "ClusterRoleBinding/flowlens-console",
		"ClusterRole/flowlens-k8sflow", "ClusterRoleBinding/flowlens-k8sflow",
		"ClusterRole/flowlens-loki-writer", "ClusterRoleBinding/flowlens-loki-writer",
	}, kinds(res))
	for _, o := range res.Objects {
		if o.GetObjectKind().GroupVersionKind().Kind == "ClusterRoleBinding" && o.GetName() != ConsoleRole {
			assert.Contains(t, mustYAML(t, o), "name: "+NodeName, "Direct: the node collectors enrich and write")
		}
	}
}

func mustYAML(t *testing.T, o client.Object) string {
	y, err := YAML([]client.Object{o})
	require.NoError(t, err)
	return y
}

func TestConsole(t *testing.T) {
	res, err := Render(admit(t, "loki: {enable: false}\nprometheus: {querier: {enable: false}}"), Options{})
	require.NoError(t, err)
	assert.Nil(t, find[*appsv1.Deployment](res.Objects, ConsoleName), "no data source, no console")

	res, err = Render(admit(t, "loki: {mode: Microservices}\nconsolePlugin: {advanced: {port: 9100}, quickFilters: [{name: Mine, filter: {src_namespace: a}}]}"),
		Options{ConsoleImage: "example/console:1"})
	require.NoError(t, err)
	dep := find[*appsv1.Deployment](res.Objects, ConsoleName)
	require.NotNil(t, dep)
	c := dep.Spec.Template.Spec.Containers[0]
	assert.Equal(t, "example/console:1", c.Image)
	assert.Equal(t, []string{"--listen=:9100", "--loki-url=http://loki-query-frontend:3100/", "--loki-tenant-id=netobserv", "--prometheus-url=http://prometheus:9090"}, c.Args)
	cm := find[*corev1.ConfigMap](res.Objects, ConsoleConfigMap)
	assert.Contains(t, cm.Data[ConfigKey], "name: Mine")

	// Users' own tokens to Loki and Prometheus, Prometheus' CA mounted.
	res, err = Render(admit(t, `
loki: {mode: Manual, manual: {querierUrl: "https://loki:3100/", authToken: Forward}}
prometheus: {querier: {manual: {url: "https://thanos:9091", forwardUserToken: true,
  tls: {enable: true, caCert: {type: configmap, name: thanos-ca, certFile: ca.crt}}}}}`), Options{})
	require.NoError(t, err)
	pod := find[*appsv1.Deployment](res.Objects, ConsoleName).Spec.Template.Spec
	assert.Equal(t, []string{"--listen=:9001", "--loki-url=https://loki:3100/", "--loki-tenant-id=netobserv", "--loki-forward-user-token",
		"--prometheus-url=https://thanos:9091", "--prometheus-forward-user-token",
		"--prometheus-ca-file=/var/run/flowlens/tls/configmap-thanos-ca/ca.crt"}, pod.Containers[0].Args)
	require.Len(t, pod.Volumes, 2)
	assert.Equal(t, "thanos-ca", pod.Volumes[1].ConfigMap.Name)
	assert.Equal(t, "/var/run/flowlens/tls/configmap-thanos-ca", pod.Containers[0].VolumeMounts[1].MountPath)
}

func TestUnsupportedFieldsAreReported(t *testing.T) {
	res, err := Render(admit(t, `
agent: {type: IPFIX}
processor:
  logTypes: All
  subnetLabels: {openShiftAutoDetect: true}
  metrics: {healthRules: [{template: DNSErrors, variants: [{thresholds: {warning: "5"}}]}]}
loki: {monolithic: {installDemoLoki: true}}
`), Options{Available: All()})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"spec.agent.type", "spec.loki.monolithic.installDemoLoki", "spec.processor.logTypes",
		"spec.processor.metrics.healthRules", "spec.processor.subnetLabels.openShiftAutoDetect",
	}, issuePaths(res))
}

func TestIncludeListPrunesDisabledFeatures(t *testing.T) {
	res, err := Render(admit(t, "agent: {ebpf: {features: [FlowRTT]}}"), Options{Available: All()})
	require.NoError(t, err)
	list := dig(config(t, res, GatewayConfigMap), "connectors", "flowmetrics", "include_list").([]any)
	assert.Contains(t, list, "namespace_rtt_seconds")
	assert.NotContains(t, list, "namespace_drop_packets_total")
	assert.NotContains(t, list, "namespace_dns_latency_seconds")
	assert.NotContains(t, list, "workload_sampling")
}

func TestInvalidFlowCollectorIsRefused(t *testing.T) {
	fc := admit(t, "")
	fc.Spec.Agent.EBPF.FlowFilter = &v1beta2.EBPFFlowFilter{Enable: ptr.To(true), Rules: []v1beta2.EBPFFlowFilterRule{{CIDR: "10.0.0.0/8"}, {CIDR: "10.1.0.0/8"}}}
	_, err := Render(fc, Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "spec.agent.ebpf.flowFilter.rules[1]")
}

func TestBranchesUseTheForwardConnector(t *testing.T) {
	fc := admit(t, `exporters:
- {type: Kafka, kafka: {address: 'k:9092', topic: t}}
- {type: OpenTelemetry, openTelemetry: {targetHost: o, fieldsMapping: [{input: SrcAddr, output: src}]}}`)
	res, err := Render(fc, Options{Available: All()})
	require.NoError(t, err)
	gw := config(t, res, GatewayConfigMap)
	assert.Contains(t, dig(gw, "service", "pipelines", "logs", "exporters"), "forward")
	assert.Equal(t, []any{"forward"}, dig(gw, "service", "pipelines", "logs/export-0", "receivers"))
	assert.Equal(t, []any{"flowfields/export-0"}, dig(gw, "service", "pipelines", "logs/export-0", "processors"))
	assert.Equal(t, "netobserv_json", dig(gw, "processors", "flowfields/export-0", "body"))
	assert.Equal(t, "raw", dig(gw, "exporters", "kafka/export-0", "logs", "encoding"))
	assert.Equal(t, "netobserv", dig(gw, "processors", "flowfields/export-1", "naming"))

	res, err = Render(fc, Options{Available: without(All(), ConnectorForward)})
	require.NoError(t, err)
	gw = config(t, res, GatewayConfigMap)
	assert.Nil(t, dig(gw, "connectors", "forward"))
	assert.Equal(t, []any{"otlp"}, dig(gw, "service", "pipelines", "logs/export-1", "receivers"))
	assert.Equal(t, []any{"memory_limiter", "k8sflow", "flowfields/export-1", "batch"}, dig(gw, "service", "pipelines", "logs/export-1", "processors"))
}

func TestFlowFilterCriteriaTheReceiverRefuses(t *testing.T) {
	res, err := Render(admit(t, `agent: {ebpf: {flowFilter: {enable: true, rules: [{cidr: 10.0.0.0/8, protocol: TCP, icmpType: 8, pktDrops: true}]}}}`), Options{Available: All()})
	require.NoError(t, err)
	rule := dig(config(t, res, NodeConfigMap), "receivers", "ebpfflow", "flow_filter", "rules").([]any)[0].(map[string]any)
	assert.Equal(t, map[string]any{"action": "Accept", "cidr": "10.0.0.0/8", "protocol": "TCP"}, rule)
	assert.Contains(t, issuePaths(res), "spec.agent.ebpf.flowFilter.rules[0].pktDrops")
	assert.Contains(t, issuePaths(res), "spec.agent.ebpf.flowFilter.rules[0].icmpType")
}
