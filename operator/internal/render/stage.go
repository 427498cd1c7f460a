// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"slices"
	"sort"

	corev1 "k8s.io/api/core/v1"
)

// stage is one collector being rendered (node or gateway): its config and what its pod needs
// for that config (certificate volumes, secret environment variables, a token).
type stage struct {
	name      string // NodeName or GatewayName
	namespace string
	cfg       *Config
	// processors run in every logs pipeline of the stage, in order, before the exporters.
	processors []string
	volumes    map[string]corev1.Volume
	mounts     map[string]corev1.VolumeMount
	env        map[string]corev1.EnvVar
	// serviceAccountToken mounts a projected service account token at TokenDir/<name>.
	serviceAccountToken bool
}

func newStage(name, namespace string) *stage {
	return &stage{
		name:      name,
		namespace: namespace,
		cfg:       newConfig(),
		volumes:   map[string]corev1.Volume{},
		mounts:    map[string]corev1.VolumeMount{},
		env:       map[string]corev1.EnvVar{},
	}
}

// logs is the stage's main logs pipeline.
func (s *stage) logs() *Pipeline {
	return s.cfg.pipeline("logs")
}

// addLogsExporter declares exporter id and sends the main logs pipeline to it.
func (s *stage) addLogsExporter(id string, cfg map[string]any) {
	s.cfg.Exporters[id] = cfg
	p := s.logs()
	p.Exporters = append(p.Exporters, id)
}

// addBranch sends the main logs pipeline's flows through processor to exporter id in a logs
// pipeline of their own (pipeline "logs/<name>"), so the processor changes only what that
// exporter sees.
func (s *stage) addBranch(name, processor string, processorCfg map[string]any, id string, cfg map[string]any) {
	s.cfg.Processors[processor] = processorCfg
	s.cfg.Exporters[id] = cfg
	p := s.cfg.pipeline("logs/" + name)
	p.Processors = []string{processor}
	p.Exporters = []string{id}
}

// addMetricsExporter declares exporter id and sends the flow metrics pipeline to it.
func (s *stage) addMetricsExporter(id string, cfg map[string]any) {
	s.cfg.Exporters[id] = cfg
	p := s.cfg.pipeline("metrics")
	p.Exporters = append(p.Exporters, id)
}

// tokenPath is where the pod's projected service account token is, for exporters that
// authenticate with it.
func (s *stage) tokenPath() string {
	s.serviceAccountToken = true
	return TokenDir + "/" + s.name
}

func (s *stage) sortedVolumes() []corev1.Volume {
	out := make([]corev1.Volume, 0, len(s.volumes))
	for _, v := range s.volumes {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (s *stage) sortedMounts() []corev1.VolumeMount {
	out := make([]corev1.VolumeMount, 0, len(s.mounts))
	for _, m := range s.mounts {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (s *stage) sortedEnv() []corev1.EnvVar {
	out := make([]corev1.EnvVar, 0, len(s.env))
	for _, e := range s.env {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b corev1.EnvVar) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return out
}
