// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package webhook serves the FlowCollector validating webhook: the checks the CRD's schema and
// CEL rules cannot express (v1beta2.FlowCollector.Validate), plus warnings naming the fields
// that are accepted but not acted on.
package webhook // import "github.com/flowlens/flowlens/operator/internal/webhook"

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
	"github.com/flowlens/flowlens/operator/internal/render"
)

// Path is where the webhook is served (the kubebuilder convention for this group/version/kind).
const Path = "/validate-flows-netobserv-io-v1beta2-flowcollector"

// Validator validates FlowCollectors.
type Validator struct {
	// Render is used to compute the warnings (what the operator would not act on).
	Render render.Options
}

var _ admission.Validator[*v1beta2.FlowCollector] = &Validator{}

// +kubebuilder:webhook:path=/validate-flows-netobserv-io-v1beta2-flowcollector,mutating=false,failurePolicy=fail,sideEffects=None,groups=flows.netobserv.io,resources=flowcollectors,verbs=create;update,versions=v1beta2,name=vflowcollector.flows.netobserv.io,admissionReviewVersions=v1

// Setup registers the webhook with the manager's webhook server.
func Setup(mgr ctrl.Manager, v *Validator) error {
	return ctrl.NewWebhookManagedBy(mgr, &v1beta2.FlowCollector{}).WithValidator(v).Complete()
}

// ValidateCreate validates a new FlowCollector.
func (v *Validator) ValidateCreate(_ context.Context, fc *v1beta2.FlowCollector) (admission.Warnings, error) {
	return v.validate(fc)
}

// ValidateUpdate validates a changed FlowCollector.
func (v *Validator) ValidateUpdate(_ context.Context, _, fc *v1beta2.FlowCollector) (admission.Warnings, error) {
	return v.validate(fc)
}

// ValidateDelete accepts every deletion.
func (v *Validator) ValidateDelete(context.Context, *v1beta2.FlowCollector) (admission.Warnings, error) {
	return nil, nil
}

func (v *Validator) validate(fc *v1beta2.FlowCollector) (admission.Warnings, error) {
	if errs := fc.Validate(); len(errs) > 0 {
		return nil, apierrors.NewInvalid(v1beta2.GroupVersion.WithKind("FlowCollector").GroupKind(), fc.Name, errs)
	}
	res, err := render.Render(fc, v.Render)
	if err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	var warnings admission.Warnings
	for _, i := range res.Issues {
		warnings = append(warnings, "not acted on: "+i.String())
	}
	return warnings, nil
}
