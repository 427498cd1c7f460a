// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package testutil // import "github.com/flowlens/flowlens/internal/testutil"

import (
	"fmt"
	"os/exec"
	"testing"
)

// Routed is three network namespaces: a client and a server on two subnets, and a router between
// them that forwards (and can delay, see AddDelay). All test traffic stays between them.
//
//	Client (ClientIP) --veth-- (RouterClientIP) Router (RouterServerIP) --veth-- (ServerIP) Server
type Routed struct {
	Client, Router, Server     string // namespace names
	ClientIf, RouterClientIf   string // the client-side veth pair
	RouterServerIf, ServerIf   string // the server-side veth pair
	ClientIP, RouterClientIP   string // 10.199.<subnet>.0/25
	RouterServerIP, ServerIP   string // 10.199.<subnet>.128/25
	ClientSubnet, ServerSubnet string
	id                         string
}

// NewRouted creates the namespaces, links and routes (all up) for subnet 10.199.<subnet>.0/24;
// they are deleted when the test ends.
func NewRouted(t testing.TB, subnet int) *Routed {
	t.Helper()
	RequireRoot(t)
	id := randomID()
	r := &Routed{
		Client: "fl-" + id + "-c", Router: "fl-" + id + "-r", Server: "fl-" + id + "-s",
		ClientIf: "fl" + id + "c", RouterClientIf: "fl" + id + "rc",
		RouterServerIf: "fl" + id + "rs", ServerIf: "fl" + id + "s",
		ClientIP: fmt.Sprintf("10.199.%d.1", subnet), RouterClientIP: fmt.Sprintf("10.199.%d.126", subnet),
		RouterServerIP: fmt.Sprintf("10.199.%d.129", subnet), ServerIP: fmt.Sprintf("10.199.%d.130", subnet),
		ClientSubnet: fmt.Sprintf("10.199.%d.0/25", subnet), ServerSubnet: fmt.Sprintf("10.199.%d.128/25", subnet),
		id: id,
	}
	t.Cleanup(func() {
		for _, ns := range []string{r.Client, r.Router, r.Server} {
			_ = exec.Command("ip", "netns", "del", ns).Run()
		}
	})
	for _, ns := range []string{r.Client, r.Router, r.Server} {
		MustRun(t, "ip", "netns", "add", ns)
		Exec(t, ns, "ip", "link", "set", "lo", "up")
	}
	MustRun(t, "ip", "link", "add", r.ClientIf, "netns", r.Client, "type", "veth", "peer", "name", r.RouterClientIf, "netns", r.Router)
	MustRun(t, "ip", "link", "add", r.ServerIf, "netns", r.Server, "type", "veth", "peer", "name", r.RouterServerIf, "netns", r.Router)
	for _, c := range [][]string{
		{r.Client, "ip", "addr", "add", r.ClientIP + "/25", "dev", r.ClientIf},
		{r.Router, "ip", "addr", "add", r.RouterClientIP + "/25", "dev", r.RouterClientIf},
		{r.Router, "ip", "addr", "add", r.RouterServerIP + "/25", "dev", r.RouterServerIf},
		{r.Server, "ip", "addr", "add", r.ServerIP + "/25", "dev", r.ServerIf},
		{r.Router, "sysctl", "-qw", "net.ipv4.ip_forward=1"},
		{r.Server, "ip", "link", "set", r.ServerIf, "up"},
		{r.Router, "ip", "link", "set", r.RouterServerIf, "up"},
		{r.Router, "ip", "link", "set", r.RouterClientIf, "up"},
		{r.Client, "ip", "link", "set", r.ClientIf, "up"},
		{r.Client, "ip", "route", "add", "default", "via", r.RouterClientIP},
		{r.Server, "ip", "route", "add", "default", "via", r.RouterServerIP},
	} {
		Exec(t, c[0], c[1:]...)
	}
	return r
}
