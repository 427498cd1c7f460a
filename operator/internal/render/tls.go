// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"path"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
)

// clientTLS maps a ClientTLS to the collector's TLS client keys (configtls), mounting the
// referenced certificates in the stage's pod. Disabled TLS renders nil: plaintext for Kafka and
// HTTP clients (the gRPC client needs {insecure: true} instead, see grpcTLS).
func (r *renderer) clientTLS(st *stage, t v1beta2.ClientTLS) map[string]any {
	if !t.Enable {
		return nil
	}
	out := map[string]any{}
	if t.InsecureSkipVerify {
		out["insecure_skip_verify"] = true
	} else if t.CACert.Name != "" && t.CACert.CertFile != "" {
		out["ca_file"] = r.mountCertFile(st, t.CACert, t.CACert.CertFile)
	}
	if t.UserCert.Name != "" && t.UserCert.CertFile != "" {
		out["cert_file"] = r.mountCertFile(st, t.UserCert, t.UserCert.CertFile)
		if t.UserCert.CertKey != "" {
			out["key_file"] = r.mountCertFile(st, t.UserCert, t.UserCert.CertKey)
		}
	}
	return out
}

// grpcTLS is clientTLS for gRPC clients, which default to TLS.
func (r *renderer) grpcTLS(st *stage, t v1beta2.ClientTLS) map[string]any {
	if !t.Enable {
		return map[string]any{"insecure": true}
	}
	return r.clientTLS(st, t)
}

// mountCertFile mounts the Secret or ConfigMap of ref in the stage's pod and returns the path of
// file in it. A reference in another namespace is copied first (Result.Copies).
func (r *renderer) mountCertFile(st *stage, ref v1beta2.CertificateReference, file string) string {
	kind := r.referenced(st, ref.Type, ref.Name, ref.Namespace)
	vol := volumeName(kind, ref.Name)
	dir := path.Join(TLSDir, vol)
	if _, ok := st.volumes[vol]; !ok {
		v := corev1.Volume{Name: vol}
		if kind == "ConfigMap" {
			v.ConfigMap = &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: ref.Name}}
		} else {
			v.Secret = &corev1.SecretVolumeSource{SecretName: ref.Name}
		}
		st.volumes[vol] = v
		st.mounts[vol] = corev1.VolumeMount{Name: vol, MountPath: dir, ReadOnly: true}
	}
	return path.Join(dir, file)
}

// fileEnv exposes one file of a Secret or ConfigMap to the stage's container as environment
// variable name and returns the config reference to it. Secrets stay out of the ConfigMap.
func (r *renderer) fileEnv(st *stage, name string, ref v1beta2.FileReference) string {
	kind := r.referenced(st, ref.Type, ref.Name, ref.Namespace)
	ev := corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{}}
	if kind == "ConfigMap" {
		ev.ValueFrom.ConfigMapKeyRef = &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: ref.Name}, Key: ref.File,
		}
	} else {
		ev.ValueFrom.SecretKeyRef = &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: ref.Name}, Key: ref.File,
		}
	}
	st.env[name] = ev
	return "${env:" + name + "}"
}

// referenced returns the kind of a reference and records a copy when it lives outside the
// stage's namespace (pods mount only their own namespace's objects).
func (r *renderer) referenced(st *stage, t v1beta2.MountableType, name, namespace string) string {
	kind := "Secret"
	if t == v1beta2.RefTypeConfigMap {
		kind = "ConfigMap"
	}
	if namespace == "" {
		namespace = r.spec.NamespaceOrDefault()
	}
	if namespace != st.namespace {
		r.copies[Copy{Kind: kind, Name: name, FromNamespace: namespace, ToNamespace: st.namespace}] = true
	}
	return kind
}

// saslAuth maps a SASLConfig to the contrib Kafka components' auth key; credentials come from
// environment variables named <prefix>_SASL_USERNAME and <prefix>_SASL_PASSWORD.
func (r *renderer) saslAuth(st *stage, s v1beta2.SASLConfig, prefix string) map[string]any {
	mechanism := map[v1beta2.SASLType]string{v1beta2.SASLPlain: "PLAIN", v1beta2.SASLScramSHA512: "SCRAM-SHA-512"}[s.Type]
	if mechanism == "" {
		return nil
	}
	return map[string]any{"sasl": map[string]any{
		"mechanism": mechanism,
		"username":  r.fileEnv(st, prefix+"_SASL_USERNAME", s.ClientIDReference),
		"password":  r.fileEnv(st, prefix+"_SASL_PASSWORD", s.ClientSecretReference),
	}}
}

// volumeName is a DNS-1123 volume name for a referenced object.
func volumeName(kind, name string) string {
	n := strings.ToLower(kind) + "-" + name
	n = strings.NewReplacer(".", "-", "_", "-").Replace(n)
	if len(n) > 63 {
		n = n[:55] + "-" + Hash(n)[:7]
	}
	return n
}
