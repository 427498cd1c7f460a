// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ipfixexporter // import "github.com/flowlens/flowlens/exporter/ipfixexporter"

import (
	"errors"
	"fmt"
	"net"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
)

var _ component.Config = (*Config)(nil)

// Transports.
const (
	TransportUDP = "udp"
	TransportTCP = "tcp"
)

// Config is the ipfix exporter's configuration.
type Config struct {
	// Endpoint is the IPFIX collector, host:port. Required.
	Endpoint string `mapstructure:"endpoint"`
	// Transport is udp or tcp. Default udp.
	Transport string `mapstructure:"transport"`
	// EnterpriseID is the PEN of the enterprise information elements. Default 2, as NetObserv.
	EnterpriseID uint32 `mapstructure:"enterprise_id"`
	// TemplateRefresh is how often templates are sent again over UDP (a collector that starts
	// later learns them). Default 60s.
	TemplateRefresh time.Duration `mapstructure:"template_refresh"`
	// MTU bounds UDP messages so they are never fragmented. Default 1500.
	MTU int `mapstructure:"mtu"`
	// ObservationDomainID goes into every message header. Default 0.
	ObservationDomainID uint32 `mapstructure:"observation_domain_id"`

	QueueSettings configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
	BackOffConfig configretry.BackOffConfig                                `mapstructure:"retry_on_failure"`
	TimeoutConfig exporterhelper.TimeoutConfig                             `mapstructure:",squash"`
}

// Validate checks the configuration without any I/O.
func (c *Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Endpoint); err != nil {
		errs = append(errs, fmt.Errorf("endpoint: %q must be host:port (e.g. 127.0.0.1:4739)", c.Endpoint))
	}
	switch c.Transport {
	case TransportUDP, TransportTCP:
	default:
		errs = append(errs, fmt.Errorf("transport: %q is not valid, must be one of udp, tcp", c.Transport))
	}
	if c.TemplateRefresh < time.Second {
		errs = append(errs, fmt.Errorf("template_refresh: %s is too short, must be at least 1s", c.TemplateRefresh))
	}
	if c.MTU < 576 || c.MTU > 65535 {
		errs = append(errs, fmt.Errorf("mtu: %d is out of range, must be between 576 and 65535", c.MTU))
	}
	return errors.Join(errs...)
}
