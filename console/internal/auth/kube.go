// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package auth // import "github.com/flowlens/flowlens/console/internal/auth"

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	authzv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Kube identifies users with a TokenReview and finds what they may read with
// SubjectAccessReviews: "get pods" across the cluster makes an admin; otherwise every namespace
// where they may "get pods" is theirs. Answers are cached per token for TTL, so a page that
// fires a dozen queries costs one round of reviews.
type Kube struct {
	client kubernetes.Interface
	ttl    time.Duration
	now    func() time.Time
	// parallel bounds concurrent namespace reviews.
	parallel int

	mu    sync.Mutex
	cache map[[32]byte]cached
}

type cached struct {
	user    *User
	err     error
	expires time.Time
}

// NewKube returns the Kubernetes authenticator; it does no I/O until asked.
func NewKube(c kubernetes.Interface, ttl time.Duration) *Kube {
	return &Kube{client: c, ttl: ttl, now: time.Now, parallel: 8, cache: map[[32]byte]cached{}}
}

// Authenticate implements Authenticator.
func (k *Kube) Authenticate(ctx context.Context, token string) (*User, error) {
	if token == "" {
		return nil, fmt.Errorf("%w: no Authorization: Bearer header", ErrUnauthenticated)
	}
	key := sha256.Sum256([]byte(token))
	now := k.now()
	k.mu.Lock()
	c, ok := k.cache[key]
	if ok && now.Before(c.expires) {
		k.mu.Unlock()
		return c.user, c.err
	}
	for t, e := range k.cache { // keep the cache from growing with stale tokens
		if !now.Before(e.expires) {
			delete(k.cache, t)
		}
	}
	k.mu.Unlock()

	u, err := k.review(ctx, token)
	if err == nil || errors.Is(err, ErrUnauthenticated) {
		k.mu.Lock()
		k.cache[key] = cached{user: u, err: err, expires: now.Add(k.ttl)}
		k.mu.Unlock()
	}
	return u, err
}

func (k *Kube) review(ctx context.Context, token string) (*User, error) {
	tr, err := k.client.AuthenticationV1().TokenReviews().Create(ctx,
		&authnv1.TokenReview{Spec: authnv1.TokenReviewSpec{Token: token}}, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("token review: %w", err)
	}
	if !tr.Status.Authenticated {
		msg := tr.Status.Error
		if msg == "" {
			msg = "the API server does not know this token"
		}
		return nil, fmt.Errorf("%w: %s", ErrUnauthenticated, msg)
	}
	ui := tr.Status.User
	u := &User{Name: ui.Username}
	admin, err := k.mayGetPods(ctx, ui, "")
	if err != nil {
		return nil, err
	}
	if admin {
		u.Admin = true
		return u, nil
	}
	nss, err := k.client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list namespaces: %w", err)
	}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs []error
		sem  = make(chan struct{}, k.parallel)
	)
	for _, ns := range nss.Items {
		wg.Add(1)
		sem <- struct{}{}
		go func(name string) {
			defer func() { <-sem; wg.Done() }()
			ok, err := k.mayGetPods(ctx, ui, name)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			} else if ok {
				u.Namespaces = append(u.Namespaces, name)
			}
		}(ns.Name)
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, errs[0]
	}
	slices.Sort(u.Namespaces)
	return u, nil
}

// mayGetPods asks whether the user may get pods in namespace ns ("" is every namespace).
func (k *Kube) mayGetPods(ctx context.Context, ui authnv1.UserInfo, ns string) (bool, error) {
	extra := make(map[string]authzv1.ExtraValue, len(ui.Extra))
	for key, v := range ui.Extra {
		extra[key] = authzv1.ExtraValue(v)
	}
	sar, err := k.client.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authzv1.SubjectAccessReview{
		Spec: authzv1.SubjectAccessReviewSpec{
			User: ui.Username, Groups: ui.Groups, UID: ui.UID, Extra: extra,
			ResourceAttributes: &authzv1.ResourceAttributes{Namespace: ns, Verb: "get", Resource: "pods"},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		return false, fmt.Errorf("subject access review: %w", err)
	}
	return sar.Status.Allowed, nil
}
