// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"k8s.io/klog/v2/textlogger"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/flowlens/flowlens/operator/internal/controller"
	"github.com/flowlens/flowlens/operator/internal/render"
	"github.com/flowlens/flowlens/operator/internal/webhookcert"
)

// runManager runs the controller manager: the FlowCollector reconciler and its webhook.
func runManager(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("manager", flag.ContinueOnError)
	fs.SetOutput(stderr)
	metricsAddr := fs.String("metrics-bind-address", ":8080", `address of the operator's metrics endpoint ("0" disables it)`)
	probeAddr := fs.String("health-probe-bind-address", ":8081", "address of /healthz and /readyz")
	leaderElect := fs.Bool("leader-elect", false, "elect a leader, for more than one replica")
	collectorImage := fs.String("collector-image", render.DefaultCollectorImage, "collector image of the node and gateway pods")
	consoleImage := fs.String("console-image", render.DefaultConsoleImage, "console image")
	withWebhook := fs.Bool("webhook", true, "serve the validating webhook")
	webhookPort := fs.Int("webhook-port", 9443, "port of the webhook server")
	certDir := fs.String("webhook-cert-dir", "/tmp/flowlens-operator/certs", "directory of the webhook's tls.crt and tls.key")
	selfSigned := fs.Bool("webhook-self-signed", true, "generate the webhook certificate at start and install its CA in the webhook configuration (turn off when cert-manager provides it)")
	webhookService := fs.String("webhook-service", "flowlens-operator-webhook", "Service in front of the webhook server")
	webhookConfig := fs.String("webhook-configuration", "flowlens-operator-validating-webhook", "ValidatingWebhookConfiguration to install the CA in")
	namespace := fs.String("namespace", os.Getenv("POD_NAMESPACE"), "namespace the operator runs in (default $POD_NAMESPACE)")
	// klog's text logger: client-go's own logging library, so no other logging module is
	// needed; -v sets the verbosity.
	logCfg := textlogger.NewConfig()
	logCfg.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctrl.SetLogger(textlogger.NewLogger(logCfg))
	logger := ctrl.Log.WithName("setup")

	cfg, err := ctrl.GetConfig()
	if err != nil {
		return fmt.Errorf("kubeconfig: %w", err)
	}
	scheme, err := controller.NewScheme()
	if err != nil {
		return err
	}
	ctx := ctrl.SetupSignalHandler()
	if *withWebhook && *selfSigned {
		if *namespace == "" {
			return fmt.Errorf("--namespace (or $POD_NAMESPACE) is required to name the webhook certificate")
		}
		c, err := client.New(cfg, client.Options{Scheme: scheme})
		if err != nil {
			return err
		}
		if err := webhookcert.Ensure(ctx, c, *certDir, *webhookService, *namespace, *webhookConfig); err != nil {
			return fmt.Errorf("webhook certificate: %w", err)
		}
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Cache:                  controller.CacheOptions(),
		Metrics:                metricsserver.Options{BindAddress: *metricsAddr},
		HealthProbeBindAddress: *probeAddr,
		LeaderElection:         *leaderElect,
		LeaderElectionID:       "flowlens-operator.flows.netobserv.io",
		WebhookServer:          webhook.NewServer(webhook.Options{Port: *webhookPort, CertDir: *certDir}),
	})
	if err != nil {
		return fmt.Errorf("manager: %w", err)
	}
	opts := render.Options{CollectorImage: *collectorImage, ConsoleImage: *consoleImage}
	if err := controller.Setup(mgr, opts, *withWebhook); err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return err
	}
	logger.Info("starting manager", "collectorImage", *collectorImage, "webhook", *withWebhook)
	return mgr.Start(ctx)
}
