// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowstore

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHistogramQuantileWithinAQuarterOctave(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, spread := range []float64{1e3, 1e6, 1e9} {
		var vs []int64
		h := hist{}
		for range 10_000 {
			v := int64(math.Exp(rnd.Float64()*math.Log(spread))) + 1
			vs = append(vs, v)
			h[histIndex(v)]++
		}
		slices.Sort(vs)
		for _, q := range []float64{0.5, 0.9, 0.99} {
			exact := float64(vs[int(math.Ceil(q*float64(len(vs))))-1])
			got := h.quantile(q)
			assert.InEpsilon(t, exact, got, math.Exp2(1.0/8)-1+1e-9, "q=%v spread=%v", q, spread)
		}
	}
	assert.True(t, math.IsNaN(hist{}.quantile(0.99)))
}

func TestHistogramEncoding(t *testing.T) {
	h := hist{0: 1, 7: 300, 200: 1 << 40}
	b := h.encode()
	back := hist{}
	require.NoError(t, back.addEncoded(b))
	require.NoError(t, back.addEncoded(b))
	assert.Equal(t, hist{0: 2, 7: 600, 200: 2 << 40}, back)
	assert.Error(t, back.addEncoded([]byte{3}), "truncated")
	assert.Nil(t, hist{}.encode())
	assert.Equal(t, uint8(0), histIndex(0))
	assert.Equal(t, uint8(4), histIndex(2))
	assert.Equal(t, uint8(4*40), histIndex(1<<40))
	assert.Equal(t, uint8(4*62+3), histIndex(math.MaxInt64))
}
