// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package lokiflowexporter // import "github.com/flowlens/flowlens/exporter/lokiflowexporter"

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/flowlens/flowlens/pkg/flow"
)

var _ component.Config = (*Config)(nil)

// Formats of the push body.
const (
	FormatProtobuf = "protobuf"
	FormatJSON     = "json"
)

// DefaultLabels are NetObserv's stream labels (flow.LokiLabels).
var DefaultLabels = flow.LokiLabels

// Config is the lokiflow exporter's configuration.
type Config struct {
	// ClientConfig: endpoint (the push URL, e.g. http://loki:3100/loki/api/v1/push), tls (CA,
	// client certificate for mTLS), headers, timeout.
	confighttp.ClientConfig `mapstructure:",squash"`
	// QueueSettings batch flows by bytes and by wait (sending_queue.batch) and can persist them
	// (sending_queue.storage with a file_storage extension).
	QueueSettings configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
	// BackOffConfig retries 429 and 5xx answers.
	BackOffConfig configretry.BackOffConfig `mapstructure:"retry_on_failure"`
	// TenantID is sent as X-Scope-OrgID when set. Default "netobserv".
	TenantID string `mapstructure:"tenant_id"`
	// BearerTokenFile is read at each push (tokens rotate) and sent as Authorization: Bearer.
	BearerTokenFile string `mapstructure:"bearer_token_file"`
	// Format is protobuf (snappy-compressed, Loki's default) or json. Default protobuf.
	Format string `mapstructure:"format"`
	// Labels are the NetObserv fields that become stream labels. Default DefaultLabels.
	Labels []string `mapstructure:"labels"`
	// StaticLabels are added to every stream. Default {app: netobserv-flowcollector}.
	StaticLabels map[string]string `mapstructure:"static_labels"`
}

var labelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// Validate checks the configuration without any I/O.
func (c *Config) Validate() error {
	var errs []error
	u, err := url.Parse(c.Endpoint)
	switch {
	case c.Endpoint == "":
		errs = append(errs, errors.New("endpoint: required, the push URL such as http://loki:3100/loki/api/v1/push"))
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		errs = append(errs, fmt.Errorf("endpoint: %q is not an http(s) URL", c.Endpoint))
	}
	switch c.Format {
	case FormatProtobuf, FormatJSON:
	default:
		errs = append(errs, fmt.Errorf("format: %q is not valid, must be one of %s, %s", c.Format, FormatProtobuf, FormatJSON))
	}
	seen := map[string]bool{}
	for i, l := range c.Labels {
		if _, ok := flow.ByNetObserv(l); !ok && l != flow.NetObservSrcName && l != flow.NetObservDstName {
			errs = append(errs, fmt.Errorf("labels[%d]: %q is not a NetObserv field name (see docs/flow-schema.md)", i, l))
		}
		if seen[l] {
			errs = append(errs, fmt.Errorf("labels[%d]: %q is listed twice", i, l))
		}
		seen[l] = true
	}
	for k := range c.StaticLabels {
		if !labelName.MatchString(flow.LokiLabelName(k)) {
			errs = append(errs, fmt.Errorf("static_labels: %q is not a valid label name", k))
		}
	}
	return errors.Join(errs...)
}
