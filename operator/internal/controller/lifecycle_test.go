// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package controller

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
	"github.com/flowlens/flowlens/operator/internal/render"
)

const (
	wait = 20 * time.Second
	tick = 100 * time.Millisecond
	ns   = "netobserv"
	priv = "netobserv-privileged"
)

var bg = context.Background()

func objKey(namespace, name string) client.ObjectKey {
	return client.ObjectKey{Namespace: namespace, Name: name}
}

// getFC reads the FlowCollector.
func getFC(t require.TestingT) *v1beta2.FlowCollector {
	fc := &v1beta2.FlowCollector{}
	require.NoError(t, testClient.Get(bg, objKey("", v1beta2.Name), fc))
	return fc
}

// updateSpec changes the FlowCollector's spec with retries on conflict (the operator writes its
// status and finalizer concurrently).
func updateSpec(t *testing.T, change func(fc *v1beta2.FlowCollector)) {
	t.Helper()
	require.NoError(t, retry.RetryOnConflict(retry.DefaultRetry, func() error {
		fc := &v1beta2.FlowCollector{}
		if err := testClient.Get(bg, objKey("", v1beta2.Name), fc); err != nil {
			return err
		}
		change(fc)
		return testClient.Update(bg, fc)
	}))
}

// assertControlled checks that the FlowCollector is obj's controller (what the garbage collector
// follows in a real cluster).
func assertControlled(t assert.TestingT, obj metav1.Object, fc *v1beta2.FlowCollector) {
	ref := metav1.GetControllerOf(obj)
	if assert.NotNil(t, ref, "%s has no controller reference", obj.GetName()) {
		assert.Equal(t, fc.UID, ref.UID)
		assert.Equal(t, "FlowCollector", ref.Kind)
		assert.True(t, *ref.BlockOwnerDeletion)
	}
}

func exists(obj client.Object, namespace, name string) bool {
	return testClient.Get(bg, objKey(namespace, name), obj) == nil
}

func condition(fc *v1beta2.FlowCollector, t string) *metav1.Condition {
	return meta.FindStatusCondition(fc.Status.Conditions, t)
}

