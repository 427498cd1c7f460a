// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package prombackend

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/console/internal/backend"
)

func TestStatusAndTokens(t *testing.T) {
	var auth string
	names := `["netobserv_namespace_flows_total"]`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		_, _ = w.Write([]byte(`{"status":"success","data":` + names + `}`))
	}))
	defer srv.Close()
	p, err := New(Config{URL: srv.URL, ForwardUserToken: true})
	require.NoError(t, err)
	st := p.Status(backend.WithUserToken(context.Background(), "bob-token"))
	assert.True(t, st.Ready, st.Error)
	assert.Empty(t, st.Error)
	assert.Equal(t, "Bearer bob-token", auth)

	names = `[]`
	p, err = New(Config{URL: srv.URL})
	require.NoError(t, err)
	st = p.Status(context.Background())
	assert.True(t, st.Ready)
	assert.Contains(t, st.Error, "no netobserv_ metrics yet")
	assert.Empty(t, auth)

	_, err = New(Config{URL: "prometheus:9090"})
	assert.ErrorContains(t, err, `prometheus url: "prometheus:9090" must be an http(s) URL`)
}
