// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// ToUnstructured converts a rendered object for the API server or for printing, without the
// fields a new object does not have (status, a null creationTimestamp).
func ToUnstructured(obj client.Object) (*unstructured.Unstructured, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return u.DeepCopy(), nil
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, fmt.Errorf("convert %T %s: %w", obj, obj.GetName(), err)
	}
	u := &unstructured.Unstructured{Object: m}
	delete(u.Object, "status")
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	unstructured.RemoveNestedField(u.Object, "spec", "template", "metadata", "creationTimestamp")
	if spec, ok := u.Object["spec"].(map[string]any); ok && len(spec) == 0 {
		delete(u.Object, "spec") // Namespace
	}
	return u, nil
}

// Comments describes a result for people, as YAML comment lines: the issues (the
// ConfigurationIssue condition) and the copies the controller makes.
func Comments(res *Result) string {
	var b strings.Builder
	if len(res.Issues) == 0 {
		b.WriteString("# Issues: none\n")
	} else {
		b.WriteString("# Issues (accepted, not acted on; the ConfigurationIssue condition lists them):\n")
		for _, i := range res.Issues {
			b.WriteString("#   " + i.String() + "\n")
		}
	}
	for _, c := range res.Copies {
		fmt.Fprintf(&b, "# Copied at reconcile: %s %s/%s to namespace %s\n", c.Kind, c.FromNamespace, c.Name, c.ToNamespace)
	}
	return b.String()
}

// YAML prints objects as one multi-document YAML stream.
func YAML(objs []client.Object) (string, error) {
	var b strings.Builder
	for _, o := range objs {
		u, err := ToUnstructured(o)
		if err != nil {
			return "", err
		}
		y, err := yaml.Marshal(u.Object)
		if err != nil {
			return "", fmt.Errorf("marshal %s %s: %w", u.GetKind(), u.GetName(), err)
		}
		b.WriteString("---\n")
		b.Write(y)
	}
	return b.String(), nil
}
