import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ViewProps } from '../App';
import { getBlob, getJSON } from '../api';
import { quote, type Match } from '../filters';
import { columnTitle, fieldLabel, formatField, formatRecordField, formatTime } from '../format';
import { useFetch } from '../hooks';
import type { ColumnDef, FlowRecord, FrontendConfig, RecordsResponse } from '../types';
import { csvName, fieldGroup, sortRecords, visibleColumns, type FieldGroup } from '../table';
import { Dialog, Empty, ErrorBox, SidePanel, Select } from '../components/ui';

export function FlowTable(p: ViewProps) {
  const { config, state, update, window, filters, tick, setStats, setLoading, addFilters } = p;
  const [selected, setSelected] = useState<FlowRecord | null>(null);
  const [manage, setManage] = useState(false);
  const [exportError, setExportError] = useState('');
  const [exporting, setExporting] = useState(false);
  const limits = config.recordsLimits?.length ? config.recordsLimits : [50, 100, 500, 1000];
  const limit = limits.includes(state.limit) ? state.limit : limits.includes(100) ? 100 : limits[0];
  const columns = visibleColumns(config, state.cols);

  const r = useFetch(
    (signal) =>
      getJSON<RecordsResponse>('api/flow/records', { startTime: window.start, endTime: window.end, filters, limit }, signal),
    [filters, window.start, window.end, limit, tick],
  );
  useEffect(() => {
    setLoading(r.loading);
    if (r.data) setStats(r.data.stats ?? null);
  }, [r.loading, r.data]);

  const sortCol = columns.find((c) => c.id === state.sort);
  const rows = useMemo(() => {
    const recs = r.data?.records ?? [];
    return sortCol ? sortRecords(recs, sortCol.field, state.desc) : recs;
  }, [r.data, sortCol?.field, state.desc]);

  const onSort = (c: ColumnDef) => {
    if (state.sort === c.id) update({ desc: !state.desc });
    else update({ sort: c.id, desc: true });
  };

  const exportCSV = async () => {
    setExportError('');
    setExporting(true);
    try {
      const blob = await getBlob('api/flow/export', {
        format: 'csv',
        columns: columns.map((c) => c.field).join(','),
        startTime: window.start,
        endTime: window.end,
        filters,
        limit,
      });
      const a = document.createElement('a');
      const href = URL.createObjectURL(blob);
      a.href = href;
      a.download = csvName(window.start);
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 10_000);
    } catch (e) {
      setExportError((e as Error).message);
    } finally {
      setExporting(false);
    }
  };

  return (
    <div class="table-view" data-testid="view-table">
      <div class="view-controls">
        <Select label="Limit" testId="records-limit" value={limit} options={limits.map((n) => ({ value: n, name: `${n} flows` }))} onChange={(v) => update({ limit: v })} />
        <button type="button" class="btn" data-testid="manage-columns" onClick={() => setManage(true)}>
          Manage columns
        </button>
        <button type="button" class="btn" data-testid="export-csv" onClick={exportCSV} disabled={exporting} title="Download these flows (same query, visible columns) as CSV">
          {exporting ? 'Exporting…' : 'Export CSV'}
        </button>
        <span class="muted" data-testid="records-count">
          {r.data ? `${rows.length} flow${rows.length === 1 ? '' : 's'}${r.data.stats?.limitReached ? ` (limit reached: newest ${limit} shown)` : ''}` : ''}
        </span>
      </div>
      {exportError && <ErrorBox message={exportError} testId="export-error" />}
      {r.error && <ErrorBox message={r.error} testId="table-error" />}
      <div class="split">
        <div class={r.loading ? 'table-wrap stale' : 'table-wrap'}>
          {r.data && rows.length === 0 && (
            <Empty testId="table-empty">No flows in this time range. Widen the time range, or remove filters and quick filters.</Empty>
          )}
          {rows.length > 0 && (
            <table class="flows" data-testid="flows-table">
              <thead>
                <tr>
                  {columns.map((c) => (
                    <th
                      key={c.id}
                      scope="col"
                      aria-sort={state.sort === c.id ? (state.desc ? 'descending' : 'ascending') : 'none'}
                      data-testid={`col-${c.id}`}
                    >
                      <button type="button" class="th-btn" onClick={() => onSort(c)} title={`Sort by ${columnTitle(c)} (${c.field})`}>
                        {columnTitle(c)}
                        <span class="sort-mark" aria-hidden="true">
                          {state.sort === c.id ? (state.desc ? '▼' : '▲') : ''}
                        </span>
                      </button>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((rec, i) => (
                  <tr
                    key={i}
                    tabIndex={0}
                    data-testid="flow-row"
                    class={rec === selected ? 'selected' : ''}
                    aria-selected={rec === selected}
                    onClick={() => setSelected(rec)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' || e.key === ' ') {
                        e.preventDefault();
                        setSelected(rec);
                      } else if (e.key === 'ArrowDown') {
                        e.preventDefault();
                        ((e.currentTarget as HTMLElement).nextElementSibling as HTMLElement | null)?.focus();
                      } else if (e.key === 'ArrowUp') {
                        e.preventDefault();
                        ((e.currentTarget as HTMLElement).previousElementSibling as HTMLElement | null)?.focus();
                      }
                    }}
                  >
                    {columns.map((c) => {
                      const text = formatField(rec[c.field], c.format, c.field, config.portNaming);
                      return (
                        <td key={c.id} title={text} class={c.format && c.format !== 'time' && c.format !== 'proto' ? 'num' : ''}>
                          {text}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        {selected && <FlowDetail config={config} record={selected} onClose={() => setSelected(null)} addFilters={addFilters} />}
      </div>
      {manage && (
        <ColumnsDialog
          config={config}
          visible={columns.map((c) => c.id)}
          onClose={() => setManage(false)}
          onApply={(ids) => {
            const defaults = (config.columns ?? []).filter((c) => c.default).map((c) => c.id);
            update({ cols: ids.join(',') === defaults.join(',') ? null : ids });
            setManage(false);
          }}
        />
      )}
    </div>
  );
}

function ColumnsDialog({ config, visible, onClose, onApply }: { config: FrontendConfig; visible: string[]; onClose: () => void; onApply: (ids: string[]) => void }) {
  const all = config.columns ?? [];
  const [picked, setPicked] = useState<string[]>(visible);
  const [find, setFind] = useState('');
  const shown = all.filter((c) => !find || `${columnTitle(c)} ${c.field}`.toLowerCase().includes(find.toLowerCase()));
  const ordered = (ids: string[]) => all.filter((c) => ids.includes(c.id)).map((c) => c.id);
  return (
    <Dialog
      title="Manage columns"
      testId="columns-dialog"
      onClose={onClose}
      footer={
        <>
          <button type="button" class="link-btn" data-testid="columns-defaults" onClick={() => setPicked(all.filter((c) => c.default).map((c) => c.id))}>
            Restore defaults
          </button>
          <span class="spacer" />
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" class="btn btn-primary" data-testid="columns-apply" disabled={!picked.length} onClick={() => onApply(ordered(picked))}>
            Apply
          </button>
        </>
      }
    >
      <p class="muted">
        {picked.length} of {all.length} columns shown.
      </p>
      <input type="search" class="field-block" placeholder="Find a column" aria-label="Find a column" value={find} onInput={(e) => setFind((e.currentTarget as HTMLInputElement).value)} />
      <ul class="column-list">
        {shown.map((c) => (
          <li key={c.id}>
            <label class="check">
              <input
                type="checkbox"
                data-testid={`column-toggle-${c.id}`}
                checked={picked.includes(c.id)}
                onChange={(e) => {
                  const on = (e.currentTarget as HTMLInputElement).checked;
                  setPicked(on ? [...picked, c.id] : picked.filter((x) => x !== c.id));
                }}
              />
              {columnTitle(c)} <span class="muted">{c.field}</span>
            </label>
          </li>
        ))}
      </ul>
    </Dialog>
  );
}

const GROUP_NAMES: Record<FieldGroup, string> = { source: 'Source', destination: 'Destination', common: 'Common' };

export function FlowDetail({
  config,
  record,
  onClose,
  addFilters,
}: {
  config: FrontendConfig;
  record: FlowRecord;
  onClose: () => void;
  addFilters: (ms: Match[]) => void;
}) {
  const [raw, setRaw] = useState(false);
  const columns = config.columns ?? [];
  const order = (f: string) => {
    const i = columns.findIndex((c) => c.field === f);
    return i < 0 ? 1000 : i;
  };
  const fields = Object.keys(record).sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  const label = (f: string) => fieldLabel(f, columns);
  const filterFor = (f: string, v: unknown): Match | null => {
    if (v === null || v === undefined || v === '' || typeof v === 'object') return null;
    const def = (config.filters ?? []).find((d) => d.field === f);
    if (!def) return null;
    return { key: def.id, op: '=', values: [quote(String(v))] };
  };
  const src = String(record.SrcK8S_Name ?? record.SrcAddr ?? '?');
  const dst = String(record.DstK8S_Name ?? record.DstAddr ?? '?');
  return (
    <SidePanel
      testId="flow-detail"
      title="Flow details"
      subtitle={
        <>
          {src} → {dst}
          {record.TimeFlowEndMs !== undefined && <div class="muted">{formatTime(Number(record.TimeFlowEndMs))}</div>}
        </>
      }
      onClose={onClose}
    >
      <div class="seg seg-small" role="group" aria-label="Show as">
        <button type="button" aria-pressed={!raw} onClick={() => setRaw(false)} data-testid="detail-fields">
          Fields
        </button>
        <button type="button" aria-pressed={raw} onClick={() => setRaw(true)} data-testid="detail-json">
          Raw JSON
        </button>
      </div>
      {raw ? (
        <pre class="code json" data-testid="detail-json-text">
          {JSON.stringify(record, null, 2)}
        </pre>
      ) : (
        (['source', 'destination', 'common'] as FieldGroup[]).map((g) => {
          const fs = fields.filter((f) => fieldGroup(f) === g);
          if (!fs.length) return null;
          return (
            <section key={g} class="detail-group" data-testid={`detail-${g}`}>
              <h3>{GROUP_NAMES[g]}</h3>
              <dl>
                {fs.map((f) => {
                  const m = filterFor(f, record[f]);
                  return (
                    <div key={f} class="detail-row" data-field={f}>
                      <dt title={f}>{label(f)}</dt>
                      <dd>
                        <span class="detail-value">{formatRecordField(f, record[f], columns, config.portNaming)}</span>
                        {m && (
                          <button
                            type="button"
                            class="icon-btn filter-this"
                            data-testid="filter-on-this"
                            title={`Filter on ${label(f)} = ${String(record[f])}`}
                            aria-label={`Filter on ${label(f)} = ${String(record[f])}`}
                            onClick={() => addFilters([m])}
                          >
                            ⊕
                          </button>
                        )}
                      </dd>
                    </div>
                  );
                })}
              </dl>
            </section>
          );
        })
      )}
    </SidePanel>
  );
}
