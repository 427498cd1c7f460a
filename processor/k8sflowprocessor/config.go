// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package k8sflowprocessor // import "github.com/flowlens/flowlens/processor/k8sflowprocessor"

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"time"

	"go.opentelemetry.io/collector/component"
)

var _ component.Config = (*Config)(nil)

// Auth types.
const (
	AuthServiceAccount = "serviceAccount"
	AuthKubeConfig     = "kubeConfig"
	AuthNone           = "none"
)

// Config is the k8sflow processor's configuration.
type Config struct {
	// AuthType is how to reach the API server: serviceAccount (in cluster, the default),
	// kubeConfig (a kubeconfig file), or none (the processor passes flows through unchanged).
	AuthType string `mapstructure:"auth_type"`
	// KubeConfigPath is the kubeconfig for auth_type kubeConfig. Default: $KUBECONFIG, then
	// ~/.kube/config.
	KubeConfigPath string `mapstructure:"kube_config_path"`
	// AddZone sets source/destination.cloud.availability_zone from the nodes' zone label.
	// Default true.
	AddZone bool `mapstructure:"add_zone"`
	// ClusterName is set as k8s.cluster.name on every flow when not empty. Default "".
	ClusterName string `mapstructure:"cluster_name"`
	// SubnetLabels name CIDRs; the first label whose CIDR holds an end's address is set as
	// source/destination.subnet.label. Default none.
	SubnetLabels []SubnetLabel `mapstructure:"subnet_labels"`
	// InfraNamespacePrefixes mark namespaces whose flows are infrastructure
	// (network.flow.layer). Default [kube-, openshift, netobserv].
	InfraNamespacePrefixes []string `mapstructure:"infra_namespace_prefixes"`
	// WaitForSync bounds how long flows wait for the informers' first sync after start. 0 (the
	// default) passes them on at once, unenriched and counted.
	WaitForSync time.Duration `mapstructure:"wait_for_sync"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// SubnetLabel names a set of CIDRs.
type SubnetLabel struct {
	// Name of the label, NetObserv's syntax ^[a-zA-Z_:-][a-zA-Z0-9_:-]*$ (use an EXT: prefix for
	// external ranges).
	Name string `mapstructure:"name"`
	// CIDRs, IPv4 or IPv6.
	CIDRs []string `mapstructure:"cidrs"`
}

var labelName = regexp.MustCompile(`^[a-zA-Z_:-][a-zA-Z0-9_:-]*$`)

// Validate checks the configuration without touching the API server.
func (c *Config) Validate() error {
	var errs []error
	switch c.AuthType {
	case AuthServiceAccount, AuthKubeConfig, AuthNone:
	default:
		errs = append(errs, fmt.Errorf("auth_type: %q is not valid, must be one of %s, %s, %s",
			c.AuthType, AuthServiceAccount, AuthKubeConfig, AuthNone))
	}
	if c.KubeConfigPath != "" && c.AuthType != AuthKubeConfig {
		errs = append(errs, fmt.Errorf("kube_config_path is set but auth_type is %q; it needs auth_type: %s", c.AuthType, AuthKubeConfig))
	}
	for i, l := range c.SubnetLabels {
		if !labelName.MatchString(l.Name) {
			errs = append(errs, fmt.Errorf("subnet_labels[%d].name: %q must match %s", i, l.Name, labelName))
		}
		if len(l.CIDRs) == 0 {
			errs = append(errs, fmt.Errorf("subnet_labels[%d].cidrs: at least one CIDR is required", i))
		}
		for j, c := range l.CIDRs {
			if _, err := netip.ParsePrefix(c); err != nil {
				errs = append(errs, fmt.Errorf("subnet_labels[%d].cidrs[%d]: %q is not a CIDR (like 10.128.0.0/14)", i, j, c))
			}
		}
	}
	for i, p := range c.InfraNamespacePrefixes {
		if p == "" {
			errs = append(errs, fmt.Errorf("infra_namespace_prefixes[%d]: empty prefix would mark every namespace as infra", i))
		}
	}
	if c.WaitForSync < 0 {
		errs = append(errs, fmt.Errorf("wait_for_sync: %s must not be negative", c.WaitForSync))
	}
	return errors.Join(errs...)
}
