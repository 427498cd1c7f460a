// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flow // import "github.com/flowlens/flowlens/pkg/flow"

import (
	"strings"
)

// MarkdownTable renders docs/flow-schema.md from Fields, so the documentation cannot drift from
// the code (TestFlowSchemaDoc checks it).
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString(`<!-- Generated from pkg/flow Fields by MarkdownTable. Do not edit.
     Regenerate: go test ./pkg/flow -run TestFlowSchemaDoc -update -->

# Flow record schema

Every flow is one OTLP log record:

- the **body is empty**: everything is in attributes;
- the **timestamp** is the end of the flow (its latest packet, ` + "`" + AttrEnd + "`" + `);
- the **observed timestamp** is the export time, when the receiver drained the flow from the kernel;
- the **resource** describes the observer, the node that recorded the flow
  (` + "`" + AttrHostName + "`, `" + AttrLocalAddress + "`" + `); every other attribute is on the log record.

Attribute names follow the OpenTelemetry semantic conventions where one exists; the others live
under ` + "`network.flow.*`" + `, or under ` + "`source.*` / `destination.*`" + ` for facts about one end of the flow.
The NetObserv column is the field name in NetObserv's representation (Loki lines, Kafka, console);
the conversion column says how the value changes between the two. Attributes without a NetObserv
name are not written in that representation. ` + "`Resolve`" + ` accepts either name.

`)
	b.WriteString("| Attribute | Type | NetObserv field | Conversion | Set by | Description |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, f := range Fields {
		attr := "`" + f.Attr + "`"
		if f.Resource {
			attr += " (resource)"
		}
		nob := ""
		if f.NetObserv != "" {
			nob = "`" + f.NetObserv + "`"
		}
		row := []string{attr, f.Type.String(), nob, convDoc(f.Conv), f.Source, f.Doc}
		b.WriteString("|")
		for _, cell := range row {
			b.WriteString(" ")
			b.WriteString(mdCell(cell))
			b.WriteString(" |")
		}
		b.WriteString("\n")
	}
	b.WriteString(`
## Derived NetObserv fields

These NetObserv fields have no attribute of their own: they are computed from several.

| NetObserv field | Computed from |
|---|---|
| ` + "`" + NetObservSrcName + "`" + ` | ` + mdCell(endNameDoc("source.")) + ` |
| ` + "`" + NetObservDstName + "`" + ` | ` + mdCell(endNameDoc("destination.")) + ` |
| ` + "`" + NetObservTimeReceived + "`" + ` | The log record's observed timestamp (export time), in unix seconds. |
`)
	return b.String()
}

func endNameDoc(prefix string) string {
	return "`" + prefix + "k8s.pod.name`, `" + prefix + "k8s.service.name` or `" + prefix +
		"k8s.node.name`, chosen by `" + prefix + "k8s.resource.type` (" + ResTypePod + ", " +
		ResTypeService + ", " + ResTypeNode + "); absent for other types."
}

// convDoc describes a conversion from our value to NetObserv's.
func convDoc(c Conv) string {
	switch c {
	case ConvNsToMs:
		return "ns → ms"
	case ConvDirection:
		return DirIngress + "/" + DirEgress + "/" + DirInner + " → 0/1/2"
	case ConvDirections:
		return "each " + DirIngress + "/" + DirEgress + " → 0/1"
	case ConvTCPFlags:
		return "bitmask → names: " + strings.Join(tcpFlagNames[:], ", ")
	}
	return ""
}

// mdCell keeps a value inside its table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}
