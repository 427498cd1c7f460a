// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package crdschema admits a FlowCollector the way the API server does, without one: the
// generated CRD's structural defaults, unknown-field check, OpenAPI validation and CEL rules,
// then the webhook's checks. `flowlens-operator render -f` and the golden tests use it, so what
// they render is what the cluster would store.
package crdschema // import "github.com/flowlens/flowlens/operator/internal/crdschema"

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/runtime"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
	"github.com/flowlens/flowlens/operator/config/crd"
)

// Schema is the FlowCollector v1beta2 schema of the generated CRD.
type Schema struct {
	structural *structuralschema.Structural
	validator  apiservervalidation.SchemaValidator
	cel        *cel.Validator
}

// Load reads the embedded CRD.
func Load() (*Schema, error) {
	var def apiextensionsv1.CustomResourceDefinition
	if err := yaml.UnmarshalStrict(crd.FlowCollectorYAML, &def); err != nil {
		return nil, fmt.Errorf("parse embedded CRD: %w", err)
	}
	for _, v := range def.Spec.Versions {
		if v.Name != v1beta2.GroupVersion.Version || v.Schema == nil {
			continue
		}
		var internal apiextensions.JSONSchemaProps
		if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v.Schema.OpenAPIV3Schema, &internal, nil); err != nil {
			return nil, fmt.Errorf("convert CRD schema: %w", err)
		}
		s, err := structuralschema.NewStructural(&internal)
		if err != nil {
			return nil, fmt.Errorf("CRD schema is not structural: %w", err)
		}
		val, _, err := apiservervalidation.NewSchemaValidator(&internal)
		if err != nil {
			return nil, fmt.Errorf("CRD schema validator: %w", err)
		}
		return &Schema{structural: s, validator: val, cel: cel.NewValidator(s, true, celconfig.PerCallLimit)}, nil
	}
	return nil, errors.New("embedded CRD has no v1beta2 schema")
}

// Admit defaults and validates one FlowCollector object (a decoded YAML or JSON document) and
// returns it typed. Unknown fields are errors, as with `kubectl apply` (strict field
// validation).
func (s *Schema) Admit(obj map[string]any) (*v1beta2.FlowCollector, error) {
	if av, k := obj["apiVersion"], obj["kind"]; av != v1beta2.GroupVersion.String() || k != "FlowCollector" {
		return nil, fmt.Errorf("apiVersion/kind: got %v/%v, want %s/FlowCollector", av, k, v1beta2.GroupVersion)
	}
	unknown := structuralpruning.PruneWithOptions(obj, s.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	var errs field.ErrorList
	for _, p := range unknown {
		errs = append(errs, &field.Error{Type: field.ErrorTypeNotSupported, Field: p, BadValue: "", Detail: "unknown field"})
	}
	// As the API server's decoder: nulls on non-nullable fields without a default are dropped
	// (NetObserv's own sample has kafkaConsumerAutoscaler: null), then defaults apply.
	structuraldefaulting.PruneNonNullableNullsWithoutDefaults(obj, s.structural)
	structuraldefaulting.Default(obj, s.structural)
	errs = append(errs, apiservervalidation.ValidateCustomResource(nil, obj, s.validator)...)
	celErrs, _ := s.cel.Validate(context.Background(), nil, s.structural, obj, nil, celconfig.RuntimeCELCostBudget)
	errs = append(errs, celErrs...)
	if len(errs) > 0 {
		return nil, errs.ToAggregate()
	}
	var fc v1beta2.FlowCollector
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(obj, &fc, true); err != nil {
		return nil, fmt.Errorf("decode FlowCollector: %w", err)
	}
	if errs := fc.Validate(); len(errs) > 0 {
		return nil, errs.ToAggregate()
	}
	return &fc, nil
}

// Decode splits a multi-document YAML (or JSON) stream into objects, skipping empty documents.
func Decode(data []byte) ([]map[string]any, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []map[string]any
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, fmt.Errorf("decode YAML: %w", err)
		}
		if t := bytes.TrimSpace(raw); len(t) == 0 || string(t) == "null" {
			continue // a document of comments only
		}
		// apimachinery's JSON decoding, as the API server's: whole numbers become int64, which
		// the schema and CEL type checks expect.
		var obj map[string]any
		if err := utiljson.Unmarshal(raw, &obj); err != nil {
			return nil, fmt.Errorf("decode YAML: %w", err)
		}
		if len(obj) > 0 {
			out = append(out, obj)
		}
	}
}

// AdmitYAML decodes and admits every FlowCollector in data.
func (s *Schema) AdmitYAML(data []byte) ([]*v1beta2.FlowCollector, error) {
	objs, err := Decode(data)
	if err != nil {
		return nil, err
	}
	var out []*v1beta2.FlowCollector
	var errs []string
	for i, o := range objs {
		fc, err := s.Admit(o)
		if err != nil {
			errs = append(errs, fmt.Sprintf("document %d: %v", i+1, err))
			continue
		}
		out = append(out, fc)
	}
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "\n"))
	}
	return out, nil
}
