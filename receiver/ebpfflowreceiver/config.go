// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ebpfflowreceiver // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver"

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/attach"
)

var _ component.Config = (*Config)(nil)

// Config is the ebpfflow receiver's configuration.
type Config struct {
	// Interfaces to capture on: names or /regex/ patterns. Empty (the default) means all.
	Interfaces []string `mapstructure:"interfaces"`
	// ExcludeInterfaces are never captured on, even when Interfaces selects them. Default [lo].
	ExcludeInterfaces []string `mapstructure:"exclude_interfaces"`
	// Sampling records 1 packet in N. 0 and 1 record every packet. Default 1.
	Sampling uint32 `mapstructure:"sampling"`
	// CacheActiveTimeout is the eviction period: flows are exported this often. Default 5s.
	CacheActiveTimeout time.Duration `mapstructure:"cache_active_timeout"`
	// CacheMaxFlows is the capacity of the kernel flow map. Beyond it, packets go through the
	// overflow ring buffer. Default 100000.
	CacheMaxFlows uint32 `mapstructure:"cache_max_flows"`
	// RingBufferSize is the size in bytes of the overflow ring buffer (power of two, at least
	// 4096). Default 16 MiB.
	RingBufferSize uint32 `mapstructure:"ring_buffer_size"`
	// AttachMode is auto (TCX where the kernel has it, else tc), tcx or tc. Default auto.
	AttachMode string `mapstructure:"attach_mode"`
	// NodeIP is reported as network.local.address, the observing node. In Kubernetes set it from
	// status.hostIP. Default: the first global unicast address of the host.
	NodeIP string `mapstructure:"node_ip"`
	// MaxFlowsPerBatch caps the log records passed downstream in one call. Default 10000.
	MaxFlowsPerBatch int `mapstructure:"max_flows_per_batch"`
	// Features to turn on, NetObserv's names: PacketDrop, DNSTracking, FlowRTT,
	// PacketTranslation. Default none. A feature that is off costs nothing per packet.
	Features []string `mapstructure:"features"`
	// DNSPorts are the ports DNSTracking parses, UDP and TCP (at most 8). Default [53].
	DNSPorts []uint16 `mapstructure:"dns_ports"`
	// FlowFilter selects in the kernel which flows are recorded. Default: no rules, every flow.
	FlowFilter FlowFilterConfig `mapstructure:"flow_filter"`

	// prevent unkeyed literal initialization
	_ struct{}
}

const (
	maxCacheFlows = 1 << 24
	minTimeout    = 100 * time.Millisecond
)

// Validate checks the configuration without touching the system.
func (c *Config) Validate() error {
	var errs []error
	if _, err := c.selector(); err != nil {
		errs = append(errs, err)
	}
	if c.CacheActiveTimeout < minTimeout {
		errs = append(errs, fmt.Errorf("cache_active_timeout: %s is too short, must be at least %s", c.CacheActiveTimeout, minTimeout))
	}
	if c.CacheMaxFlows < 1 || c.CacheMaxFlows > maxCacheFlows {
		errs = append(errs, fmt.Errorf("cache_max_flows: %d is out of range, must be between 1 and %d", c.CacheMaxFlows, maxCacheFlows))
	}
	if c.RingBufferSize < 4096 || c.RingBufferSize&(c.RingBufferSize-1) != 0 {
		errs = append(errs, fmt.Errorf("ring_buffer_size: %d must be a power of two and at least 4096", c.RingBufferSize))
	}
	switch attach.Mode(c.AttachMode) {
	case attach.ModeAuto, attach.ModeTCX, attach.ModeTC:
	default:
		errs = append(errs, fmt.Errorf("attach_mode: %q is not valid, must be one of auto, tcx, tc", c.AttachMode))
	}
	if c.NodeIP != "" {
		if _, err := netip.ParseAddr(c.NodeIP); err != nil {
			errs = append(errs, fmt.Errorf("node_ip: %q is not an IP address", c.NodeIP))
		}
	}
	if c.MaxFlowsPerBatch < 1 {
		errs = append(errs, fmt.Errorf("max_flows_per_batch: %d must be at least 1", c.MaxFlowsPerBatch))
	}
	errs = append(errs, c.validateFeatures()...)
	return errors.Join(errs...)
}

func (c *Config) selector() (attach.Selector, error) {
	inc, err := attach.NewMatcher("interfaces", c.Interfaces)
	if err != nil {
		return attach.Selector{}, err
	}
	exc, err := attach.NewMatcher("exclude_interfaces", c.ExcludeInterfaces)
	if err != nil {
		return attach.Selector{}, err
	}
	return attach.Selector{Include: inc, Exclude: exc}, nil
}
