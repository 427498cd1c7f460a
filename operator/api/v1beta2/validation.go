// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package v1beta2

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Validate checks what the CRD's OpenAPI schema and CEL rules cannot express; the validating
// webhook serves it. CEL cannot parse port lists and ranges out of an int-or-string, cannot
// compare CIDRs by their network (10.0.0.1/8 and 10.0.0.0/8 are the same rule), and cannot
// check the subnet label CIDRs (lists of lists without size bounds exceed its cost budget).
func (fc *FlowCollector) Validate() field.ErrorList {
	var errs field.ErrorList
	spec := field.NewPath("spec")
	if ff := fc.Spec.Agent.EBPF.FlowFilter; ff != nil {
		errs = append(errs, validateFlowFilter(ff, spec.Child("agent", "ebpf", "flowFilter"))...)
	}
	for i, l := range fc.Spec.Processor.SubnetLabels.CustomLabels {
		for j, c := range l.CIDRs {
			if _, err := netip.ParsePrefix(c); err != nil {
				errs = append(errs, field.Invalid(spec.Child("processor", "subnetLabels", "customLabels").Index(i).Child("cidrs").Index(j), c, "must be a CIDR such as 10.128.0.0/14"))
			}
		}
	}
	if hr := fc.Spec.Processor.Metrics.HealthRules; hr != nil {
		errs = append(errs, validateHealthRules(*hr, spec.Child("processor", "metrics", "healthRules"))...)
	}
	return errs
}

func validateFlowFilter(ff *EBPFFlowFilter, path *field.Path) field.ErrorList {
	errs := validateRulePorts(&ff.EBPFFlowFilterRule, path)
	seen := map[string]int{}
	for i := range ff.Rules {
		r := &ff.Rules[i]
		rp := path.Child("rules").Index(i)
		errs = append(errs, validateRulePorts(r, rp)...)
		key, err := ruleKey(r)
		if err != nil {
			continue // the CRD's CEL rules report unparsable addresses
		}
		if j, dup := seen[key]; dup {
			errs = append(errs, field.Duplicate(rp, fmt.Sprintf("same cidr and peer as rules[%d] (%s): merge the two rules", j, key)))
			continue
		}
		seen[key] = i
	}
	return errs
}

// ruleKey identifies a rule by its networks, the way the kernel's LPM map keys it.
func ruleKey(r *EBPFFlowFilterRule) (string, error) {
	cidr, err := canonicalPrefix(r.CIDR)
	if err != nil {
		return "", err
	}
	peer := r.PeerCIDR
	if peer == "" && r.PeerIP != "" {
		peer = r.PeerIP
	}
	peerKey, err := canonicalPrefix(peer)
	if err != nil {
		return "", err
	}
	return "cidr " + cidr + ", peer " + peerKey, nil
}

// canonicalPrefix masks a CIDR (or turns an IP into a host prefix); "" stays "any".
func canonicalPrefix(s string) (string, error) {
	if s == "" {
		return "any", nil
	}
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return "", err
		}
		return netip.PrefixFrom(a, a.BitLen()).String(), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return "", err
	}
	return p.Masked().String(), nil
}

func validateRulePorts(r *EBPFFlowFilterRule, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, p := range []struct {
		name string
		v    intstr.IntOrString
	}{{"ports", r.Ports}, {"sourcePorts", r.SourcePorts}, {"destPorts", r.DestPorts}} {
		if _, err := PortsString(p.v); err != nil {
			errs = append(errs, field.Invalid(path.Child(p.name), p.v.String(), err.Error()))
		}
	}
	return errs
}

// PortsString checks a flow filter port value and returns it in the ebpfflow receiver's
// string form: "" (any), "80", "80-100" or "80,443".
func PortsString(v intstr.IntOrString) (string, error) {
	if v.Type == intstr.Int {
		if v.IntVal == 0 {
			return "", nil
		}
		if v.IntVal < 1 || v.IntVal > 65535 {
			return "", fmt.Errorf("port %d is out of range, must be between 1 and 65535", v.IntVal)
		}
		return strconv.Itoa(int(v.IntVal)), nil
	}
	s := strings.TrimSpace(v.StrVal)
	if s == "" {
		return "", nil
	}
	const allowed = `must be a port ("80"), a range ("80-100") or two ports ("80,443")`
	switch {
	case strings.Contains(s, "-"):
		lo, hi, _ := strings.Cut(s, "-")
		a, errA := parsePort(lo)
		b, errB := parsePort(hi)
		if errA != nil || errB != nil {
			return "", fmt.Errorf("%q %s with ports between 1 and 65535", s, allowed)
		}
		if a >= b {
			return "", fmt.Errorf("range %q must start below its end", s)
		}
		return fmt.Sprintf("%d-%d", a, b), nil
	case strings.Contains(s, ","):
		parts := strings.Split(s, ",")
		if len(parts) != 2 {
			return "", fmt.Errorf("%q %s: a list holds exactly two ports", s, allowed)
		}
		a, errA := parsePort(parts[0])
		b, errB := parsePort(parts[1])
		if errA != nil || errB != nil {
			return "", fmt.Errorf("%q %s with ports between 1 and 65535", s, allowed)
		}
		return fmt.Sprintf("%d,%d", a, b), nil
	default:
		a, err := parsePort(s)
		if err != nil {
			return "", fmt.Errorf("%q %s with ports between 1 and 65535", s, allowed)
		}
		return strconv.Itoa(a), nil
	}
}

func parsePort(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	if n < 1 || n > 65535 {
		return 0, fmt.Errorf("port %d out of range", n)
	}
	return n, nil
}

func validateHealthRules(rules []FLPHealthRule, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, r := range rules {
		for j, v := range r.Variants {
			vp := path.Index(i).Child("variants").Index(j)
			errs = append(errs, validateThresholds(v, vp)...)
		}
	}
	return errs
}

func validateThresholds(v HealthRuleVariant, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	var prev float64
	var prevName string
	set := 0
	for _, t := range []struct{ name, val string }{
		{"info", v.Thresholds.Info}, {"warning", v.Thresholds.Warning}, {"critical", v.Thresholds.Critical},
	} {
		if t.val == "" {
			continue
		}
		set++
		f, err := strconv.ParseFloat(t.val, 64)
		tp := path.Child("thresholds", t.name)
		switch {
		case err != nil:
			errs = append(errs, field.Invalid(tp, t.val, "must be a number (a percentage)"))
			continue
		case f < 0:
			errs = append(errs, field.Invalid(tp, t.val, "must not be negative"))
		case prevName != "" && f < prev:
			errs = append(errs, field.Invalid(tp, t.val, fmt.Sprintf("must not be below %s (%g): severities go info ≤ warning ≤ critical", prevName, prev)))
		}
		prev, prevName = f, t.name
	}
	if set == 0 {
		errs = append(errs, field.Required(path.Child("thresholds"), "set at least one of info, warning, critical"))
	}
	if v.LowVolumeThreshold != "" {
		if _, err := strconv.ParseFloat(v.LowVolumeThreshold, 64); err != nil {
			errs = append(errs, field.Invalid(path.Child("lowVolumeThreshold"), v.LowVolumeThreshold, "must be a number (a rate)"))
		}
	}
	return errs
}
