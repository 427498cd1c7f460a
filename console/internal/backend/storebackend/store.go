// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package storebackend serves the console from the embedded flow store file.
package storebackend // import "github.com/flowlens/flowlens/console/internal/backend/storebackend"

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/flowlens/flowlens/console/internal/backend"
	"github.com/flowlens/flowlens/pkg/flowquery"
	"github.com/flowlens/flowlens/pkg/flowstore"
)

// Store reads the flow store that the flowstore exporter writes. The console may start before
// the collector has created the file: the store is opened on first use and until then every
// query says it is waiting for the file.
type Store struct {
	path string

	mu sync.Mutex
	r  *flowstore.Reader
}

var _ backend.Backend = (*Store)(nil)

// New returns the store backend of the file at path.
func New(path string) *Store { return &Store{path: path} }

func (s *Store) reader() (*flowstore.Reader, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.r != nil {
		return s.r, nil
	}
	if _, err := os.Stat(s.path); errors.Is(err, fs.ErrNotExist) {
		return nil, &backend.UnavailableError{Backend: s.Name(),
			Err: errors.New("no flow store yet at " + s.path + ": is the collector running with the flowstore exporter?")}
	}
	r, err := flowstore.OpenReader(s.path)
	if err != nil {
		return nil, &backend.UnavailableError{Backend: s.Name(), Err: err}
	}
	s.r = r
	return r, nil
}

// Close closes the store.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.r == nil {
		return nil
	}
	err := s.r.Close()
	s.r = nil
	return err
}

// Name implements backend.Backend.
func (s *Store) Name() string { return "store" }

// Records implements backend.Backend.
func (s *Store) Records(ctx context.Context, q flowquery.Records) ([]map[string]any, error) {
	r, err := s.reader()
	if err != nil {
		return nil, err
	}
	return r.Records(ctx, q)
}

// Metrics implements backend.Backend.
func (s *Store) Metrics(ctx context.Context, q flowquery.Metrics) ([]flowquery.Series, flowquery.Series, error) {
	r, err := s.reader()
	if err != nil {
		return nil, flowquery.Series{}, err
	}
	return r.Metrics(ctx, q)
}

// Values implements backend.Backend.
func (s *Store) Values(ctx context.Context, field, prefix string, start, end time.Time, limit int) ([]string, error) {
	r, err := s.reader()
	if err != nil {
		return nil, err
	}
	return r.Values(ctx, field, prefix, start, end, limit)
}

// Status implements backend.Backend.
func (s *Store) Status(ctx context.Context) backend.Status {
	r, err := s.reader()
	if err != nil {
		return backend.Status{Name: s.Name(), URL: s.path, Error: err.Error()}
	}
	st, err := r.Stats(ctx)
	if err != nil {
		return backend.Status{Name: s.Name(), URL: s.path, Error: err.Error()}
	}
	return backend.Status{Name: s.Name(), URL: s.path, Ready: true, Flows: st.Flows, OldestMs: st.OldestMs, NewestMs: st.NewestMs}
}