// TestFlowCollectorLifecycle walks one FlowCollector through its life on a real API server:
// create, status, config change, model changes with pruning, copies, deletion. The steps share
// the cluster singleton, so they run in order.
func TestFlowCollectorLifecycle(t *testing.T) {
	t.Cleanup(func() {
		// After a failed step, leave no FlowCollector behind for the other tests (they dry-run
		// creates of "cluster").
		fc := &v1beta2.FlowCollector{ObjectMeta: metav1.ObjectMeta{Name: v1beta2.Name}}
		if err := testClient.Delete(bg, fc); err == nil {
			assert.Eventually(t, func() bool {
				return apierrors.IsNotFound(testClient.Get(bg, objKey("", v1beta2.Name), fc))
			}, wait, tick)
		}
	})
	require.NoError(t, testClient.Create(bg, flowCollector(t, "cluster", `
agent: {ebpf: {sampling: 50, features: [PacketDrop]}}
processor: {logTypes: Conversations}
exporters: [{type: IPFIX, ipfix: {targetHost: ipfix.example.com}}]
`)))

	t.Run("objects appear with owner references", func(t *testing.T) {
		assert.EventuallyWithT(t, func(c *assert.CollectT) {
			fc := getFC(c)
			assert.Contains(c, fc.Finalizers, Finalizer)
			for _, o := range []struct {
				obj       client.Object
				namespace string
				name      string
			}{
				{&appsv1.DaemonSet{}, priv, render.NodeName},
				{&corev1.ConfigMap{}, priv, render.NodeConfigMap},
				{&corev1.ServiceAccount{}, priv, render.NodeName},
				{&corev1.Service{}, priv, render.NodeMetrics},
				{&appsv1.Deployment{}, ns, render.GatewayName},
				{&corev1.ConfigMap{}, ns, render.GatewayConfigMap},
				{&corev1.Service{}, ns, render.GatewayName},
				{&corev1.Service{}, ns, render.GatewayMetrics},
				{&appsv1.Deployment{}, ns, render.ConsoleName},
				{&corev1.ConfigMap{}, ns, render.ConsoleConfigMap},
				{&rbacv1.ClusterRole{}, "", render.K8sFlowRole},
				{&rbacv1.ClusterRoleBinding{}, "", render.K8sFlowRole},
				{&rbacv1.ClusterRole{}, "", render.ConsoleRole},
			} {
				if assert.True(c, exists(o.obj, o.namespace, o.name), "%T %s/%s", o.obj, o.namespace, o.name) {
					assertControlled(c, o.obj, fc)
				}
			}
			// The monitoring CRDs are served (testdata/crds): their objects are rendered too.
			sm := &unstructured.Unstructured{}
			sm.SetAPIVersion(render.MonitoringGroupVersion)
			sm.SetKind("ServiceMonitor")
			if assert.True(c, exists(sm, ns, render.GatewayName), "ServiceMonitor") {
				assertControlled(c, sm, fc)
			}
			// Namespaces are created but never owned: they may hold other objects.
			nsObj := &corev1.Namespace{}
			if assert.True(c, exists(nsObj, "", priv)) {
				assert.Equal(t, "privileged", nsObj.Labels["pod-security.kubernetes.io/enforce"])
				assert.Nil(t, metav1.GetControllerOf(nsObj))
			}
		}, wait, tick)
		ds := &appsv1.DaemonSet{}
		require.NoError(t, testClient.Get(bg, objKey(priv, render.NodeName), ds))
		pod := ds.Spec.Template.Spec
		assert.True(t, pod.HostNetwork)
		assert.Equal(t, "test/otelcol-flowlens:dev", pod.Containers[0].Image)
		assert.Equal(t, []corev1.Capability{"BPF", "PERFMON", "NET_ADMIN"}, pod.Containers[0].SecurityContext.Capabilities.Add)
		assert.Equal(t, int64(0), *pod.Containers[0].SecurityContext.RunAsUser)
	})

	t.Run("status conditions and observedGeneration", func(t *testing.T) {
		assert.EventuallyWithT(t, func(c *assert.CollectT) {
			fc := getFC(c)
			assert.Equal(c, fc.Generation, fc.Status.ObservedGeneration)
			issue := condition(fc, ConditionConfigurationIssue)
			if assert.NotNil(c, issue) {
				assert.Equal(c, metav1.ConditionTrue, issue.Status)
				assert.Equal(c, ReasonUnsupportedFields, issue.Reason)
				assert.Contains(c, issue.Message, "spec.processor.logTypes")
			}
			// envtest runs no kubelet or workload controllers: the pods never come.
			ready := condition(fc, ConditionReady)
			if assert.NotNil(c, ready) {
				assert.Equal(c, metav1.ConditionFalse, ready.Status)
				assert.Equal(c, ReasonPending, ready.Reason)
				assert.Equal(c, fc.Generation, ready.ObservedGeneration)
			}
			for _, ct := range []string{ConditionNodeCollector, ConditionGateway, ConditionConsole} {
				if cond := condition(fc, ct); assert.NotNil(c, cond, ct) {
					assert.Equal(c, ReasonPending, cond.Reason, ct)
				}
			}
		}, wait, tick)

		// Play the DaemonSet and Deployment controllers: report the workloads rolled out.
		markRolledOut(t)
		assert.EventuallyWithT(t, func(c *assert.CollectT) {
			fc := getFC(c)
			for _, ct := range []string{ConditionNodeCollector, ConditionGateway, ConditionConsole, ConditionReady} {
				if cond := condition(fc, ct); assert.NotNil(c, cond, ct) {
					assert.Equal(c, metav1.ConditionTrue, cond.Status, "%s: %s", ct, cond.Message)
				}
			}
		}, wait, tick)
		assertEvent(t, ReasonApplied)
		assertEvent(t, ReasonUnsupportedFields)
	})

	t.Run("spec.namespace is immutable", func(t *testing.T) {
		fc := getFC(t)
		fc.Spec.Namespace = "elsewhere"
		err := testClient.Update(bg, fc)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "spec.namespace is immutable")
	})

	t.Run("a sampling change rolls the node collectors", func(t *testing.T) {
		before := nodeConfigHash(t)
		gen := getFC(t).Generation
		updateSpec(t, func(fc *v1beta2.FlowCollector) { fc.Spec.Agent.EBPF.Sampling = ptrInt32(10) })
		assert.EventuallyWithT(t, func(c *assert.CollectT) {
			cm := &corev1.ConfigMap{}
			if assert.NoError(c, testClient.Get(bg, objKey(priv, render.NodeConfigMap), cm)) {
				assert.Contains(c, cm.Data[render.ConfigKey], "sampling: 10")
				assert.Equal(c, render.Hash(cm.Data[render.ConfigKey]), nodeConfigHash(c))
			}
			assert.NotEqual(c, before, nodeConfigHash(c))
			fc := getFC(c)
			assert.Greater(c, fc.Generation, gen)
			assert.Equal(c, fc.Generation, fc.Status.ObservedGeneration)
			// The new template is not rolled out yet: Ready again false.
			assert.Equal(c, ReasonPending, condition(fc, ConditionNodeCollector).Reason)
		}, wait, tick)
	})

	t.Run("Service to Kafka replaces the gateway input and prunes its Service", func(t *testing.T) {
		kafkaNS := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "kafka"}}
		require.NoError(t, testClient.Create(bg, kafkaNS))
		require.NoError(t, testClient.Create(bg, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "kafka-ca", Namespace: "kafka"},
			Data:       map[string][]byte{"ca.crt": []byte("-----BEGIN CERTIFICATE-----\n")},
		}))
		updateSpec(t, func(fc *v1beta2.FlowCollector) {
			fc.Spec.DeploymentModel = v1beta2.DeploymentModelKafka
			fc.Spec.Kafka = v1beta2.FlowCollectorKafka{Address: "kafka.kafka.svc:9093", Topic: "flows", TLS: v1beta2.ClientTLS{
				Enable: true, CACert: v1beta2.CertificateReference{Type: v1beta2.RefTypeSecret, Name: "kafka-ca", Namespace: "kafka", CertFile: "ca.crt"},
			}}
			fc.Spec.Processor.KafkaConsumerAutoscaler = v1beta2.FlowCollectorHPA{Status: "Enabled", MaxReplicas: 5}
		})
		assert.EventuallyWithT(t, func(c *assert.CollectT) {
			gw := &corev1.ConfigMap{}
			if assert.NoError(c, testClient.Get(bg, objKey(ns, render.GatewayConfigMap), gw)) {
				assert.Contains(c, gw.Data[render.ConfigKey], "group_id: flowlens-gateway")
				assert.NotContains(c, gw.Data[render.ConfigKey], "otlp:")
			}
			node := &corev1.ConfigMap{}
			if assert.NoError(c, testClient.Get(bg, objKey(priv, render.NodeConfigMap), node)) {
				assert.Contains(c, node.Data[render.ConfigKey], "encoding: otlp_proto")
			}
			assert.False(c, exists(&corev1.Service{}, ns, render.GatewayName), "the OTLP Service is pruned")
			assert.True(c, exists(&autoscalingv2.HorizontalPodAutoscaler{}, ns, render.GatewayName), "Kafka consumers get an HPA")
			// The CA lives in namespace kafka: it is copied next to each collector, owned.
			for _, to := range []string{ns, priv} {
				s := &corev1.Secret{}
				if assert.True(c, exists(s, to, "kafka-ca"), "copy in %s", to) {
					assert.Equal(c, "kafka/kafka-ca", s.Annotations[render.AnnotationCopiedFrom])
					assertControlled(c, s, getFC(c))
				}
			}
		}, wait, tick)
		dep := &appsv1.Deployment{}
		require.NoError(t, testClient.Get(bg, objKey(ns, render.GatewayName), dep))
		assert.Equal(t, int32(3), *dep.Spec.Replicas, "the replica count stays as it was: the HPA owns it now")
	})

	t.Run("Direct prunes the gateway", func(t *testing.T) {
		updateSpec(t, func(fc *v1beta2.FlowCollector) { fc.Spec.DeploymentModel = v1beta2.DeploymentModelDirect })
		assert.EventuallyWithT(t, func(c *assert.CollectT) {
			assert.False(c, exists(&appsv1.Deployment{}, ns, render.GatewayName))
			assert.False(c, exists(&corev1.ConfigMap{}, ns, render.GatewayConfigMap))
			assert.False(c, exists(&autoscalingv2.HorizontalPodAutoscaler{}, ns, render.GatewayName))
			assert.False(c, exists(&corev1.Secret{}, ns, "kafka-ca"), "copies nobody mounts are pruned")
			crb := &rbacv1.ClusterRoleBinding{}
			if assert.True(c, exists(crb, "", render.K8sFlowRole)) {
				assert.Equal(c, render.NodeName, crb.Subjects[0].Name, "the node collectors enrich now")
			}
			fc := getFC(c)
			assert.Equal(c, ReasonUnused, condition(fc, ConditionGateway).Reason)
		}, wait, tick)
	})

	t.Run("objects of others are left alone", func(t *testing.T) {
		mine := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "user-config", Namespace: ns,
			Labels: map[string]string{render.LabelManagedBy: render.ManagedBy}}}
		require.NoError(t, testClient.Create(bg, mine))
		updateSpec(t, func(fc *v1beta2.FlowCollector) { fc.Spec.Agent.EBPF.Sampling = ptrInt32(20) })
		assert.EventuallyWithT(t, func(c *assert.CollectT) {
			assert.Contains(c, nodeConfig(c), "sampling: 20")
		}, wait, tick)
		assert.True(t, exists(&corev1.ConfigMap{}, ns, "user-config"), "not controlled by the FlowCollector: never pruned")
	})

	t.Run("delete removes everything owned", func(t *testing.T) {
		fc := getFC(t)
		owned := ownedObjects(t, fc)
		require.NotEmpty(t, owned)
		require.NoError(t, testClient.Delete(bg, fc))
		// envtest runs no garbage collector. In a cluster the GC would delete every object
		// controlled by the FlowCollector (the owner references checked above) and then their
		// pods; here the operator's finalizer does the deleting, and the FlowCollector goes once
		// it has.
		assert.EventuallyWithT(t, func(c *assert.CollectT) {
			err := testClient.Get(bg, objKey("", v1beta2.Name), &v1beta2.FlowCollector{})
			assert.True(c, apierrors.IsNotFound(err), "FlowCollector still there: %v", err)
			for _, o := range owned {
				assert.False(c, exists(o.DeepCopyObject().(client.Object), o.GetNamespace(), o.GetName()),
					"%s %s/%s", o.GetObjectKind().GroupVersionKind().Kind, o.GetNamespace(), o.GetName())
			}
		}, wait, tick)
		assert.True(t, exists(&corev1.Namespace{}, "", priv), "namespaces are not owned, so they stay")
	})
}

