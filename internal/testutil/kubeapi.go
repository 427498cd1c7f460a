// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package testutil // import "github.com/flowlens/flowlens/internal/testutil"

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Service ClusterIP ranges of the test API server.
const (
	ServiceCIDRv4 = "10.96.0.0/16"
	ServiceCIDRv6 = "fd00:96::/108"
)

// KubeAPI is a real kube-apiserver and etcd (controller-runtime envtest) for tests.
type KubeAPI struct {
	Env        *envtest.Environment
	Config     *rest.Config
	Client     kubernetes.Interface
	Kubeconfig string // a kubeconfig file for Config, for components configured by file
	dir        string
}

// RepoRoot is the repository root (where go.mod is).
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// EnvtestAssets returns the folder with kube-apiserver and etcd: $KUBEBUILDER_ASSETS, else what
// hack/envtest-assets.sh builds or finds in its cache (it builds kube-apiserver from the Go
// module proxy the first time, several minutes).
func EnvtestAssets() (string, error) {
	if d := os.Getenv("KUBEBUILDER_ASSETS"); d != "" {
		return d, nil
	}
	out, err := exec.Command("bash", filepath.Join(RepoRoot(), "hack", "envtest-assets.sh")).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("hack/envtest-assets.sh: %w\n%s", err, ee.Stderr)
		}
		return "", fmt.Errorf("hack/envtest-assets.sh: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// StartKubeAPI starts an API server. Call Stop when done (TestMain style: no testing.T).
// CRDDirs are loaded at start.
func StartKubeAPI(crdDirs ...string) (*KubeAPI, error) {
	assets, err := EnvtestAssets()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "flowlens-kubeapi-")
	if err != nil {
		return nil, err
	}
	env := &envtest.Environment{BinaryAssetsDirectory: assets, CRDDirectoryPaths: crdDirs, ErrorIfCRDPathMissing: len(crdDirs) > 0}
	// A fixed cert folder: the serving certificate survives RestartAPIServer, so clients keep
	// trusting the server.
	apiServer := env.ControlPlane.GetAPIServer()
	apiServer.CertDir = filepath.Join(dir, "certs")
	// Dual-stack Services, with ranges that tests can use for ClusterIPs.
	apiServer.Configure().Set("service-cluster-ip-range", ServiceCIDRv4+","+ServiceCIDRv6)
	// Without this, a server with open watches takes the whole 20 s stop timeout to exit.
	apiServer.Configure().Set("shutdown-watch-termination-grace-period", "1s")
	if err := os.MkdirAll(apiServer.CertDir, 0o700); err != nil {
		return nil, err
	}
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("start envtest (assets %s): %w", assets, err)
	}
	k := &KubeAPI{Env: env, Config: cfg, dir: dir}
	if k.Client, err = kubernetes.NewForConfig(cfg); err != nil {
		return nil, errors.Join(err, k.Stop())
	}
	k.Kubeconfig = filepath.Join(dir, "kubeconfig")
	if err := writeKubeconfig(cfg, k.Kubeconfig); err != nil {
		return nil, errors.Join(err, k.Stop())
	}
	return k, nil
}

// RestartAPIServer stops the API server and starts it again on the same address, with the same
// certificates; etcd keeps running, so objects survive.
func (k *KubeAPI) RestartAPIServer() error {
	s := k.Env.ControlPlane.GetAPIServer()
	if err := s.Stop(); err != nil {
		return fmt.Errorf("stop kube-apiserver: %w", err)
	}
	if err := s.Start(); err != nil {
		return fmt.Errorf("start kube-apiserver again: %w", err)
	}
	return nil
}

// StopAPIServer stops only the API server (StartAPIServer brings it back).
func (k *KubeAPI) StopAPIServer() error { return k.Env.ControlPlane.GetAPIServer().Stop() }

// StartAPIServer starts a stopped API server again.
func (k *KubeAPI) StartAPIServer() error { return k.Env.ControlPlane.GetAPIServer().Start() }

// Stop stops the API server and etcd and removes their files.
func (k *KubeAPI) Stop() error {
	err := k.Env.Stop()
	return errors.Join(err, os.RemoveAll(k.dir))
}

// KubeconfigVia writes a kubeconfig for the API server reached at another address (host:port,
// e.g. from ForwardIntoNamespace) and returns its path.
func (k *KubeAPI) KubeconfigVia(addr string) (string, error) {
	cfg := rest.CopyConfig(k.Config)
	cfg.Host = "https://" + addr
	path := filepath.Join(k.dir, "kubeconfig-"+strings.ReplaceAll(addr, ":", "-"))
	return path, writeKubeconfig(cfg, path)
}

func writeKubeconfig(cfg *rest.Config, path string) error {
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["envtest"] = &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken}
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "envtest"}
	kc.CurrentContext = "envtest"
	return clientcmd.WriteToFile(*kc, path)
}
