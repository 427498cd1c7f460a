// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package webhookcert

import (
	"crypto/tls"
	"crypto/x509"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGenerateChainsToTheCA(t *testing.T) {
	now := time.Now()
	caPEM, certPEM, keyPEM, err := Generate([]string{"svc.ns.svc", "svc.ns.svc.cluster.local"}, now)
	require.NoError(t, err)
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(caPEM))
	for _, name := range []string{"svc.ns.svc", "svc.ns.svc.cluster.local"} {
		_, err = leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: pool, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
		assert.NoError(t, err, name)
	}
	_, err = leaf.Verify(x509.VerifyOptions{DNSName: "other.ns.svc", Roots: pool, CurrentTime: now})
	assert.Error(t, err)
}
