// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package envtestsuite tests the k8sflow processor against a real kube-apiserver and etcd
// (controller-runtime envtest, built by hack/envtest-assets.sh). It holds tests only; a package
// of its own so its TestMain can run the API server and still check for goroutine leaks.
package envtestsuite
