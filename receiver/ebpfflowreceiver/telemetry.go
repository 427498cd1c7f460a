// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ebpfflowreceiver // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver"

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/attach"
)

// attachEvents reports the attacher's work as receiver telemetry.
type attachEvents struct{ r *flowReceiver }

var _ attach.Events = attachEvents{}

func (a attachEvents) Attached(_ string, mode attach.Mode) {
	a.r.tb.ReceiverEbpfflowInterfaces.Add(context.Background(), 1,
		metric.WithAttributes(attribute.String("mode", string(mode))))
}

func (a attachEvents) Detached(_ string, mode attach.Mode) {
	a.r.tb.ReceiverEbpfflowInterfaces.Add(context.Background(), -1,
		metric.WithAttributes(attribute.String("mode", string(mode))))
}

func (a attachEvents) AttachFailed(iface string, _ error) {
	a.r.tb.ReceiverEbpfflowAttachErrors.Add(context.Background(), 1,
		metric.WithAttributes(attribute.String("interface", iface)))
}
