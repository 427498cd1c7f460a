// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package render turns a FlowCollector into the Kubernetes objects that run it: the node and
// gateway collector configs (ConfigMaps), their workloads, Services, RBAC, NetworkPolicies,
// monitoring objects and the console. It is pure: no client, no clock, no randomness; the same
// input always gives the same objects in the same order.
package render // import "github.com/flowlens/flowlens/operator/internal/render"

import (
	"fmt"
	"sort"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
)

// Options are the facts the FlowCollector does not hold.
type Options struct {
	// CollectorImage runs the node collectors and the gateway.
	CollectorImage string
	// ConsoleImage runs the console.
	ConsoleImage string
	// Available is the component set of the collector image; nil means Available.
	Available Components
	// ServiceMonitorCRD and PrometheusRuleCRD say whether the cluster serves these
	// monitoring.coreos.com kinds; their objects are rendered only then.
	ServiceMonitorCRD bool
	PrometheusRuleCRD bool
}

// Default images, overridden by the operator's flags.
const (
	DefaultCollectorImage = "flowlens/otelcol-flowlens:0.1.0"
	DefaultConsoleImage   = "flowlens/console:0.1.0"
)

// Issue is a part of the FlowCollector that was accepted but is not acted on: a field flowlens
// does not support, or an output whose collector component is not in the build.
type Issue struct {
	// Path is the field, e.g. spec.loki or spec.agent.ebpf.features[2].
	Path string
	// Reason says why it is not acted on.
	Reason string
}

func (i Issue) String() string { return i.Path + ": " + i.Reason }

// Copy is a Secret or ConfigMap that a collector pod mounts but that lives in another
// namespace: the controller copies it (a pure render cannot read it).
type Copy struct {
	Kind          string // Secret or ConfigMap
	Name          string // same name in both namespaces
	FromNamespace string
	ToNamespace   string
}

// Result is what a FlowCollector renders to.
type Result struct {
	// Objects to apply, in a stable order (kind, namespace, name).
	Objects []client.Object
	// Issues, sorted by path.
	Issues []Issue
	// Copies the controller must make before the pods can start, sorted.
	Copies []Copy
}

// renderer holds the state of one Render call.
type renderer struct {
	fc     *v1beta2.FlowCollector
	spec   *v1beta2.FlowCollectorSpec
	opts   Options
	avail  Components
	issues map[string]Issue
	copies map[Copy]bool
	// model is the deployment model rendered: spec.deploymentModel, or Service when the Kafka
	// components are not in the collector yet.
	model v1beta2.FlowCollectorDeploymentModel
}

// Render renders fc. It fails only on a FlowCollector that its own validation (CRD + webhook)
// would have refused.
func Render(fc *v1beta2.FlowCollector, opts Options) (*Result, error) {
	if opts.CollectorImage == "" {
		opts.CollectorImage = DefaultCollectorImage
	}
	if opts.ConsoleImage == "" {
		opts.ConsoleImage = DefaultConsoleImage
	}
	if opts.Available == nil {
		opts.Available = Available
	}
	if errs := fc.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("invalid FlowCollector: %w", errs.ToAggregate())
	}
	r := &renderer{fc: fc, spec: &fc.Spec, opts: opts, avail: opts.Available, issues: map[string]Issue{}, copies: map[Copy]bool{}}
	r.model = fc.Spec.Model()
	if r.model == v1beta2.DeploymentModelKafka && !r.need("spec.deploymentModel", ExporterKafka, ReceiverKafka) {
		r.issues["spec.deploymentModel"] = Issue{Path: "spec.deploymentModel", Reason: "Kafka needs the kafka exporter and receiver, which are not in this collector build yet: the Service model is rendered instead"}
		r.model = v1beta2.DeploymentModelService
	}
	objs, err := r.objects()
	if err != nil {
		return nil, err
	}
	res := &Result{Objects: objs}
	for _, i := range r.issues {
		res.Issues = append(res.Issues, i)
	}
	sort.Slice(res.Issues, func(a, b int) bool { return res.Issues[a].Path < res.Issues[b].Path })
	for c := range r.copies {
		res.Copies = append(res.Copies, c)
	}
	sort.Slice(res.Copies, func(a, b int) bool {
		x, y := res.Copies[a], res.Copies[b]
		return x.ToNamespace+"/"+x.Kind+"/"+x.Name < y.ToNamespace+"/"+y.Kind+"/"+y.Name
	})
	sortObjects(res.Objects)
	return res, nil
}

