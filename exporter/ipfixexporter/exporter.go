// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ipfixexporter // import "github.com/flowlens/flowlens/exporter/ipfixexporter"

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/vmware/go-ipfix/pkg/entities"
	ipfix "github.com/vmware/go-ipfix/pkg/exporter"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/flowlens/flowlens/exporter/ipfixexporter/internal/metadata"
	"github.com/flowlens/flowlens/pkg/flow"
)

type family int

const (
	fam4 family = iota
	fam6
)

type ipfixExporter struct {
	cfg    *Config
	set    exporter.Settings
	tb     *metadata.TelemetryBuilder
	fields [2][]field

	mu       sync.Mutex
	ep       *ipfix.ExportingProcess // nil until connected, and after a send error
	template [2]uint16
	buf      bytes.Buffer
}

func newExporter(set exporter.Settings, cfg *Config) (*ipfixExporter, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	e := &ipfixExporter{cfg: cfg, set: set, tb: tb}
	e.fields[fam4] = templateFields(false, cfg.EnterpriseID)
	e.fields[fam6] = templateFields(true, cfg.EnterpriseID)
	return e, nil
}

// connect opens the transport and sends both templates. It runs on the first push and after
// any send error (a lost TCP connection), so a collector always gets templates before data.
func (e *ipfixExporter) connect() error {
	ep, err := ipfix.InitExportingProcess(ipfix.ExporterInput{
		CollectorAddress:    e.cfg.Endpoint,
		CollectorProtocol:   e.cfg.Transport,
		ObservationDomainID: e.cfg.ObservationDomainID,
		TempRefTimeout:      uint32(e.cfg.TemplateRefresh.Seconds()),
		PathMTU:             e.cfg.MTU,
	})
	if err != nil {
		return fmt.Errorf("ipfix: connect to %s over %s: %w", e.cfg.Endpoint, e.cfg.Transport, err)
	}
	for _, fam := range []family{fam4, fam6} {
		id := ep.NewTemplateID()
		set := entities.NewSet(false)
		if err := set.PrepareSet(entities.Template, id); err != nil {
			ep.CloseConnToCollector()
			return err
		}
		elems := make([]entities.InfoElementWithValue, len(e.fields[fam]))
		for i, f := range e.fields[fam] {
			if elems[i], err = entities.DecodeAndCreateInfoElementWithValue(f.ie, nil); err != nil {
				ep.CloseConnToCollector()
				return fmt.Errorf("ipfix template element %s: %w", f.ie.Name, err)
			}
		}
		if err := set.AddRecord(elems, id); err != nil {
			ep.CloseConnToCollector()
			return err
		}
		n, err := ep.SendSet(set)
		if err != nil {
			ep.CloseConnToCollector()
			return fmt.Errorf("ipfix: send template: %w", err)
		}
		e.tb.ExporterIpfixBytesSent.Add(context.Background(), int64(n))
		e.template[fam] = id
	}
	e.ep = ep
	e.tb.ExporterIpfixConnects.Add(context.Background(), 1)
	e.set.Logger.Info("Connected to the IPFIX collector", zap.String("endpoint", e.cfg.Endpoint), zap.String("transport", e.cfg.Transport))
	return nil
}

// push sends one data record per IP flow. A send error closes the transport: the retry
// reconnects and sends the templates again.
func (e *ipfixExporter) push(ctx context.Context, ld plog.Logs) error {
	var flows [2][]flowView
	skipped := 0
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				fv := flowView{attrs: lrs.At(k).Attributes()}
				switch fv.str(flow.AttrNetworkType) {
				case "ipv4":
					flows[fam4] = append(flows[fam4], fv)
				case "ipv6":
					flows[fam6] = append(flows[fam6], fv)
				default:
					skipped++
				}
			}
		}
	}
	if skipped > 0 {
		e.tb.ExporterIpfixRecordsSkipped.Add(ctx, int64(skipped))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ep == nil {
		if err := e.connect(); err != nil {
			return err
		}
	}
	for fam, fvs := range flows {
		if len(fvs) == 0 {
			continue
		}
		recs := make([]entities.Record, len(fvs))
		for i := range fvs {
			recs[i] = e.record(&fvs[i], family(fam))
		}
		sent, n, err := e.ep.SendDataRecords(e.template[fam], recs, &e.buf)
		e.tb.ExporterIpfixBytesSent.Add(ctx, int64(n))
		e.tb.ExporterIpfixRecordsSent.Add(ctx, int64(sent))
		if err != nil {
			e.ep.CloseConnToCollector()
			e.ep = nil
			// The whole batch is retried: a collector may see the records sent before the
			// error twice, never none of them.
			return fmt.Errorf("ipfix: send data records (%d of %d sent): %w", sent, len(recs), err)
		}
	}
	return nil
}

func (e *ipfixExporter) record(fv *flowView, fam family) entities.Record {
	fs := e.fields[fam]
	elems := make([]entities.InfoElementWithValue, len(fs))
	for i, f := range fs {
		elems[i] = f.value(fv, f.ie)
	}
	return entities.NewDataRecordFromElements(e.template[fam], elems)
}

func (e *ipfixExporter) shutdown(context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ep != nil {
		e.ep.CloseConnToCollector()
		e.ep = nil
	}
	e.tb.Shutdown()
	return nil
}
