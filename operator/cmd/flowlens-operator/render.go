// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/flowlens/flowlens/operator/internal/crdschema"
	"github.com/flowlens/flowlens/operator/internal/render"
)

// runRender admits the FlowCollector of a file as the API server would (CRD defaults, schema
// and CEL validation, the webhook's checks) and prints every object the operator would apply.
func runRender(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("f", "", "FlowCollector YAML file (- for standard input)")
	collectorImage := fs.String("collector-image", render.DefaultCollectorImage, "collector image of the node and gateway pods")
	consoleImage := fs.String("console-image", render.DefaultConsoleImage, "console image")
	serviceMonitor := fs.Bool("service-monitor", false, "render as if the cluster had the ServiceMonitor CRD")
	prometheusRule := fs.Bool("prometheus-rule", false, "render as if the cluster had the PrometheusRule CRD")
	all := fs.Bool("all-components", false, "render as if the collector had every component, including the ones not built yet")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" {
		return errors.New("render: -f FILE is required")
	}
	var data []byte
	var err error
	if *file == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(*file)
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", *file, err)
	}
	schema, err := crdschema.Load()
	if err != nil {
		return err
	}
	fcs, err := schema.AdmitYAML(data)
	if err != nil {
		return fmt.Errorf("%s: %w", *file, err)
	}
	if len(fcs) != 1 {
		return fmt.Errorf("%s: want one FlowCollector, found %d", *file, len(fcs))
	}
	opts := render.Options{
		CollectorImage: *collectorImage, ConsoleImage: *consoleImage,
		ServiceMonitorCRD: *serviceMonitor, PrometheusRuleCRD: *prometheusRule,
	}
	if *all {
		opts.Available = render.All()
	}
	res, err := render.Render(fcs[0], opts)
	if err != nil {
		return err
	}
	out, err := render.YAML(res.Objects)
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, render.Comments(res)+out)
	return err
}
