// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package controller

import (
	"context"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
	"github.com/flowlens/flowlens/operator/internal/render"
)

// Condition types.
const (
	// ConditionReady aggregates the others: True when every deployed component is ready and the
	// last reconcile applied everything.
	ConditionReady = "Ready"
	// ConditionNodeCollector is the node collector DaemonSet.
	ConditionNodeCollector = "NodeCollectorReady"
	// ConditionGateway is the gateway Deployment (Unused in the Direct model).
	ConditionGateway = "GatewayReady"
	// ConditionConsole is the console Deployment (Unused when disabled).
	ConditionConsole = "ConsoleReady"
	// ConditionConfigurationIssue lists what was accepted but is not acted on (NetObserv's
	// condition type, shown in its Warnings print column).
	ConditionConfigurationIssue = "ConfigurationIssue"
)

// Condition reasons.
const (
	ReasonReady             = "Ready"
	ReasonPending           = "Pending"
	ReasonFailed            = "Failed"
	ReasonUnused            = "Unused"
	ReasonApplied           = "Applied"
	ReasonApplyFailed       = "ApplyFailed"
	ReasonRenderFailed      = "RenderFailed"
	ReasonUnsupportedFields = "UnsupportedFields"
	ReasonValid             = "Valid"
)

// maxMessage keeps a condition message under the API's 32 KiB limit.
const maxMessage = 4096

// status collects the conditions of one reconcile.
type status struct {
	generation int64
	conditions []metav1.Condition
	err        error
}

func newStatus(fc *v1beta2.FlowCollector) *status {
	return &status{generation: fc.Generation}
}

func (s *status) set(t string, st metav1.ConditionStatus, reason, msg string) {
	if len(msg) > maxMessage {
		msg = msg[:maxMessage-3] + "..."
	}
	s.conditions = append(s.conditions, metav1.Condition{Type: t, Status: st, Reason: reason, Message: msg, ObservedGeneration: s.generation})
}

func (s *status) fail(err error) {
	s.err = err
}

func (s *status) issues(issues []render.Issue) {
	if len(issues) == 0 {
		s.set(ConditionConfigurationIssue, metav1.ConditionFalse, ReasonValid, "every field set is acted on")
		return
	}
	s.set(ConditionConfigurationIssue, metav1.ConditionTrue, ReasonUnsupportedFields, issuesMessage(issues))
}

func issuesMessage(issues []render.Issue) string {
	parts := make([]string, 0, len(issues))
	for _, i := range issues {
		parts = append(parts, i.String())
	}
	return fmt.Sprintf("%d accepted but not acted on: %s", len(issues), strings.Join(parts, "; "))
}

// sameIssues says whether fc already reports these issues (to emit the event once).
func sameIssues(fc *v1beta2.FlowCollector, issues []render.Issue) bool {
	return conditionMessage(fc, ConditionConfigurationIssue) == issuesMessage(issues)
}

// workloadStatus sets one condition per workload from its live status.
func (r *Reconciler) workloadStatus(ctx context.Context, fc *v1beta2.FlowCollector, res *render.Result, s *status) {
	rendered := map[string]client.Object{}
	for _, o := range res.Objects {
		switch o.(type) {
		case *appsv1.DaemonSet, *appsv1.Deployment:
			rendered[o.GetName()] = o
		}
	}
	for _, w := range []struct {
		condition, name string
		daemonSet       bool
	}{
		{ConditionNodeCollector, render.NodeName, true},
		{ConditionGateway, render.GatewayName, false},
		{ConditionConsole, render.ConsoleName, false},
	} {
		obj, ok := rendered[w.name]
		if !ok {
			s.set(w.condition, metav1.ConditionUnknown, ReasonUnused, "not deployed with this configuration")
			continue
		}
		key := client.ObjectKeyFromObject(obj)
		var ready bool
		var msg string
		var err error
		if w.daemonSet {
			ds := &appsv1.DaemonSet{}
			if err = r.Client.Get(ctx, key, ds); err == nil {
				ready, msg = daemonSetReady(ds)
			}
		} else {
			dep := &appsv1.Deployment{}
			if err = r.Client.Get(ctx, key, dep); err == nil {
				ready, msg = deploymentReady(dep)
			}
		}
		switch {
		case apierrors.IsNotFound(err):
			s.set(w.condition, metav1.ConditionFalse, ReasonPending, "not created yet")
		case err != nil:
			s.set(w.condition, metav1.ConditionFalse, ReasonFailed, err.Error())
		case ready:
			s.set(w.condition, metav1.ConditionTrue, ReasonReady, msg)
		default:
			s.set(w.condition, metav1.ConditionFalse, ReasonPending, msg)
		}
	}
}

func daemonSetReady(ds *appsv1.DaemonSet) (bool, string) {
	st := ds.Status
	if st.ObservedGeneration < ds.Generation {
		return false, "rollout not observed yet"
	}
	msg := fmt.Sprintf("%d/%d nodes ready, %d updated", st.NumberReady, st.DesiredNumberScheduled, st.UpdatedNumberScheduled)
	return st.UpdatedNumberScheduled >= st.DesiredNumberScheduled && st.NumberAvailable >= st.DesiredNumberScheduled && st.NumberUnavailable == 0, msg
}

func deploymentReady(d *appsv1.Deployment) (bool, string) {
	st := d.Status
	if st.ObservedGeneration < d.Generation {
		return false, "rollout not observed yet"
	}
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	msg := fmt.Sprintf("%d/%d replicas ready, %d updated", st.ReadyReplicas, want, st.UpdatedReplicas)
	return st.UpdatedReplicas >= want && st.AvailableReplicas >= want, msg
}

// writeStatus computes Ready from the other conditions and patches the status subresource.
func (r *Reconciler) writeStatus(ctx context.Context, fc *v1beta2.FlowCollector, s *status) error {
	var ready, pending, failed []string
	for _, c := range s.conditions {
		if c.Type == ConditionConfigurationIssue || c.Reason == ReasonUnused {
			continue
		}
		switch {
		case c.Status == metav1.ConditionTrue:
			ready = append(ready, c.Type)
		case c.Reason == ReasonFailed:
			failed = append(failed, c.Type)
		default:
			pending = append(pending, c.Type)
		}
	}
	summary := fmt.Sprintf("%d ready components, %d with failure, %d pending", len(ready), len(failed), len(pending))
	switch {
	case s.err != nil:
		s.set(ConditionReady, metav1.ConditionFalse, ReasonFailed, s.err.Error())
	case len(failed) > 0:
		s.set(ConditionReady, metav1.ConditionFalse, ReasonFailed, summary+": "+strings.Join(failed, ", "))
	case len(pending) > 0:
		s.set(ConditionReady, metav1.ConditionFalse, ReasonPending, summary+": waiting for "+strings.Join(pending, ", "))
	default:
		s.set(ConditionReady, metav1.ConditionTrue, ReasonReady, summary)
	}
	orig := fc.DeepCopy()
	for _, c := range s.conditions {
		meta.SetStatusCondition(&fc.Status.Conditions, c)
	}
	fc.Status.ObservedGeneration = fc.Generation
	fc.Status.Namespace = fc.Spec.NamespaceOrDefault()
	if err := r.Client.Status().Patch(ctx, fc, client.MergeFrom(orig)); err != nil {
		return fmt.Errorf("write status: %w", err)
	}
	return nil
}
