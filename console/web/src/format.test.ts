import { describe, expect, it } from 'vitest';
import {
  columnTitle,
  directionName,
  fieldLabel,
  flagsText,
  formatBytes,
  formatDurationNs,
  formatField,
  formatMetric,
  formatMs,
  formatNumber,
  formatSI,
  formatTime,
  portText,
  protoName,
} from './format';

describe('numbers', () => {
  it('formats bytes and SI values with three significant digits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1234)).toBe('1.23 kB');
    expect(formatBytes(45_600_000)).toBe('45.6 MB');
    expect(formatBytes(123_456_789_012)).toBe('123.5 GB');
    expect(formatSI(12_345, '')).toBe('12.3k');
    expect(formatSI(NaN, 'B')).toBe('—');
  });
  it('formats counts with separators', () => {
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(2.345)).toBe('2.35');
  });
});

describe('durations', () => {
  it('shows nanoseconds as milliseconds', () => {
    expect(formatDurationNs(1_234_567)).toBe('1.23 ms');
    expect(formatDurationNs(250_000)).toBe('0.25 ms');
    expect(formatMs(0)).toBe('0 ms');
    expect(formatMs(1500)).toBe('1.50 s');
    expect(formatMs(0.004)).toBe('4.0 µs');
  });
});

describe('flow fields', () => {
  it('names protocols, directions and flags', () => {
    expect(protoName(6)).toBe('TCP');
    expect(protoName(17)).toBe('UDP');
    expect(protoName(1)).toBe('ICMP');
    expect(protoName(58)).toBe('ICMPv6');
    expect(protoName(250)).toBe('250');
    expect(directionName(0)).toBe('Ingress');
    expect(directionName(1)).toBe('Egress');
    expect(directionName(2)).toBe('Inner');
    expect(flagsText(['SYN', 'ACK'])).toBe('SYN, ACK');
    expect(flagsText(0x12)).toBe('SYN, ACK');
    expect(flagsText(0x100)).toBe('SYN_ACK');
  });
  it('names ports when port naming is on', () => {
    const naming = { enable: true, portNames: { '3100': 'loki' } };
    expect(portText(443, naming)).toBe('443 (https)');
    expect(portText(3100, naming)).toBe('3100 (loki)');
    expect(portText(40000, naming)).toBe('40000');
    expect(portText(443, { enable: false })).toBe('443');
  });
  it('formats by column format', () => {
    const naming = { enable: true };
    expect(formatField(1234, 'bytes', 'Bytes', naming)).toBe('1.23 kB');
    expect(formatField(5432, 'port', 'DstPort', naming)).toBe('5432 (postgresql)');
    expect(formatField(5432, 'number', 'DstPort', naming)).toBe('5432 (postgresql)');
    expect(formatField(12345, 'number', 'Packets', naming)).toBe('12,345');
    expect(formatField(2_000_000, 'duration', 'TimeFlowRttNs', naming)).toBe('2 ms');
    expect(formatField(3, 'ms', 'DnsLatencyMs', naming)).toBe('3 ms');
    expect(formatField(6, 'proto', 'Proto', naming)).toBe('TCP');
    expect(formatField(1, 'direction', 'FlowDirection', naming)).toBe('Egress');
    expect(formatField(['eth0', 'br0'], undefined, 'Interfaces', naming)).toBe('eth0, br0');
    expect(formatField(undefined, 'bytes', 'Bytes', naming)).toBe('');
  });
  it('formats local times to the millisecond', () => {
    const t = new Date(2026, 0, 2, 15, 4, 5, 67).getTime();
    expect(formatTime(t)).toBe('2026-01-02 15:04:05.067');
  });
  it('labels fields and columns', () => {
    expect(fieldLabel('SrcK8S_HostName', [])).toBe('Src Node');
    expect(fieldLabel('XlatDstAddr', [])).toBe('Xlat Dst IP');
    expect(fieldLabel('Proto', [])).toBe('Protocol');
    expect(fieldLabel('Bytes', [{ id: 'B', name: 'Bytes sent', field: 'Bytes' }])).toBe('Bytes sent');
    expect(columnTitle({ id: 'SrcName', name: 'Name', field: 'SrcK8S_Name', group: 'Source' })).toBe('Src Name');
    expect(columnTitle({ id: 'DstPort', name: 'Port', field: 'DstPort', group: 'Destination' })).toBe('Dst Port');
    expect(columnTitle({ id: 'X', name: 'Src IP', field: 'SrcAddr', group: 'Source' })).toBe('Src IP');
  });
});

describe('formatMetric', () => {
  it('adds /s to rates and reads latencies as milliseconds', () => {
    expect(formatMetric('Bytes', 'rate', 1500)).toBe('1.50 kB/s');
    expect(formatMetric('Packets', 'rate', 12)).toBe('12 pkts/s');
    expect(formatMetric('Flows', 'sum', 12345)).toBe('12.3k flows');
    expect(formatMetric('TimeFlowRttNs', 'avg', 1.5)).toBe('1.50 ms');
    expect(formatMetric('DnsLatencyMs', 'p99', 12)).toBe('12 ms');
    expect(formatMetric('Bytes', 'rate', NaN)).toBe('—');
  });
});
