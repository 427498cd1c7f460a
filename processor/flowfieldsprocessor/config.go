// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowfieldsprocessor // import "github.com/flowlens/flowlens/processor/flowfieldsprocessor"

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/component"
)

var _ component.Config = (*Config)(nil)

// Values of naming and body.
const (
	NamingKeep        = ""
	NamingNetObserv   = "netobserv"
	BodyKeep          = ""
	BodyNetObservJSON = "netobserv_json"
)

// Config is the flowfields processor's configuration.
type Config struct {
	// Naming is "" (attributes keep flowlens' names) or netobserv (renamed to NetObserv's field
	// names, in NetObserv's units: ms times, numeric directions, flag names).
	Naming string `mapstructure:"naming"`
	// Mapping is NetObserv's fieldsMapping: each input field (a NetObserv name when naming is
	// netobserv, else an attribute name) is renamed to output, numbers multiplied by multiplier.
	Mapping []FieldMapping `mapstructure:"mapping"`
	// Body is "" (unchanged) or netobserv_json (the body becomes the flow as NetObserv JSON, for
	// the kafka exporter's raw encoding: one flow per message, as NetObserv's Kafka exporter).
	Body string `mapstructure:"body"`
}

// FieldMapping renames one field, NetObserv's fieldsMapping entry.
type FieldMapping struct {
	Input      string  `mapstructure:"input"`
	Output     string  `mapstructure:"output"`
	Multiplier float64 `mapstructure:"multiplier"`
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	switch c.Naming {
	case NamingKeep, NamingNetObserv:
	default:
		errs = append(errs, fmt.Errorf("naming: %q is not valid, must be \"\" or %s", c.Naming, NamingNetObserv))
	}
	switch c.Body {
	case BodyKeep, BodyNetObservJSON:
	default:
		errs = append(errs, fmt.Errorf("body: %q is not valid, must be \"\" or %s", c.Body, BodyNetObservJSON))
	}
	for i, m := range c.Mapping {
		if m.Input == "" || m.Output == "" {
			errs = append(errs, fmt.Errorf("mapping[%d]: input and output are required", i))
		}
		if m.Multiplier < 0 {
			errs = append(errs, fmt.Errorf("mapping[%d].multiplier: %v must not be negative (0 means 1)", i, m.Multiplier))
		}
	}
	return errors.Join(errs...)
}
