// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package controller

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
	"github.com/flowlens/flowlens/operator/internal/render"
)

// ownedKinds are every kind the operator may create, namespaced or not. Pruning lists each one.
var ownedKinds = []struct {
	gvk        schema.GroupVersionKind
	namespaced bool
}{
	{schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, true},
	{schema.GroupVersionKind{Version: "v1", Kind: "Secret"}, true},
	{schema.GroupVersionKind{Version: "v1", Kind: "ServiceAccount"}, true},
	{schema.GroupVersionKind{Version: "v1", Kind: "Service"}, true},
	{schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "DaemonSet"}, true},
	{schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, true},
	{schema.GroupVersionKind{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler"}, true},
	{schema.GroupVersionKind{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"}, true},
	{schema.GroupVersionKind{Group: "monitoring.coreos.com", Version: "v1", Kind: "ServiceMonitor"}, true},
	{schema.GroupVersionKind{Group: "monitoring.coreos.com", Version: "v1", Kind: "PrometheusRule"}, true},
	{schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole"}, false},
	{schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleBinding"}, false},
}

// prune deletes the objects fc controls that are not in res (all of them when res is nil): the
// rendered objects and the copies. It looks in the FlowCollector's two namespaces
// (spec.namespace is immutable) and at cluster scope, by the managed-by label, and deletes only
// what fc's UID controls.
func (r *Reconciler) prune(ctx context.Context, fc *v1beta2.FlowCollector, res *render.Result, opts render.Options) error {
	want := map[string]bool{}
	if res != nil {
		for _, o := range res.Objects {
			want[key(o.GetObjectKind().GroupVersionKind().Kind, o.GetNamespace(), o.GetName())] = true
		}
		for _, c := range res.Copies {
			want[key(c.Kind, c.ToNamespace, c.Name)] = true
		}
	}
	namespaces := []string{fc.Spec.NamespaceOrDefault(), fc.Spec.PrivilegedNamespace()}
	var errs []error
	for _, k := range ownedKinds {
		if k.gvk.Group == "monitoring.coreos.com" &&
			!(k.gvk.Kind == "ServiceMonitor" && opts.ServiceMonitorCRD || k.gvk.Kind == "PrometheusRule" && opts.PrometheusRuleCRD) {
			continue // not served: nothing can exist
		}
		scopes := []string{""}
		if k.namespaced {
			scopes = namespaces
		}
		for _, ns := range scopes {
			list := &metav1.PartialObjectMetadataList{}
			list.SetGroupVersionKind(k.gvk.GroupVersion().WithKind(k.gvk.Kind + "List"))
			listOpts := []client.ListOption{client.MatchingLabels{render.LabelManagedBy: render.ManagedBy}}
			if ns != "" {
				listOpts = append(listOpts, client.InNamespace(ns))
			}
			if err := r.APIReader.List(ctx, list, listOpts...); err != nil {
				errs = append(errs, fmt.Errorf("list %s: %w", k.gvk.Kind, err))
				continue
			}
			for i := range list.Items {
				item := &list.Items[i]
				if want[key(k.gvk.Kind, item.Namespace, item.Name)] || !controlledBy(item, fc) {
					continue
				}
				item.SetGroupVersionKind(k.gvk)
				err := r.Client.Delete(ctx, item, client.PropagationPolicy(metav1.DeletePropagationBackground))
				if err != nil && !apierrors.IsNotFound(err) {
					errs = append(errs, fmt.Errorf("prune %s %s/%s: %w", k.gvk.Kind, item.Namespace, item.Name, err))
				}
			}
		}
	}
	return errors.Join(errs...)
}

func key(kind, namespace, name string) string {
	return kind + "/" + namespace + "/" + name
}

func controlledBy(obj metav1.Object, fc *v1beta2.FlowCollector) bool {
	ref := metav1.GetControllerOfNoCopy(obj)
	return ref != nil && ref.UID == fc.UID
}
