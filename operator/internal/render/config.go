// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"

	"sigs.k8s.io/yaml"
)

// Config is a collector configuration. Component configs are plain maps: sigs.k8s.io/yaml sorts
// map keys, so the rendered YAML is deterministic.
type Config struct {
	Receivers  map[string]any `json:"receivers,omitempty"`
	Processors map[string]any `json:"processors,omitempty"`
	Exporters  map[string]any `json:"exporters,omitempty"`
	Connectors map[string]any `json:"connectors,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
	Service    Service        `json:"service"`
}

// Service is the service section of a collector configuration.
type Service struct {
	Extensions []string             `json:"extensions,omitempty"`
	Telemetry  map[string]any       `json:"telemetry,omitempty"`
	Pipelines  map[string]*Pipeline `json:"pipelines"`
}

// Pipeline is one pipeline of the service section.
type Pipeline struct {
	Receivers  []string `json:"receivers"`
	Processors []string `json:"processors,omitempty"`
	Exporters  []string `json:"exporters"`
}

func newConfig() *Config {
	return &Config{
		Receivers:  map[string]any{},
		Processors: map[string]any{},
		Exporters:  map[string]any{},
		Connectors: map[string]any{},
		Extensions: map[string]any{},
		Service:    Service{Pipelines: map[string]*Pipeline{}},
	}
}

// YAML renders the configuration.
func (c *Config) YAML() (string, error) {
	b, err := yaml.Marshal(c)
	return string(b), err
}

// addExtension declares an extension and enables it in the service.
func (c *Config) addExtension(id string, cfg map[string]any) {
	c.Extensions[id] = cfg
	if !slices.Contains(c.Service.Extensions, id) {
		c.Service.Extensions = append(c.Service.Extensions, id)
		slices.Sort(c.Service.Extensions)
	}
}

// pipeline returns the named pipeline, creating it empty.
func (c *Config) pipeline(id string) *Pipeline {
	p, ok := c.Service.Pipelines[id]
	if !ok {
		p = &Pipeline{Receivers: []string{}, Exporters: []string{}}
		c.Service.Pipelines[id] = p
	}
	return p
}

// Hash is the sha256 of s, in hex.
func Hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
