// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"slices"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

var read = []string{"get", "list", "watch"}

// k8sflowRules are what the k8sflow processor's informers read: the flow ends (pods, services,
// nodes) and the owner chain up to the workload.
var k8sflowRules = []rbacv1.PolicyRule{
	{APIGroups: []string{""}, Resources: []string{"pods", "services", "nodes"}, Verbs: read},
	{APIGroups: []string{"apps"}, Resources: []string{"replicasets", "deployments", "statefulsets", "daemonsets"}, Verbs: read},
	{APIGroups: []string{"batch"}, Resources: []string{"jobs", "cronjobs"}, Verbs: read},
}

// consoleRules let the console check who a user is and which namespaces they may read.
var consoleRules = []rbacv1.PolicyRule{
	{APIGroups: []string{"authentication.k8s.io"}, Resources: []string{"tokenreviews"}, Verbs: []string{"create"}},
	{APIGroups: []string{"authorization.k8s.io"}, Resources: []string{"subjectaccessreviews"}, Verbs: []string{"create"}},
	// A user who may not read pods cluster-wide gets the namespaces where they may.
	{APIGroups: []string{""}, Resources: []string{"namespaces"}, Verbs: []string{"list"}},
}

// lokiReaderRule lets the console read a LokiStack's network tenant.
var lokiReaderRule = rbacv1.PolicyRule{APIGroups: []string{"loki.grafana.com"}, Resources: []string{"network"}, ResourceNames: []string{"logs"}, Verbs: []string{"get"}}

// lokiWriterRules let a service account write to a LokiStack's network tenant.
var lokiWriterRules = []rbacv1.PolicyRule{
	{APIGroups: []string{"loki.grafana.com"}, Resources: []string{"network"}, ResourceNames: []string{"logs"}, Verbs: []string{"create"}},
}

// rbac grants each workload what its rendered config uses, and nothing when it uses nothing.
func (r *renderer) rbac(node, gateway *stage) []client.Object {
	var objs []client.Object
	for _, st := range []*stage{node, gateway} {
		if st == nil {
			continue
		}
		if slices.Contains(st.processors, "k8sflow") {
			objs = append(objs, clusterRole(K8sFlowRole, k8sflowRules), clusterRoleBinding(K8sFlowRole, st))
		}
		if _, ok := st.cfg.Exporters["lokiflow"]; ok && r.lokiTarget().lokiStack != nil {
			objs = append(objs, clusterRole(LokiWriterRole, lokiWriterRules), clusterRoleBinding(LokiWriterRole, st))
		}
	}
	if r.spec.UseConsole() {
		rules := consoleRules
		if r.spec.UseLoki() && r.lokiTarget().lokiStack != nil {
			rules = append(slices.Clone(rules), lokiReaderRule)
		}
		objs = append(objs, clusterRole(ConsoleRole, rules),
			clusterRoleBinding(ConsoleRole, &stage{name: ConsoleName, namespace: r.spec.NamespaceOrDefault()}))
	}
	return objs
}

func clusterRole(name string, rules []rbacv1.PolicyRule) *rbacv1.ClusterRole {
	return &rbacv1.ClusterRole{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels(name)},
		Rules:      rules,
	}
}

// clusterRoleBinding binds ClusterRole name to the stage's service account.
func clusterRoleBinding(name string, st *stage) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels(name)},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: name},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: st.name, Namespace: st.namespace}},
	}
}
