// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package controller

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2/textlogger"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/yaml"

	"github.com/flowlens/flowlens/operator/internal/render"
)

// One real kube-apiserver + etcd (envtest) for the whole package: starting one takes ~5 s.
var (
	testCfg    *rest.Config
	testClient client.Client
	testScheme *runtime.Scheme
	testEnv    *envtest.Environment
)

// testRender is what the manager under test renders with: every component, so the Kafka model,
// the exporters and the monitoring objects exist and the reconcile loop handles all of them.
var testRender = render.Options{Available: render.All(), CollectorImage: "test/otelcol-flowlens:dev", ConsoleImage: "test/console:dev"}

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	assets, err := envtestAssets()
	if err != nil {
		// Fail, never skip: CI must not pass without the API server tests.
		fmt.Fprintf(os.Stderr, "FAIL: envtest assets not found: %v\n"+
			"Build them with hack/envtest-assets.sh (make deps installs etcd) and/or set KUBEBUILDER_ASSETS to the folder it prints.\n", err)
		return 1
	}
	testEnv = &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "..", "config", "crd", "bases"), filepath.Join("testdata", "crds")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: assets,
		WebhookInstallOptions: envtest.WebhookInstallOptions{Paths: []string{filepath.Join("..", "..", "config", "webhook")}},
	}
	testCfg, err = testEnv.Start()
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: start envtest (assets %s): %v\n"+
			"KUBEBUILDER_ASSETS must hold kube-apiserver and etcd: unset it to use hack/envtest-assets.sh, or set it to the folder that script prints.\n", assets, err)
		return 1
	}
	defer func() {
		if err := testEnv.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stop envtest: %v\n", err)
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	done, err := startManager(ctx)
	if err != nil {
		cancel()
		fmt.Fprintf(os.Stderr, "FAIL: start manager: %v\n", err)
		return 1
	}
	code := m.Run()
	cancel()
	<-done // the manager must stop before the API server and its webhook certificates go
	return code
}

// envtestAssets is $KUBEBUILDER_ASSETS, or the folder hack/envtest-assets.sh builds (once) and
// prints.
func envtestAssets() (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir, nil
	}
	script, err := filepath.Abs(filepath.Join("..", "..", "..", "hack", "envtest-assets.sh"))
	if err != nil {
		return "", err
	}
	cmd := exec.Command(script)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s: %w", script, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// startManager runs the operator's manager (reconciler and webhook) against the test API server,
// with the production cache options, and waits until the webhook server accepts connections.
func startManager(ctx context.Context) (<-chan struct{}, error) {
	// Reconcile errors are logged; $TEST_OPERATOR_LOG_V raises the verbosity.
	logCfg := textlogger.NewConfig(textlogger.Verbosity(envInt("TEST_OPERATOR_LOG_V", 0)), textlogger.Output(os.Stderr))
	ctrl.SetLogger(textlogger.NewLogger(logCfg))
	var err error
	testScheme, err = NewScheme()
	if err != nil {
		return nil, err
	}
	testClient, err = client.New(testCfg, client.Options{Scheme: testScheme})
	if err != nil {
		return nil, err
	}
	// The manager runs as the operator's ServiceAccount with the generated ClusterRole
	// (config/rbac/role.yaml), so a permission missing from the RBAC markers fails the tests.
	mgrCfg, err := operatorIdentity()
	if err != nil {
		return nil, fmt.Errorf("operator RBAC: %w", err)
	}
	wo := &testEnv.WebhookInstallOptions
	mgr, err := ctrl.NewManager(mgrCfg, ctrl.Options{
		Scheme:  testScheme,
		Cache:   CacheOptions(),
		Metrics: metricsserver.Options{BindAddress: "0"},
		WebhookServer: webhook.NewServer(webhook.Options{
			Host: wo.LocalServingHost, Port: wo.LocalServingPort, CertDir: wo.LocalServingCertDir,
		}),
	})
	if err != nil {
		return nil, err
	}
	if err := Setup(mgr, testRender, true); err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "manager stopped: %v\n", err)
		}
	}()
	addr := net.JoinHostPort(wo.LocalServingHost, strconv.Itoa(wo.LocalServingPort))
	deadline := time.Now().Add(20 * time.Second)
	for {
		conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // local test server
		if err == nil {
			return done, conn.Close()
		}
		if time.Now().After(deadline) {
			return done, fmt.Errorf("webhook server %s not serving: %w", addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

// operatorIdentity installs config/rbac/role.yaml bound to the operator's ServiceAccount and
// returns a config that impersonates it.
func operatorIdentity() (*rest.Config, error) {
	data, err := os.ReadFile(filepath.Join("..", "..", "config", "rbac", "role.yaml"))
	if err != nil {
		return nil, err
	}
	role := &rbacv1.ClusterRole{}
	if err := yaml.UnmarshalStrict(data, role); err != nil {
		return nil, err
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: role.Name},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: "flowlens-operator", Namespace: "flowlens-operator"}},
	}
	ctx := context.Background()
	for _, o := range []client.Object{role, binding} {
		if err := testClient.Create(ctx, o); err != nil {
			return nil, err
		}
	}
	cfg := rest.CopyConfig(testCfg)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:flowlens-operator:flowlens-operator"}
	return cfg, nil
}
