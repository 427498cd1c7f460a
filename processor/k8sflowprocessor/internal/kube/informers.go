// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package kube // import "github.com/flowlens/flowlens/processor/k8sflowprocessor/internal/kube"

import (
	"context"
	"fmt"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

// Watcher runs the informers that fill a Store.
type Watcher struct {
	pods  informers.SharedInformerFactory // with a field selector: running pods only
	typed informers.SharedInformerFactory // services, nodes
	meta  metadatainformer.SharedInformerFactory
	syncs []namedSync

	stop     chan struct{}
	stopOnce sync.Once
	synced   chan struct{}
	wg       sync.WaitGroup
}

type namedSync struct {
	name   string
	synced cache.InformerSynced
}

// NewWatcher prepares informers on pods, services and nodes (typed, shrunk by transforms to the
// fields used) and on ReplicaSets and Jobs (metadata only: their owner is all that is needed).
// Nothing talks to the API server before Start.
//
// Deployments, StatefulSets, DaemonSets and CronJobs need no informer: the owner references of
// pods, ReplicaSets and Jobs already name them, and caching them would cost memory and API load
// for nothing.
func NewWatcher(cfg *rest.Config, store *Store) (*Watcher, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	mc, err := metadata.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes metadata client: %w", err)
	}
	w := &Watcher{stop: make(chan struct{}), synced: make(chan struct{})}
	// Terminated pods keep their IP in status after the IP goes to a new pod: the server leaves
	// them out of the watch, so a pod that terminates arrives as a deletion.
	w.pods = informers.NewSharedInformerFactoryWithOptions(cs, 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.FieldSelector = "status.phase!=Succeeded,status.phase!=Failed"
		}))
	w.typed = informers.NewSharedInformerFactory(cs, 0)
	w.meta = metadatainformer.NewSharedInformerFactory(mc, 0)

	err = w.add("pods", w.pods.Core().V1().Pods().Informer(), shrinkPod,
		func(obj any) {
			if p := unwrap[Pod](obj); p != nil {
				store.SetPod(p)
			}
		},
		func(obj any) {
			if p := unwrap[Pod](obj); p != nil {
				store.DeletePod(p.Namespace, p.Name)
			}
		})
	if err != nil {
		return nil, err
	}
	err = w.add("services", w.typed.Core().V1().Services().Informer(), shrinkService,
		func(obj any) {
			if s := unwrap[Service](obj); s != nil {
				store.SetService(s)
			}
		},
		func(obj any) {
			if s := unwrap[Service](obj); s != nil {
				store.DeleteService(s.Namespace, s.Name)
			}
		})
	if err != nil {
		return nil, err
	}
	err = w.add("nodes", w.typed.Core().V1().Nodes().Informer(), shrinkNode,
		func(obj any) {
			if n := unwrap[Node](obj); n != nil {
				store.SetNode(n)
			}
		},
		func(obj any) {
			if n := unwrap[Node](obj); n != nil {
				store.DeleteNode(n.Name)
			}
		})
	if err != nil {
		return nil, err
	}
	for _, o := range []struct {
		kind string
		gvr  schema.GroupVersionResource
	}{
		{KindReplicaSet, appsv1.SchemeGroupVersion.WithResource("replicasets")},
		{KindJob, batchv1.SchemeGroupVersion.WithResource("jobs")},
	} {
		kind := o.kind
		err = w.add(o.gvr.Resource, w.meta.ForResource(o.gvr).Informer(), shrinkMeta,
			func(obj any) {
				if r := unwrap[ownerRecord](obj); r != nil {
					store.SetOwner(kind, r.Namespace, r.Name, r.Owner)
				}
			},
			func(obj any) {
				if r := unwrap[ownerRecord](obj); r != nil {
					store.SetOwner(kind, r.Namespace, r.Name, Owner{})
				}
			})
		if err != nil {
			return nil, err
		}
	}
	return w, nil
}

func (w *Watcher) add(name string, inf cache.SharedIndexInformer, shrink cache.TransformFunc, set, del func(any)) error {
	if err := inf.SetTransform(shrink); err != nil {
		return fmt.Errorf("informer %s: %w", name, err)
	}
	_, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    set,
		UpdateFunc: func(_, obj any) { set(obj) },
		DeleteFunc: del, // unwrap handles tombstones
	})
	if err != nil {
		return fmt.Errorf("informer %s: %w", name, err)
	}
	w.syncs = append(w.syncs, namedSync{name, inf.HasSynced})
	return nil
}

// Start runs the informers in the background and returns at once. Lost connections to the API
// server are retried by the informers themselves, with backoff.
func (w *Watcher) Start() {
	w.pods.Start(w.stop)
	w.typed.Start(w.stop)
	w.meta.Start(w.stop)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		fns := make([]cache.InformerSynced, len(w.syncs))
		for i, s := range w.syncs {
			fns[i] = s.synced
		}
		if cache.WaitForCacheSync(w.stop, fns...) {
			close(w.synced)
		}
	}()
}

// Synced is closed once every informer has listed its objects.
func (w *Watcher) Synced() <-chan struct{} { return w.synced }

// SyncState reports, per informer, whether it has synced.
func (w *Watcher) SyncState() map[string]bool {
	out := make(map[string]bool, len(w.syncs))
	for _, s := range w.syncs {
		out[s.name] = s.synced()
	}
	return out
}

// Stop stops the informers and waits for them, or for ctx.
func (w *Watcher) Stop(ctx context.Context) error {
	w.stopOnce.Do(func() { close(w.stop) })
	done := make(chan struct{})
	go func() {
		w.pods.Shutdown()
		w.typed.Shutdown()
		w.meta.Shutdown()
		w.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop informers: %w", ctx.Err())
	}
}
