// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package tenancytest checks multi-tenancy end to end: a real kube-apiserver reviews the
// tokens and the access of service accounts bound to different namespaces, and the console
// serves each one only the flows of namespaces it may read.
package tenancytest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	authnv1 "k8s.io/api/authentication/v1"
	authzv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/flowlens/flowlens/console/internal/auth"
	"github.com/flowlens/flowlens/console/internal/backend"
	"github.com/flowlens/flowlens/console/internal/backend/storebackend"
	"github.com/flowlens/flowlens/console/internal/frontend"
	"github.com/flowlens/flowlens/console/internal/server"
	"github.com/flowlens/flowlens/internal/flowgen"
	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/pkg/flowstore"
)

var kube *testutil.KubeAPI

func TestMain(m *testing.M) {
	var err error
	if kube, err = testutil.StartKubeAPI(); err != nil {
		fmt.Fprintln(os.Stderr, "kube-apiserver:", err)
		os.Exit(1)
	}
	code := m.Run()
	if err := kube.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stop kube-apiserver:", err)
	}
	os.Exit(code)
}

// user creates a service account in ns "users", binds it with podReader in each of
// namespaces (or cluster-wide when clusterWide), and returns a token for it.
func user(t *testing.T, name string, clusterWide bool, namespaces ...string) string {
	t.Helper()
	ctx := context.Background()
	c := kube.Client
	_, err := c.CoreV1().ServiceAccounts("users").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	require.NoError(t, err)
	subject := []rbacv1.Subject{{Kind: "ServiceAccount", Name: name, Namespace: "users"}}
	view := rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: podReader}
	if clusterWide {
		_, err := c.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: name + "-view"}, RoleRef: view, Subjects: subject}, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	for _, ns := range namespaces {
		_, err := c.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: name + "-view"}, RoleRef: view, Subjects: subject}, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	// The authorizer sees new bindings through its informers: wait until it does, or the
	// console would cache the earlier answer.
	check := append([]string(nil), namespaces...)
	if clusterWide {
		check = append(check, "")
	}
	for _, ns := range check {
		require.Eventually(t, func() bool {
			sar, err := c.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{
				User: "system:serviceaccount:users:" + name, Groups: []string{"system:serviceaccounts", "system:serviceaccounts:users"},
				ResourceAttributes: &authzv1.ResourceAttributes{Namespace: ns, Verb: "get", Resource: "pods"}}}, metav1.CreateOptions{})
			return err == nil && sar.Status.Allowed
		}, 10*time.Second, 20*time.Millisecond)
	}
	tr, err := c.CoreV1().ServiceAccounts("users").CreateToken(ctx, name, &authnv1.TokenRequest{
		Spec: authnv1.TokenRequestSpec{ExpirationSeconds: ptr(int64(3600))}}, metav1.CreateOptions{})
	require.NoError(t, err)
	return tr.Status.Token
}

// podReader stands for "view": the built-in view role is an aggregated role whose rules
// kube-controller-manager fills in, and envtest runs no controller manager.
const podReader = "pod-reader"

func createPodReader(t *testing.T) {
	_, err := kube.Client.RbacV1().ClusterRoles().Create(context.Background(), &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: podReader},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
}

func ptr[T any](v T) *T { return &v }

func console(t *testing.T) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	for _, ns := range append(flowgen.Namespaces, "users") {
		_, err := kube.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		if !apierrors.IsAlreadyExists(err) { // kube-system is there already
			require.NoError(t, err)
		}
	}
	path := filepath.Join(t.TempDir(), "flows.db")
	w, err := flowstore.OpenWriter(path)
	require.NoError(t, err)
	_, err = w.Write(ctx, flowgen.New(3).Logs(time.Now().Add(-5*time.Minute), 5000, 50*time.Millisecond))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	st := storebackend.New(path)
	t.Cleanup(func() { _ = st.Close() })
	srv := httptest.NewServer(server.New(server.Options{
		Records: []backend.Backend{st}, Metrics: []backend.Backend{st},
		Auth:     auth.NewKube(kube.Client, time.Minute),
		Frontend: frontend.Build(frontend.ModeCluster, nil, frontend.Backends{Records: true, Metrics: true}),
	}))
	t.Cleanup(srv.Close)
	createPodReader(t)
	return srv
}

