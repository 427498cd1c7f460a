// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowstoreexporter // import "github.com/flowlens/flowlens/exporter/flowstoreexporter"

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
)

var _ component.Config = (*Config)(nil)

// Config is the flowstore exporter's configuration.
type Config struct {
	// Path is the store file. Default ./data/flows.db.
	Path string `mapstructure:"path"`
	// Retention drops flows older than this. Default 24h; 0 keeps them.
	Retention time.Duration `mapstructure:"retention"`
	// MaxSize bounds the data in the file ("10GiB", "500MB", bytes); the oldest flows go first.
	// Default 10GiB; 0 means no bound.
	MaxSize ByteSize `mapstructure:"max_size"`
	// CheckInterval is how often retention runs. Default 1m.
	CheckInterval time.Duration `mapstructure:"check_interval"`
	// QueueSettings batch flows into transactions (sending_queue.batch).
	QueueSettings configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
}

// ByteSize is a size in bytes written with an optional unit: KB, MB, GB (10^3) or KiB, MiB,
// GiB (2^10).
type ByteSize int64

// UnmarshalText parses "10GiB", "512MB" or a plain number of bytes.
func (b *ByteSize) UnmarshalText(text []byte) error {
	s := strings.TrimSpace(string(text))
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 0 {
		return fmt.Errorf("%q is not a size (like 10GiB, 500MB or a number of bytes)", string(text))
	}
	*b = ByteSize(n * float64(mult))
	return nil
}

// Validate checks the configuration without touching the file.
func (c *Config) Validate() error {
	var errs []error
	if c.Path == "" {
		errs = append(errs, errors.New("path: required, the store file (e.g. ./data/flows.db)"))
	}
	if c.Retention < 0 {
		errs = append(errs, fmt.Errorf("retention: %s must not be negative", c.Retention))
	}
	if c.MaxSize < 0 {
		errs = append(errs, errors.New("max_size: must not be negative"))
	}
	if c.MaxSize > 0 && c.MaxSize < 1<<20 {
		errs = append(errs, fmt.Errorf("max_size: %d bytes is too small, must be at least 1MiB", c.MaxSize))
	}
	if c.CheckInterval < time.Second {
		errs = append(errs, fmt.Errorf("check_interval: %s is too short, must be at least 1s", c.CheckInterval))
	}
	return errors.Join(errs...)
}
