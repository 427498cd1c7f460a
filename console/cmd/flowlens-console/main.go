// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// flowlens-console serves the flowlens web UI and its query API over the embedded flow store,
// Loki and Prometheus.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/flowlens/flowlens/console/internal/server"
	"github.com/flowlens/flowlens/console/web"
)

// version is set at build time (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "flowlens-console:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fl := flag.NewFlagSet("flowlens-console", flag.ContinueOnError)
	var o options
	o.register(fl)
	if err := fl.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: o.logLevel}))
	assets, err := fs.Sub(web.Dist, "dist")
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srvOpts, closeAll, err := o.build(ctx, log)
	if err != nil {
		return err
	}
	defer closeAll()
	srvOpts.Assets, srvOpts.Logger, srvOpts.Version = assets, log, version

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("--listen: %w", err)
	}
	srv := &http.Server{Handler: server.New(srvOpts), ReadHeaderTimeout: 10 * time.Second}
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); o.authMode == "none" && !net.ParseIP(host).IsLoopback() {
		log.Warn("no authentication and not on loopback: anyone who reaches this address sees every flow", "listen", ln.Addr().String())
	}
	log.Info("console ready", "url", "http://"+displayAddr(ln.Addr()), "mode", srvOpts.Frontend.Mode, "auth", o.authMode)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("stopping")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// displayAddr turns ":9001" into "localhost:9001" for a URL one can click.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil || host == "::" || host == "0.0.0.0" || host == "" {
		return "localhost:" + port
	}
	return net.JoinHostPort(host, port)
}
