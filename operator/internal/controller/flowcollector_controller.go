// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package controller reconciles the FlowCollector: render, apply with owner references, prune,
// and report status.
package controller // import "github.com/flowlens/flowlens/operator/internal/controller"

import (
	"context"
	"errors"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
	"github.com/flowlens/flowlens/operator/internal/render"
)

// Finalizer lets the operator delete what it created before the FlowCollector goes. Owner
// references would let the garbage collector do it too; the finalizer also covers clusters
// where the collector pods must be gone before the FlowCollector is (and envtest, which has no
// garbage collector).
const Finalizer = "flows.netobserv.io/finalizer"

// Reconciler reconciles the FlowCollector named cluster.
type Reconciler struct {
	// Client reads and writes through the manager (owned workloads are cached).
	Client client.Client
	// APIReader reads uncached: user Secrets and ConfigMaps to copy, and the prune lists.
	APIReader client.Reader
	Scheme    *runtime.Scheme
	Recorder  recorder.EventRecorder
	// Render holds the images and the collector's components; the monitoring CRD flags are
	// set at each reconcile from discovery.
	Render render.Options
}

// +kubebuilder:rbac:groups=flows.netobserv.io,resources=flowcollectors,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=flows.netobserv.io,resources=flowcollectors/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=flows.netobserv.io,resources=flowcollectors/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch;create;update;patch
// +kubebuilder:rbac:groups="",resources=configmaps;secrets;services;serviceaccounts,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=apps,resources=daemonsets;deployments,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=autoscaling,resources=horizontalpodautoscalers,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=networking.k8s.io,resources=networkpolicies,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=clusterroles;clusterrolebindings,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=monitoring.coreos.com,resources=servicemonitors;prometheusrules,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
//
// The operator grants the ClusterRoles it renders, so it must hold their rules itself (RBAC
// escalation prevention): the k8sflow informers, the console's reviews, LokiStack writes.
// +kubebuilder:rbac:groups="",resources=pods;nodes,verbs=get;list;watch
// +kubebuilder:rbac:groups=apps,resources=replicasets;statefulsets,verbs=get;list;watch
// +kubebuilder:rbac:groups=batch,resources=jobs;cronjobs,verbs=get;list;watch
// +kubebuilder:rbac:groups=authentication.k8s.io,resources=tokenreviews,verbs=create
// +kubebuilder:rbac:groups=authorization.k8s.io,resources=subjectaccessreviews,verbs=create
// +kubebuilder:rbac:groups=loki.grafana.com,resources=network,resourceNames=logs,verbs=create

// Reconcile brings the cluster to what the FlowCollector renders to.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	logger := log.FromContext(ctx).WithValues("flowcollector", req.Name)
	fc := &v1beta2.FlowCollector{}
	if err := r.Client.Get(ctx, req.NamespacedName, fc); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if fc.Name != v1beta2.Name {
		return ctrl.Result{}, nil // the CRD refuses other names; nothing to do if one slipped in
	}
	if !fc.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, r.finalize(ctx, fc)
	}
	if orig := fc.DeepCopy(); controllerutil.AddFinalizer(fc, Finalizer) {
		// A patch, not an update: the finalizer list is all it changes, whatever else moved.
		if err := r.Client.Patch(ctx, fc, client.MergeFrom(orig)); err != nil {
			return ctrl.Result{}, fmt.Errorf("add finalizer: %w", err)
		}
	}

	opts := r.Render
	opts.ServiceMonitorCRD = r.served(schema.GroupKind{Group: "monitoring.coreos.com", Kind: "ServiceMonitor"})
	opts.PrometheusRuleCRD = r.served(schema.GroupKind{Group: "monitoring.coreos.com", Kind: "PrometheusRule"})
	res, renderErr := render.Render(fc, opts)
	st := newStatus(fc)
	if renderErr != nil {
		st.fail(fmt.Errorf("render: %w", renderErr))
		r.Recorder.Eventf(fc, nil, corev1.EventTypeWarning, ReasonRenderFailed, "Render", "%v", renderErr)
		return ctrl.Result{}, r.writeStatus(ctx, fc, st)
	}
	st.issues(res.Issues)

	applyErr := r.applyAll(ctx, fc, res)
	var pruneErr error
	if applyErr == nil {
		// Prune only after a complete apply: a half-applied state must not lose objects.
		pruneErr = r.prune(ctx, fc, res, opts)
	}
	if err := errors.Join(applyErr, pruneErr); err != nil {
		logger.Error(err, "reconcile failed")
		st.fail(err)
		r.Recorder.Eventf(fc, nil, corev1.EventTypeWarning, ReasonApplyFailed, "Apply", "%v", err)
	} else if fc.Status.ObservedGeneration != fc.Generation {
		r.Recorder.Eventf(fc, nil, corev1.EventTypeNormal, ReasonApplied, "Apply", "applied %d objects for generation %d (%s model)", len(res.Objects), fc.Generation, fc.Spec.Model())
	}
	r.workloadStatus(ctx, fc, res, st)
	if len(res.Issues) > 0 && !sameIssues(fc, res.Issues) {
		r.Recorder.Eventf(fc, nil, corev1.EventTypeWarning, ReasonUnsupportedFields, "Validate", "%s", issuesMessage(res.Issues))
	}
	return ctrl.Result{}, errors.Join(applyErr, pruneErr, r.writeStatus(ctx, fc, st))
}

// served says whether the API server serves kind (the monitoring CRDs are optional).
func (r *Reconciler) served(gk schema.GroupKind) bool {
	_, err := r.Client.RESTMapper().RESTMapping(gk)
	return err == nil
}

// finalize deletes every object the operator created for fc, then releases it.
func (r *Reconciler) finalize(ctx context.Context, fc *v1beta2.FlowCollector) error {
	if !controllerutil.ContainsFinalizer(fc, Finalizer) {
		return nil
	}
	opts := r.Render
	opts.ServiceMonitorCRD = r.served(schema.GroupKind{Group: "monitoring.coreos.com", Kind: "ServiceMonitor"})
	opts.PrometheusRuleCRD = r.served(schema.GroupKind{Group: "monitoring.coreos.com", Kind: "PrometheusRule"})
	if err := r.prune(ctx, fc, nil, opts); err != nil {
		return fmt.Errorf("delete owned objects: %w", err)
	}
	orig := fc.DeepCopy()
	controllerutil.RemoveFinalizer(fc, Finalizer)
	if err := r.Client.Patch(ctx, fc, client.MergeFrom(orig)); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("remove finalizer: %w", err)
	}
	return nil
}

// SetupWithManager watches the FlowCollector and the workloads and config it owns, so a
// status change of a DaemonSet or a deleted ConfigMap brings a reconcile.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("flowcollector").
		// Our own status writes change no generation: they must not loop.
		For(&v1beta2.FlowCollector{}, builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}, predicate.LabelChangedPredicate{}))).
		Owns(&appsv1.DaemonSet{}).
		Owns(&appsv1.Deployment{}).
		Owns(&corev1.ConfigMap{}).
		Owns(&corev1.Service{}).
		Owns(&corev1.ServiceAccount{}).
		Complete(r)
}

// conditionMessage is the message of condition t, or "".
func conditionMessage(fc *v1beta2.FlowCollector, t string) string {
	if c := meta.FindStatusCondition(fc.Status.Conditions, t); c != nil {
		return c.Message
	}
	return ""
}