// issue records that path is accepted but not acted on. The first reason for a path wins.
func (r *renderer) issue(path, format string, args ...any) {
	if _, ok := r.issues[path]; !ok {
		r.issues[path] = Issue{Path: path, Reason: fmt.Sprintf(format, args...)}
	}
}

// need says whether the collector has every one of cs; if not, it records an issue on path
// naming the first missing one.
func (r *renderer) need(path string, cs ...Component) bool {
	for _, c := range cs {
		if !r.avail[c] {
			r.issue(path, "%s is not in this collector build yet", c.Describe())
			return false
		}
	}
	return true
}

// objects renders every object: the collectors first (they decide RBAC), then the rest.
func (r *renderer) objects() ([]client.Object, error) {
	node, gateway := r.collectors()
	var objs []client.Object
	objs = append(objs, r.namespaces()...)
	for _, st := range []*stage{node, gateway} {
		if st == nil {
			continue
		}
		cm, sum, err := configMap(st)
		if err != nil {
			return nil, err
		}
		objs = append(objs, cm, serviceAccount(st.name, st.namespace))
		if st == node {
			objs = append(objs, r.daemonSet(st, sum), r.nodeMetricsService(st))
		} else {
			objs = append(objs, r.gatewayDeployment(st, sum), r.gatewayMetricsService(st))
			if svc := r.gatewayService(); svc != nil {
				objs = append(objs, svc)
			}
			if hpa := r.gatewayHPA(); hpa != nil {
				objs = append(objs, hpa)
			}
		}
	}
	objs = append(objs, r.rbac(node, gateway)...)
	console, err := r.console()
	if err != nil {
		return nil, err
	}
	objs = append(objs, console...)
	objs = append(objs, r.networkPolicies()...)
	objs = append(objs, r.monitoring(node, gateway)...)
	r.unsupported()
	return objs, nil
}

// collectors renders the node collector and, except in the Direct model, the gateway.
func (r *renderer) collectors() (node, gateway *stage) {
	node = newStage(NodeName, r.spec.PrivilegedNamespace())
	switch r.model {
	case v1beta2.DeploymentModelDirect:
		r.nodeCollector(node, nil)
		r.enrich(node)
		r.outputs(node)
	default:
		gateway = newStage(GatewayName, r.spec.NamespaceOrDefault())
		r.nodeCollector(node, gateway)
		r.gatewayCollector(gateway)
		r.enrich(gateway)
		r.outputs(gateway)
	}
	for _, st := range []*stage{node, gateway} {
		if st != nil {
			r.finishPipelines(st)
		}
	}
	return node, gateway
}

// kindOrder sorts objects the way they must be applied: namespaces and RBAC before the pods
// that use them, config before workloads.
var kindOrder = map[string]int{
	"Namespace": 0, "ServiceAccount": 1, "ClusterRole": 2, "ClusterRoleBinding": 3, "Role": 4,
	"RoleBinding": 5, "Secret": 6, "ConfigMap": 7, "Service": 8, "DaemonSet": 9, "Deployment": 10,
	"HorizontalPodAutoscaler": 11, "NetworkPolicy": 12, "ServiceMonitor": 13, "PrometheusRule": 14,
}

func sortObjects(objs []client.Object) {
	sort.SliceStable(objs, func(i, j int) bool {
		a, b := objs[i], objs[j]
		ka, kb := a.GetObjectKind().GroupVersionKind().Kind, b.GetObjectKind().GroupVersionKind().Kind
		if kindOrder[ka] != kindOrder[kb] {
			return kindOrder[ka] < kindOrder[kb]
		}
		if a.GetNamespace() != b.GetNamespace() {
			return a.GetNamespace() < b.GetNamespace()
		}
		return a.GetName() < b.GetName()
	})
}
