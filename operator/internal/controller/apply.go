// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package controller

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
	"github.com/flowlens/flowlens/operator/internal/render"
)

// applyAll creates or updates every rendered object (namespaces first, then the copies the pods
// mount, then the rest in render order) and returns every failure, not just the first.
func (r *Reconciler) applyAll(ctx context.Context, fc *v1beta2.FlowCollector, res *render.Result) error {
	var errs []error
	for _, obj := range res.Objects {
		if obj.GetAnnotations()[render.AnnotationCreateOnly] == "true" {
			errs = append(errs, r.ensureNamespace(ctx, obj))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err // nothing else can be created without the namespaces
	}
	for _, c := range res.Copies {
		errs = append(errs, r.copyRef(ctx, fc, c))
	}
	for _, obj := range res.Objects {
		if obj.GetAnnotations()[render.AnnotationCreateOnly] == "true" {
			continue
		}
		errs = append(errs, r.apply(ctx, fc, obj))
	}
	return errors.Join(errs...)
}

// apply creates obj, or updates the existing object to match it, as a controlled child of fc.
// An existing object without the managed-by label belongs to someone else and is left alone.
func (r *Reconciler) apply(ctx context.Context, fc *v1beta2.FlowCollector, obj client.Object) error {
	desired, err := render.ToUnstructured(obj)
	if err != nil {
		return err
	}
	if err := controllerutil.SetControllerReference(fc, desired, r.Scheme); err != nil {
		return fmt.Errorf("owner reference on %s: %w", describe(desired), err)
	}
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		existing := &unstructured.Unstructured{}
		existing.SetGroupVersionKind(desired.GroupVersionKind())
		err := r.Client.Get(ctx, client.ObjectKeyFromObject(desired), existing)
		if apierrors.IsNotFound(err) {
			return r.Client.Create(ctx, desired.DeepCopy())
		}
		if err != nil {
			return err
		}
		if existing.GetLabels()[render.LabelManagedBy] != render.ManagedBy {
			return fmt.Errorf("exists and is not managed by %s: rename or delete it", render.ManagedBy)
		}
		merged := merge(existing, desired)
		if equality.Semantic.DeepEqual(existing.Object, merged.Object) {
			return nil
		}
		return r.Client.Update(ctx, merged)
	})
	if err != nil {
		return fmt.Errorf("apply %s: %w", describe(desired), err)
	}
	return nil
}

// merge is existing with desired's content: every top-level field of desired replaces the
// existing one (so manual drift is reverted), labels and annotations are overlaid (others'
// stay), and the owner references are desired's. A replica count desired leaves unset (an
// autoscaler owns it) keeps its live value, and Service cluster IPs (allocated by the API
// server) stay.
func merge(existing, desired *unstructured.Unstructured) *unstructured.Unstructured {
	out := existing.DeepCopy()
	for k, v := range desired.Object {
		if k == "metadata" || k == "status" {
			continue
		}
		out.Object[k] = runtimeCopy(v)
	}
	out.SetLabels(overlay(existing.GetLabels(), desired.GetLabels()))
	out.SetAnnotations(overlay(existing.GetAnnotations(), desired.GetAnnotations()))
	out.SetOwnerReferences(desired.GetOwnerReferences())
	keep := func(path ...string) {
		if _, found, _ := unstructured.NestedFieldNoCopy(desired.Object, path...); found {
			return
		}
		if v, found, _ := unstructured.NestedFieldCopy(existing.Object, path...); found {
			_ = unstructured.SetNestedField(out.Object, v, path...)
		}
	}
	switch desired.GetKind() {
	case "Deployment":
		keep("spec", "replicas")
	case "Service":
		keep("spec", "clusterIP")
		keep("spec", "clusterIPs")
	}
	return out
}

func runtimeCopy(v any) any {
	return (&unstructured.Unstructured{Object: map[string]any{"v": v}}).DeepCopy().Object["v"]
}

func overlay(base, top map[string]string) map[string]string {
	if len(base) == 0 && len(top) == 0 {
		return nil
	}
	out := make(map[string]string, len(base)+len(top))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range top {
		out[k] = v
	}
	return out
}

// ensureNamespace creates a namespace when missing and adds the rendered labels (the
// privileged one's Pod Security level) when they are not there. It never takes ownership: a
// namespace may hold objects of others.
func (r *Reconciler) ensureNamespace(ctx context.Context, obj client.Object) error {
	desired, ok := obj.(*corev1.Namespace)
	if !ok {
		return fmt.Errorf("create-only object %s is not a Namespace", obj.GetName())
	}
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		ns := &corev1.Namespace{}
		err := r.Client.Get(ctx, client.ObjectKeyFromObject(desired), ns)
		if apierrors.IsNotFound(err) {
			create := desired.DeepCopy()
			create.Annotations = nil
			return r.Client.Create(ctx, create)
		}
		if err != nil {
			return fmt.Errorf("namespace %s: %w", desired.Name, err)
		}
		changed := false
		for k, v := range desired.Labels {
			if ns.Labels[k] != v {
				if ns.Labels == nil {
					ns.Labels = map[string]string{}
				}
				ns.Labels[k] = v
				changed = true
			}
		}
		if !changed {
			return nil
		}
		return r.Client.Update(ctx, ns)
	})
}

// copyRef copies a Secret or ConfigMap that a collector pod mounts into the pod's namespace.
// The copy is owned by fc, so it is pruned with the rest.
func (r *Reconciler) copyRef(ctx context.Context, fc *v1beta2.FlowCollector, c render.Copy) error {
	src := &unstructured.Unstructured{}
	src.SetAPIVersion("v1")
	src.SetKind(c.Kind)
	if err := r.APIReader.Get(ctx, client.ObjectKey{Namespace: c.FromNamespace, Name: c.Name}, src); err != nil {
		return fmt.Errorf("copy %s %s/%s to %s: %w", c.Kind, c.FromNamespace, c.Name, c.ToNamespace, err)
	}
	dst := &unstructured.Unstructured{Object: map[string]any{}}
	for _, k := range []string{"data", "binaryData", "stringData", "type"} {
		if v, ok := src.Object[k]; ok {
			dst.Object[k] = v
		}
	}
	dst.SetAPIVersion("v1")
	dst.SetKind(c.Kind)
	dst.SetNamespace(c.ToNamespace)
	dst.SetName(c.Name)
	dst.SetLabels(map[string]string{render.LabelManagedBy: render.ManagedBy, render.LabelPartOf: render.PartOf})
	dst.SetAnnotations(map[string]string{render.AnnotationCopiedFrom: c.FromNamespace + "/" + c.Name})
	return r.apply(ctx, fc, dst)
}

func describe(u *unstructured.Unstructured) string {
	if u.GetNamespace() == "" {
		return u.GetKind() + " " + u.GetName()
	}
	return u.GetKind() + " " + u.GetNamespace() + "/" + u.GetName()
}
