// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowstore // import "github.com/flowlens/flowlens/pkg/flowstore"

import (
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
	"slices"

	"modernc.org/sqlite"
)

// The rollup keeps DNS latency and RTT as log-scale histograms so that p90 and p99 over long
// ranges need not read every flow: bucket i holds values in [2^(i/4), 2^((i+1)/4)) nanoseconds,
// and a quantile is its bucket's geometric middle, within 9 % of the exact value.
const histSubBuckets = 4

// histIndex is the bucket of a value in nanoseconds.
func histIndex(ns int64) uint8 {
	if ns <= 1 {
		return 0
	}
	// log2 with quarter steps: the integer part from the bit length, the rest from math.Log2
	// only within the octave.
	whole := bits.Len64(uint64(ns)) - 1
	frac := math.Log2(float64(ns) / float64(uint64(1)<<whole))
	// float64 rounding can push the top of an octave to the next one.
	return uint8(whole*histSubBuckets + min(int(frac*histSubBuckets), histSubBuckets-1))
}

// histMiddle is the geometric middle of bucket i, in nanoseconds.
func histMiddle(i uint8) float64 {
	return math.Exp2((float64(i) + 0.5) / histSubBuckets)
}

// hist is a sparse histogram: counts by bucket.
type hist map[uint8]uint64

// encode writes the buckets in order as (index byte, uvarint count).
func (h hist) encode() []byte {
	if len(h) == 0 {
		return nil
	}
	idx := make([]uint8, 0, len(h))
	for i := range h {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	out := make([]byte, 0, len(h)*3)
	for _, i := range idx {
		out = append(out, i)
		out = binary.AppendUvarint(out, h[i])
	}
	return out
}

var errBadHist = errors.New("flowstore: malformed latency histogram")

// addEncoded adds an encoded histogram's counts.
func (h hist) addEncoded(b []byte) error {
	for len(b) > 0 {
		i := b[0]
		n, w := binary.Uvarint(b[1:])
		if w <= 0 {
			return errBadHist
		}
		h[i] += n
		b = b[1+w:]
	}
	return nil
}

// quantile is the q-quantile's bucket middle in nanoseconds (nearest rank), or NaN when empty.
func (h hist) quantile(q float64) float64 {
	var total uint64
	idx := make([]uint8, 0, len(h))
	for i, n := range h {
		total += n
		idx = append(idx, i)
	}
	if total == 0 {
		return math.NaN()
	}
	slices.Sort(idx)
	rank := uint64(math.Ceil(q * float64(total)))
	var seen uint64
	for _, i := range idx {
		if seen += h[i]; seen >= rank {
			return histMiddle(i)
		}
	}
	return histMiddle(idx[len(idx)-1])
}

// registerHistFunctions adds hist_merge(a, b) (scalar: the sum of two encoded histograms, for
// upserts), hist_add(ns) (aggregate: a histogram of values, to build the rollup from flows),
// and hist_quantile(h, q) over hist_sum(h) (aggregate: merged histograms) for queries.
func registerHistFunctions() {
	sqlite.MustRegisterDeterministicScalarFunction("hist_merge", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		h := hist{}
		for _, a := range args {
			if b, ok := a.([]byte); ok {
				if err := h.addEncoded(b); err != nil {
					return nil, err
				}
			}
		}
		return h.encode(), nil
	})
	sqlite.MustRegisterDeterministicScalarFunction("hist_quantile", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		b, _ := args[0].([]byte)
		q, _ := args[1].(float64)
		h := hist{}
		if err := h.addEncoded(b); err != nil {
			return nil, err
		}
		v := h.quantile(q)
		if math.IsNaN(v) {
			return nil, nil
		}
		return v, nil
	})
	sqlite.MustRegisterFunction("hist_add", &sqlite.FunctionImpl{NArgs: 1, Deterministic: true,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) {
			return &histAgg{h: hist{}, raw: true}, nil
		}})
	sqlite.MustRegisterFunction("hist_sum", &sqlite.FunctionImpl{NArgs: 1, Deterministic: true,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &histAgg{h: hist{}}, nil }})
}

// histAgg is hist_add (raw values) or hist_sum (encoded histograms).
type histAgg struct {
	h   hist
	raw bool
}

func (a *histAgg) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	switch v := args[0].(type) {
	case nil:
	case int64:
		if a.raw {
			a.h[histIndex(v)]++
		}
	case float64:
		if a.raw {
			a.h[histIndex(int64(v))]++
		}
	case []byte:
		if !a.raw {
			return a.h.addEncoded(v)
		}
	}
	return nil
}

func (a *histAgg) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return errors.New("flowstore: histogram aggregates are not window functions")
}

func (a *histAgg) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	return a.h.encode(), nil
}

func (a *histAgg) Final(*sqlite.FunctionContext) {}