// ownedObjects lists what the FlowCollector controls, of the kinds the operator creates.
func ownedObjects(t *testing.T, fc *v1beta2.FlowCollector) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, k := range ownedKinds {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(k.gvk.GroupVersion().WithKind(k.gvk.Kind + "List"))
		require.NoError(t, testClient.List(bg, list, client.MatchingLabels{render.LabelManagedBy: render.ManagedBy}))
		for i := range list.Items {
			if controlledBy(&list.Items[i], fc) {
				out = append(out, &list.Items[i])
			}
		}
	}
	return out
}

func nodeConfig(t assert.TestingT) string {
	cm := &corev1.ConfigMap{}
	assert.NoError(t, testClient.Get(bg, objKey(priv, render.NodeConfigMap), cm))
	return cm.Data[render.ConfigKey]
}

func nodeConfigHash(t assert.TestingT) string {
	ds := &appsv1.DaemonSet{}
	assert.NoError(t, testClient.Get(bg, objKey(priv, render.NodeName), ds))
	return ds.Spec.Template.Annotations[render.AnnotationConfigHash]
}

// markRolledOut writes the status the DaemonSet and Deployment controllers would write once
// every pod runs the current template.
func markRolledOut(t *testing.T) {
	t.Helper()
	require.NoError(t, retry.RetryOnConflict(retry.DefaultRetry, func() error {
		ds := &appsv1.DaemonSet{}
		if err := testClient.Get(bg, objKey(priv, render.NodeName), ds); err != nil {
			return err
		}
		ds.Status = appsv1.DaemonSetStatus{ObservedGeneration: ds.Generation, DesiredNumberScheduled: 2,
			CurrentNumberScheduled: 2, NumberReady: 2, NumberAvailable: 2, UpdatedNumberScheduled: 2}
		return testClient.Status().Update(bg, ds)
	}))
	for _, name := range []string{render.GatewayName, render.ConsoleName} {
		require.NoError(t, retry.RetryOnConflict(retry.DefaultRetry, func() error {
			d := &appsv1.Deployment{}
			if err := testClient.Get(bg, objKey(ns, name), d); err != nil {
				return err
			}
			n := *d.Spec.Replicas
			d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: n, UpdatedReplicas: n, ReadyReplicas: n, AvailableReplicas: n}
			return testClient.Status().Update(bg, d)
		}))
	}
}

// assertEvent waits for an event about the FlowCollector with reason.
func assertEvent(t *testing.T, reason string) {
	t.Helper()
	assert.EventuallyWithT(t, func(c *assert.CollectT) {
		list := &unstructured.UnstructuredList{}
		list.SetAPIVersion("events.k8s.io/v1")
		list.SetKind("EventList")
		assert.NoError(c, testClient.List(bg, list))
		found := false
		for _, e := range list.Items {
			r, _, _ := unstructured.NestedString(e.Object, "reason")
			kind, _, _ := unstructured.NestedString(e.Object, "regarding", "kind")
			found = found || (r == reason && kind == "FlowCollector")
		}
		assert.True(c, found, "no %s event", reason)
	}, wait, tick)
}

func ptrInt32(n int32) *int32 { return &n }