func query(t *testing.T, srv *httptest.Server, token, path string, out any) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	if out != nil {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
	}
	return resp.StatusCode
}

type records struct {
	Records []map[string]any `json:"records"`
}

type metrics struct {
	Metrics []struct {
		Labels map[string]string `json:"labels"`
	} `json:"metrics"`
}

func namespacesSeen(rs []map[string]any) map[string]bool {
	seen := map[string]bool{}
	for _, r := range rs {
		for _, k := range []string{"SrcK8S_Namespace", "DstK8S_Namespace"} {
			if v, _ := r[k].(string); v != "" {
				seen[v] = true
			}
		}
	}
	return seen
}

func TestUsersSeeOnlyFlowsOfTheirNamespaces(t *testing.T) {
	srv := console(t)
	admin := user(t, "admin", true)
	alice := user(t, "alice", false, "payments")
	bob := user(t, "bob", false, "shop", "monitoring")
	nobody := user(t, "nobody", false)

	const all = "/api/flow/records?limit=10000&timeRange=600"
	var r records
	require.Equal(t, http.StatusOK, query(t, srv, admin, all, &r))
	assert.Len(t, r.Records, 5000, "an admin sees every flow")

	for name, tc := range map[string]struct {
		token string
		mine  []string
	}{"alice": {alice, []string{"payments"}}, "bob": {bob, []string{"shop", "monitoring"}}} {
		r = records{}
		require.Equal(t, http.StatusOK, query(t, srv, tc.token, all, &r), name)
		require.NotEmpty(t, r.Records, name)
		for _, rec := range r.Records {
			src, _ := rec["SrcK8S_Namespace"].(string)
			dst, _ := rec["DstK8S_Namespace"].(string)
			require.True(t, contains(tc.mine, src) || contains(tc.mine, dst), "%s sees %s -> %s", name, src, dst)
		}
		// Filters cannot widen the view.
		r = records{}
		query(t, srv, tc.token, all+"&filters=src_namespace%3D%22kube-system%22%7CDstPort%3D443", &r)
		for _, rec := range r.Records {
			src, _ := rec["SrcK8S_Namespace"].(string)
			dst, _ := rec["DstK8S_Namespace"].(string)
			require.True(t, contains(tc.mine, src) || contains(tc.mine, dst), "%s sees %s -> %s", name, src, dst)
		}
		// Topology edges too.
		var m metrics
		require.Equal(t, http.StatusOK, query(t, srv, tc.token, "/api/flow/metrics?aggregateBy=namespace&limit=50&timeRange=600", &m), name)
		require.NotEmpty(t, m.Metrics)
		for _, s := range m.Metrics {
			require.True(t, contains(tc.mine, s.Labels["SrcK8S_Namespace"]) || contains(tc.mine, s.Labels["DstK8S_Namespace"]), "%s: %v", name, s.Labels)
		}
		var role map[string]any
		query(t, srv, tc.token, "/role", &role)
		assert.Equal(t, "dev", role["role"])
		assert.Equal(t, "system:serviceaccount:users:"+name, role["user"])
	}
	// Bob's view includes flows whose other end is elsewhere (shop -> payments).
	r = records{}
	query(t, srv, bob, all, &r)
	assert.True(t, namespacesSeen(r.Records)["payments"])

	r = records{}
	require.Equal(t, http.StatusOK, query(t, srv, nobody, all, &r))
	assert.Empty(t, r.Records, "no namespace, no flow")

	var e map[string]string
	assert.Equal(t, http.StatusUnauthorized, query(t, srv, "", all, &e))
	assert.Contains(t, e["error"], "no Authorization: Bearer header")
	assert.Equal(t, http.StatusUnauthorized, query(t, srv, "not-a-token", all, &e))

	var v map[string][]string
	query(t, srv, alice, "/api/resources/values?field=namespace&timeRange=600", &v)
	assert.Equal(t, []string{"payments"}, v["values"], "autocomplete does not leak namespaces")
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
