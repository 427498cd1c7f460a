// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// namespaces are the main and privileged namespaces. They are create-only: the operator creates
// them when missing and keeps the privileged one's Pod Security labels, but never owns or
// deletes them, since they may hold objects of others.
func (r *renderer) namespaces() []client.Object {
	main := namespace(r.spec.NamespaceOrDefault(), nil)
	// The node collectors need hostNetwork, UID 0 and added capabilities: the privileged Pod
	// Security level, kept to their own namespace.
	priv := namespace(r.spec.PrivilegedNamespace(), map[string]string{
		"pod-security.kubernetes.io/enforce": "privileged",
		"pod-security.kubernetes.io/audit":   "privileged",
		"pod-security.kubernetes.io/warn":    "privileged",
	})
	return []client.Object{main, priv}
}

func namespace(name string, extra map[string]string) *corev1.Namespace {
	l := map[string]string{LabelPartOf: PartOf}
	for k, v := range extra {
		l[k] = v
	}
	return &corev1.Namespace{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Labels:      l,
			Annotations: map[string]string{AnnotationCreateOnly: "true"},
		},
	}
}
