// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/flowlens/flowlens/console/internal/auth"
	"github.com/flowlens/flowlens/console/internal/backend"
	"github.com/flowlens/flowlens/console/internal/backend/lokibackend"
	"github.com/flowlens/flowlens/console/internal/backend/prombackend"
	"github.com/flowlens/flowlens/console/internal/backend/storebackend"
	"github.com/flowlens/flowlens/console/internal/frontend"
	"github.com/flowlens/flowlens/console/internal/server"
	"github.com/flowlens/flowlens/pkg/flow"
)

const defaultConfigPath = "/etc/flowlens-console/config.yaml"

type options struct {
	listen     string
	storePath  string
	configPath string
	authMode   string
	mode       string
	kubeconfig string

	lokiURL, lokiTenant, lokiTokenFile, lokiLabels, lokiStatic string
	lokiCAFile, promCAFile                                     string
	lokiInsecure, promInsecure, lokiForward, promForward       bool
	promURL, promTokenFile                                     string
	promRateInterval                                           time.Duration
	logLevel                                                   slog.Level
}

func (o *options) register(fl *flag.FlagSet) {
	fl.StringVar(&o.listen, "listen", "127.0.0.1:9001", "address to serve on (:9001 for every interface)")
	fl.StringVar(&o.storePath, "store", "", "embedded flow store file written by the flowstore exporter")
	fl.StringVar(&o.configPath, "config", defaultConfigPath, "console config file (quick filters, port names); optional at its default path")
	fl.StringVar(&o.authMode, "auth", "auto", "who may query: none (everyone is admin), tenant (bearer token, TokenReview and SubjectAccessReview), auto (tenant inside a cluster, none otherwise)")
	fl.StringVar(&o.lokiURL, "loki-url", "", "Loki base URL (http://loki:3100): flow records and, without Prometheus, metrics")
	fl.StringVar(&o.lokiTenant, "loki-tenant-id", "netobserv", "X-Scope-OrgID sent to Loki (empty: none)")
	fl.StringVar(&o.lokiTokenFile, "loki-token-file", "", "bearer token file for Loki, read at each query")
	fl.StringVar(&o.lokiCAFile, "loki-ca-file", "", "CA certificate (PEM) that signs Loki's certificate")
	fl.BoolVar(&o.lokiInsecure, "loki-insecure-skip-verify", false, "do not verify Loki's certificate")
	fl.BoolVar(&o.lokiForward, "loki-forward-user-token", false, "send each user's bearer token to Loki instead of --loki-token-file")
	fl.StringVar(&o.lokiLabels, "loki-labels", strings.Join(flow.LokiLabels, ","), "fields that the lokiflow exporter made stream labels")
	fl.StringVar(&o.lokiStatic, "loki-static-labels", "app=netobserv-flowcollector", "static labels of the lokiflow exporter, k=v,k=v")
	fl.StringVar(&o.promURL, "prometheus-url", "", "Prometheus base URL (http://prometheus:9090) with the flowmetrics connector's metrics")
	fl.StringVar(&o.promTokenFile, "prometheus-token-file", "", "bearer token file for Prometheus")
	fl.StringVar(&o.promCAFile, "prometheus-ca-file", "", "CA certificate (PEM) that signs Prometheus' certificate")
	fl.BoolVar(&o.promInsecure, "prometheus-insecure-skip-verify", false, "do not verify Prometheus' certificate")
	fl.BoolVar(&o.promForward, "prometheus-forward-user-token", false, "send each user's bearer token to Prometheus instead of --prometheus-token-file")
	fl.DurationVar(&o.promRateInterval, "prometheus-rate-interval", time.Minute, "shortest rate() range; at least four scrape intervals")
	fl.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig for --auth=tenant outside a cluster (inside, the pod's service account is used)")
	fl.StringVar(&o.mode, "mode", "auto", "UI defaults: host, cluster, auto (host with only --store, cluster otherwise)")
	fl.TextVar(&o.logLevel, "log-level", slog.LevelInfo, "debug, info, warn or error")
}

// build turns the flags into server options; closeAll releases the backends.
func (o *options) build(_ context.Context, log *slog.Logger) (server.Options, func(), error) {
	var so server.Options
	var closers []func() error
	closeAll := func() {
		for _, c := range closers {
			_ = c()
		}
	}
	var records, metrics []backend.Backend
	if o.storePath != "" {
		st := storebackend.New(o.storePath)
		closers = append(closers, st.Close)
		records, metrics = append(records, st), append(metrics, st)
	}
	if o.promURL != "" {
		hc, err := httpClient(o.promCAFile, o.promInsecure)
		if err != nil {
			return so, closeAll, fmt.Errorf("--prometheus-ca-file: %w", err)
		}
		p, err := prombackend.New(prombackend.Config{URL: o.promURL, BearerTokenFile: o.promTokenFile, RateInterval: o.promRateInterval,
			ForwardUserToken: o.promForward, Client: hc})
		if err != nil {
			return so, closeAll, fmt.Errorf("--prometheus-url: %w", err)
		}
		metrics = append([]backend.Backend{p}, metrics...) // metrics from Prometheus first, as NetObserv
	}
	if o.lokiURL != "" {
		static, err := keyValues(o.lokiStatic)
		if err != nil {
			return so, closeAll, fmt.Errorf("--loki-static-labels: %w", err)
		}
		hc, err := httpClient(o.lokiCAFile, o.lokiInsecure)
		if err != nil {
			return so, closeAll, fmt.Errorf("--loki-ca-file: %w", err)
		}
		l, err := lokibackend.New(lokibackend.Config{URL: o.lokiURL, TenantID: o.lokiTenant, BearerTokenFile: o.lokiTokenFile,
			Labels: splitList(o.lokiLabels), StaticLabels: static, Client: hc, ForwardUserToken: o.lokiForward})
		if err != nil {
			return so, closeAll, fmt.Errorf("--loki-url: %w", err)
		}
		records, metrics = append(records, l), append(metrics, l)
	}
	if len(records)+len(metrics) == 0 {
		return so, closeAll, errors.New("no backend: give --store, --loki-url or --prometheus-url")
	}
	so.Records, so.Metrics = records, metrics

	inCluster := os.Getenv("KUBERNETES_SERVICE_HOST") != ""
	var err error
	switch o.authMode {
	case "none":
		so.Auth = auth.None{}
	case "tenant":
		if so.Auth, err = o.kubeAuth(); err != nil {
			return so, closeAll, err
		}
	case "auto":
		if inCluster || o.kubeconfig != "" {
			o.authMode = "tenant"
			if so.Auth, err = o.kubeAuth(); err != nil {
				return so, closeAll, err
			}
		} else {
			o.authMode = "none"
			so.Auth = auth.None{}
		}
	default:
		return so, closeAll, fmt.Errorf("--auth: %q is not valid, must be one of none, tenant, auto", o.authMode)
	}

	mode := frontend.ModeCluster
	switch o.mode {
	case "host":
		mode = frontend.ModeHost
	case "cluster":
	case "auto":
		if o.storePath != "" && o.lokiURL == "" && o.promURL == "" {
			mode = frontend.ModeHost
		}
	default:
		return so, closeAll, fmt.Errorf("--mode: %q is not valid, must be one of host, cluster, auto", o.mode)
	}
	file, err := frontend.LoadFile(o.configPath, o.configPath == defaultConfigPath)
	if err != nil {
		return so, closeAll, err
	}
	so.Frontend = frontend.Build(mode, file, frontend.Backends{Records: len(records) > 0, Metrics: len(metrics) > 0})
	log.Debug("backends", "records", names(records), "metrics", names(metrics))
	return so, closeAll, nil
}

func names(bs []backend.Backend) string {
	var n []string
	for _, b := range bs {
		n = append(n, b.Name())
	}
	return strings.Join(n, ",")
}

// kubeAuth builds the TokenReview/SubjectAccessReview authenticator from --kubeconfig or the
// pod's service account.
func (o *options) kubeAuth() (auth.Authenticator, error) {
	var cfg *rest.Config
	var err error
	if o.kubeconfig != "" {
		cfg, err = clientcmd.BuildConfigFromFlags("", o.kubeconfig)
	} else {
		cfg, err = rest.InClusterConfig()
	}
	if err != nil {
		return nil, fmt.Errorf("--auth=tenant needs the Kubernetes API: %w", err)
	}
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("--auth=tenant: %w", err)
	}
	return auth.NewKube(c, time.Minute), nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func keyValues(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range splitList(s) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("%q is not key=value", kv)
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out, nil
}

// httpClient is a client for a backend: the system roots plus caFile, or no verification.
func httpClient(caFile string, insecure bool) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	switch {
	case insecure:
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for by --*-insecure-skip-verify
	case caFile != "":
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", caFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}, nil
}
