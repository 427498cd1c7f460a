// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package kube // import "github.com/flowlens/flowlens/processor/k8sflowprocessor/internal/kube"

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// RestConfig builds the API server client configuration for an auth type: serviceAccount (the
// pod's own token, in cluster) or kubeConfig (a kubeconfig file; "" means $KUBECONFIG, then
// ~/.kube/config).
func RestConfig(authType, kubeConfigPath string) (*rest.Config, error) {
	switch authType {
	case "serviceAccount":
		cfg, err := rest.InClusterConfig()
		if err != nil {
			return nil, fmt.Errorf("auth_type serviceAccount: %w (outside a pod, use auth_type: kubeConfig)", err)
		}
		return cfg, nil
	case "kubeConfig":
		path := kubeConfigPath
		if path == "" {
			path = os.Getenv("KUBECONFIG")
		}
		if path == "" {
			home, _ := os.UserHomeDir()
			path = filepath.Join(home, ".kube", "config")
		}
		cfg, err := clientcmd.BuildConfigFromFlags("", path)
		if err != nil {
			return nil, fmt.Errorf("auth_type kubeConfig: read %s: %w", path, err)
		}
		return cfg, nil
	}
	return nil, fmt.Errorf("auth_type %q has no API server client", authType)
}
