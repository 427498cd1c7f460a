// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
)

// networkPolicies isolate the flowlens namespaces (spec.networkPolicy.enable). Only ingress is
// restricted: the outputs (Loki, Kafka, IPFIX, OTLP, the API server) are wherever the user put
// them.
func (r *renderer) networkPolicies() []client.Object {
	if !r.spec.UseNetworkPolicy() {
		return nil
	}
	ns := r.spec.NamespaceOrDefault()
	from := []networkingv1.NetworkPolicyPeer{
		{PodSelector: &metav1.LabelSelector{}}, // the namespace's own pods
		nsPeer(r.spec.PrivilegedNamespace()),
	}
	for _, extra := range r.spec.NetworkPolicy.AdditionalNamespaces {
		from = append(from, nsPeer(extra))
	}
	rules := []networkingv1.NetworkPolicyIngressRule{{From: from}}
	if r.model == v1beta2.DeploymentModelService {
		// The node collectors run on the host network: their traffic comes from node addresses,
		// which no portable selector matches, so the OTLP port is open to all sources.
		rules = append(rules, networkingv1.NetworkPolicyIngressRule{
			Ports: []networkingv1.NetworkPolicyPort{tcpPort(r.spec.Processor.Port())},
		})
	}
	main := networkPolicy(ns, rules)
	// The privileged namespace holds only host-network pods, which NetworkPolicies do not
	// cover; deny everything else that might land there.
	priv := networkPolicy(r.spec.PrivilegedNamespace(), nil)
	return []client.Object{main, priv}
}

func networkPolicy(namespace string, ingress []networkingv1.NetworkPolicyIngressRule) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: NetworkPolicy, Namespace: namespace, Labels: labels(NetworkPolicy)},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     ingress,
		},
	}
}

func nsPeer(name string) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{NamespaceSelector: &metav1.LabelSelector{
		MatchLabels: map[string]string{"kubernetes.io/metadata.name": name},
	}}
}

func tcpPort(port int32) networkingv1.NetworkPolicyPort {
	p := intstr.FromInt32(port)
	return networkingv1.NetworkPolicyPort{Port: &p, Protocol: ptr.To(corev1.ProtocolTCP)}
}
