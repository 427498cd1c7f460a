// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package controller

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/flowlens/flowlens/operator/internal/webhookcert"
)

// TestWebhookCertificateBootstrap: the operator's start-up writes a serving certificate and
// installs its CA in the webhook configuration (the installed one is named by the install
// manifest; this test uses its own, matching nothing).
func TestWebhookCertificateBootstrap(t *testing.T) {
	ctx := context.Background()
	none := admissionregistrationv1.SideEffectClassNone
	cfg := &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "flowlens-test-webhook"},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:                    "vtest.flows.netobserv.io",
			AdmissionReviewVersions: []string{"v1"},
			SideEffects:             &none,
			ClientConfig: admissionregistrationv1.WebhookClientConfig{Service: &admissionregistrationv1.ServiceReference{
				Name: "flowlens-operator-webhook", Namespace: "flowlens-operator", Path: ptr.To("/none"),
			}},
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{"example.invalid"}, APIVersions: []string{"v1"}, Resources: []string{"nothing"}},
			}},
		}},
	}
	require.NoError(t, testClient.Create(ctx, cfg))
	t.Cleanup(func() { _ = testClient.Delete(ctx, cfg) })

	dir := t.TempDir()
	require.NoError(t, webhookcert.Ensure(ctx, testClient, dir, "flowlens-operator-webhook", "flowlens-operator", cfg.Name))
	for _, f := range []string{"tls.crt", "tls.key"} {
		_, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err)
	}
	got := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	require.NoError(t, testClient.Get(ctx, objKey("", cfg.Name), got))
	assert.Contains(t, string(got.Webhooks[0].ClientConfig.CABundle), "BEGIN CERTIFICATE")
}
