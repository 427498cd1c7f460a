// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package server is the console's HTTP API and the web UI's file server.
package server // import "github.com/flowlens/flowlens/console/internal/server"

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/flowlens/flowlens/console/internal/auth"
	"github.com/flowlens/flowlens/console/internal/backend"
	"github.com/flowlens/flowlens/console/internal/frontend"
)

// Options configure the server.
type Options struct {
	// Records are asked in order for flow records and autocomplete values.
	Records []backend.Backend
	// Metrics are asked in order for metrics; one that answers Unsupported passes to the next.
	Metrics  []backend.Backend
	Auth     auth.Authenticator
	Frontend frontend.Config
	// Assets is the web UI (index.html at the root); nil serves the API only.
	Assets  fs.FS
	Logger  *slog.Logger
	Version string
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

type server struct {
	Options
}

// New returns the console's handler.
func New(o Options) http.Handler {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Auth == nil {
		o.Auth = auth.None{}
	}
	s := &server{Options: o}
	mux := http.NewServeMux()
	api := func(pattern string, h func(http.ResponseWriter, *http.Request) error) {
		mux.Handle(pattern, s.authenticated(h))
	}
	api("GET /api/flow/records", s.records)
	api("GET /api/flow/export", s.export)
	api("GET /api/flow/metrics", s.metrics)
	api("GET /api/resources/values", s.values)
	api("GET /api/frontend-config", s.frontendConfig)
	api("GET /api/status", s.status)
	api("GET /role", s.role)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such API route: "+r.Method+" "+r.URL.Path+" (see docs/console-api.md)")
	})
	if o.Assets != nil {
		mux.Handle("/", spa(o.Assets))
	}
	return mux
}

type userKey struct{}

func userOf(ctx context.Context) *auth.User {
	u, _ := ctx.Value(userKey{}).(*auth.User)
	return u
}

// authenticated checks the bearer token, then runs h; h's error becomes the JSON answer.
func (s *server) authenticated(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		u, err := s.Auth.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			if errors.Is(err, auth.ErrUnauthenticated) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="flowlens"`)
				writeError(w, http.StatusUnauthorized, "a valid bearer token is required: "+err.Error())
				return
			}
			s.Logger.Warn("authentication failed", "error", err)
			writeError(w, http.StatusBadGateway, "cannot check the token: "+err.Error())
			return
		}
		ctx := backend.WithUserToken(context.WithValue(r.Context(), userKey{}, u), strings.TrimSpace(token))
		if err := h(w, r.WithContext(ctx)); err != nil {
			s.fail(w, r, err)
		}
	})
}

func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var pe *paramError
	var ue *backend.UnavailableError
	var us *backend.UnsupportedError
	switch {
	case errors.As(err, &pe):
		writeError(w, http.StatusBadRequest, pe.msg)
	case errors.As(err, &us):
		writeError(w, http.StatusBadRequest, "no backend can answer: "+err.Error())
	case errors.As(err, &ue):
		writeError(w, http.StatusBadGateway, err.Error())
	case errors.Is(err, context.Canceled):
		// The browser went away: nobody reads the answer.
	case errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusGatewayTimeout, "query timed out: narrow the time range or the filters")
	default:
		s.Logger.Error("query failed", "path", r.URL.Path, "query", r.URL.RawQuery, "error", err)
		writeError(w, http.StatusInternalServerError, err.Error())
	}
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// spa serves the web UI's files; unknown paths get index.html, so deep links work.
func spa(assets fs.FS) http.Handler {
	files := http.FileServerFS(assets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := strings.TrimPrefix(r.URL.Path, "/")
		if p == "" {
			p = "index.html"
		}
		if _, err := fs.Stat(assets, p); err != nil {
			if strings.HasPrefix(p, "assets/") { // a missing file, not a route of the app
				http.NotFound(w, r)
				return
			}
			r2 := r.Clone(r.Context())
			r2.URL.Path = "/"
			files.ServeHTTP(w, r2)
			return
		}
		if strings.HasPrefix(p, "assets/") {
			// Vite names assets by content hash.
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		files.ServeHTTP(w, r)
	})
}
