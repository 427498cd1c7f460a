// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/google/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/flowlens/flowlens/internal/testutil"
)

// newNamespace creates an empty network namespace, deleted when the test ends.
func newNamespace(t *testing.T) string {
	t.Helper()
	id := make([]byte, 3)
	_, _ = rand.Read(id)
	ns := "fl-" + hex.EncodeToString(id) + "-dp"
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	testutil.MustRun(t, "ip", "netns", "add", ns)
	return ns
}

func TestSkbContextLayout(t *testing.T) {
	assert.Equal(t, 192, binary.Size(skbContext{}), "sizeof(struct __sk_buff)")
}

// TestProgInterfaces runs the programs on devices of a namespace of its own: the kernel
// takes the device from __sk_buff.ifindex, looked up in the caller's network namespace, so the
// runs happen on a thread switched into it. No packet is sent anywhere.
func TestProgInterfaces(t *testing.T) {
	t.Parallel()
	d := load(t, Settings{})
	ns := newNamespace(t)
	// veth pairs with both ends in the namespace: this kernel has no dummy driver, and the
	// devices only need to exist (nothing is transmitted).
	const nDev = MaxIfaces + 2
	names := make([]string, nDev)
	for i := 0; i < nDev; i += 2 {
		names[i], names[i+1] = fmt.Sprintf("fld%d", i), fmt.Sprintf("fld%d", i+1)
		testutil.MustRun(t, "ip", "-n", ns, "link", "add", names[i], "type", "veth", "peer", "name", names[i+1])
	}

	fx, fy := tcpFrame(1, "A"), tcpFrame(2, "A")
	fz, fv, fw := tcpFrame(3, "A"), tcpFrame(4, "A"), tcpFrame(5, "A")
	fl := testutil.Frame{SrcMAC: macA, DstMAC: macB, Src: v4A, Dst: net.ParseIP("224.0.0.251"),
		Proto: layers.IPProtocolUDP, SrcPort: 5353, DstPort: 5353} // mDNS: link-scoped
	x, y, z, v, w, l := fx.Bytes(t), fy.Bytes(t), fz.Bytes(t), fv.Bytes(t), fw.Bytes(t), fl.Bytes(t)

	var dev []uint32
	err := testutil.InNamespace(ns, func() error {
		for _, name := range names {
			ifi, err := net.InterfaceByName(name)
			if err != nil {
				return err
			}
			dev = append(dev, uint32(ifi.Index))
		}
		// What the kernel accepts as context.
		if _, err := d.Ingress().Run(&ebpf.RunOptions{Data: x, Context: skbContext{Ifindex: 9999}}); !errors.Is(err, unix.ENODEV) {
			return fmt.Errorf("ifindex of no device: got %v, want ENODEV", err)
		}
		if _, err := d.Ingress().Run(&ebpf.RunOptions{Data: x, Context: skbContext{Ifindex: dev[0], Len: 1}}); !errors.Is(err, unix.EINVAL) {
			return fmt.Errorf("__sk_buff.len set: got %v, want EINVAL", err)
		}

		in, out := d.Ingress(), d.Egress()
		type step struct {
			prog    *ebpf.Program
			frame   []byte
			ifindex uint32
		}
		steps := []step{
			// x: in and out of dev0, then of dev1; counted on dev0 ingress only.
			{in, x, dev[0]}, {in, x, dev[0]}, {out, x, dev[0]}, {in, x, dev[1]}, {out, x, dev[1]},
			// y: first seen leaving dev1.
			{out, y, dev[1]}, {in, y, dev[0]}, {in, y, dev[1]},
			// l: link-scoped, one flow per device and direction.
			{in, l, dev[0]}, {in, l, dev[1]}, {out, l, dev[0]}, {in, l, dev[0]},
		}
		for i := range dev {
			steps = append(steps, step{in, z, dev[i]})
		}
		// v crosses every device twice, w leaves them in reverse order.
		for range 2 {
			for i := range dev {
				steps = append(steps, step{in, v, dev[i]})
			}
		}
		for i := range dev {
			steps = append(steps, step{out, w, dev[nDev-1-i]})
		}
		for i, s := range steps {
			if err := runProg(s.prog, s.frame, s.ifindex); err != nil {
				return fmt.Errorf("step %d: %w", i, err)
			}
		}
		return nil
	})
	require.NoError(t, err)
	t.Logf("devices in %s: %v", ns, dev)
	for _, ifindex := range dev {
		require.Greater(t, ifindex, uint32(loIfindex))
	}

	ifaces := func(idx ...uint32) (out [MaxIfaces]uint32) { copy(out[:], idx); return out }
	dirs := func(d ...uint8) (out [MaxIfaces]uint8) { copy(out[:], d); return out }
	repeatDir := func(d uint8) (out [MaxIfaces]uint8) {
		for i := range out {
			out[i] = d
		}
		return out
	}
	flows := evictAll(t, d)
	require.Len(t, flows, 5+3)

	s := flows[keyOf(fx)]
	assert.Equal(t, uint32(2), s.Packets, "x: counted on the first interface+direction only")
	assert.Equal(t, uint64(2*len(x)), s.Bytes)
	assert.Equal(t, uint32(2), s.N_ifaces)
	assert.Equal(t, ifaces(dev[0], dev[1]), s.Ifindex)
	assert.Equal(t, dirs(3, 3), s.IfDir)
	assert.Equal(t, uint8(0), s.FirstDir)

	s = flows[keyOf(fy)]
	assert.Equal(t, uint32(1), s.Packets, "y")
	assert.Equal(t, uint32(2), s.N_ifaces)
	assert.Equal(t, ifaces(dev[1], dev[0]), s.Ifindex)
	assert.Equal(t, dirs(3, 1), s.IfDir)
	assert.Equal(t, uint8(1), s.FirstDir)

	for _, k := range []struct {
		ifindex uint32
		dir     uint8
		packets uint32
	}{{dev[0], 0, 2}, {dev[1], 0, 1}, {dev[0], 1, 1}} {
		s, ok := flows[keyOn(fl, k.ifindex, k.dir)]
		require.True(t, ok, "link-scoped flow on %d dir %d", k.ifindex, k.dir)
		assert.Equal(t, statsOf(fl, l, int(k.packets), k.dir, k.ifindex), withoutTimes(t, s, 0))
	}

	// More interfaces than a flow remembers: the first MaxIfaces are listed, n_ifaces says how
	// many were seen, and the overflow is counted once per flow.
	s = flows[keyOf(fz)]
	assert.Equal(t, uint32(1), s.Packets, "z")
	assert.Equal(t, uint32(MaxIfaces+1), s.N_ifaces)
	assert.Equal(t, ifaces(dev[:MaxIfaces]...), s.Ifindex)
	assert.Equal(t, repeatDir(1), s.IfDir)

	s = flows[keyOf(fv)]
	assert.Equal(t, uint32(2), s.Packets, "v")
	assert.Equal(t, ifaces(dev[:MaxIfaces]...), s.Ifindex)
	assert.Equal(t, repeatDir(1), s.IfDir)
	// Once the list is full and the overflow counted, n_ifaces stops at MaxIfaces+1: more
	// unlisted interfaces change nothing (no wrap-around however long the window).
	assert.Equal(t, uint32(MaxIfaces+1), s.N_ifaces)

	s = flows[keyOf(fw)]
	assert.Equal(t, uint32(1), s.Packets, "w")
	assert.Equal(t, uint8(1), s.FirstDir)
	assert.Equal(t, uint32(MaxIfaces+1), s.N_ifaces)
	for i := range MaxIfaces {
		assert.Equal(t, dev[nDev-1-i], s.Ifindex[i], "w slot %d", i)
	}
	assert.Equal(t, repeatDir(2), s.IfDir)

	assert.Equal(t, Counters{IfaceOverflow: 3}, counters(t, d), "z, v and w overflow once each")
}
