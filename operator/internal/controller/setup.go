// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package controller

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
	"github.com/flowlens/flowlens/operator/internal/render"
	"github.com/flowlens/flowlens/operator/internal/webhook"
)

// NewScheme knows the built-in kinds and FlowCollector.
func NewScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, err
	}
	if err := v1beta2.AddToScheme(s); err != nil {
		return nil, err
	}
	return s, nil
}

// CacheOptions restrict the informers of the owned kinds to the objects the operator labels:
// watching every ConfigMap, Secret or Deployment of the cluster would cost memory for nothing.
func CacheOptions() cache.Options {
	owned := cache.ByObject{Label: labels.SelectorFromSet(labels.Set{render.LabelManagedBy: render.ManagedBy})}
	return cache.Options{ByObject: map[client.Object]cache.ByObject{
		&appsv1.DaemonSet{}:      owned,
		&appsv1.Deployment{}:     owned,
		&corev1.ConfigMap{}:      owned,
		&corev1.Secret{}:         owned,
		&corev1.Service{}:        owned,
		&corev1.ServiceAccount{}: owned,
	}}
}

// Setup registers the reconciler and, when withWebhook, the validating webhook.
func Setup(mgr ctrl.Manager, opts render.Options, withWebhook bool) error {
	r := &Reconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Scheme:    mgr.GetScheme(),
		Recorder:  mgr.GetEventRecorder("flowlens-operator"),
		Render:    opts,
	}
	if err := r.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("set up FlowCollector controller: %w", err)
	}
	if withWebhook {
		if err := webhook.Setup(mgr, &webhook.Validator{Render: opts}); err != nil {
			return fmt.Errorf("set up FlowCollector webhook: %w", err)
		}
	}
	return nil
}
