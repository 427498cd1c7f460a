// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// configMap holds the stage's collector config under config.yaml; it returns the config's hash
// for the pod template annotation.
func configMap(st *stage) (*corev1.ConfigMap, string, error) {
	y, err := st.cfg.YAML()
	if err != nil {
		return nil, "", fmt.Errorf("render %s config: %w", st.name, err)
	}
	name := NodeConfigMap
	if st.name == GatewayName {
		name = GatewayConfigMap
	}
	return newConfigMap(name, st.namespace, st.name, y), Hash(y), nil
}

func newConfigMap(name, namespace, component, content string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: labels(component)},
		Data:       map[string]string{ConfigKey: content},
	}
}
