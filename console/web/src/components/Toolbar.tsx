import { useState } from 'preact/hooks';
import type { Match, Mode } from '../filters';
import { RANGES, REFRESHES, type AppState, type Window } from '../state';
import type { FrontendConfig, QueryStats } from '../types';
import { FilterBar } from './FilterBar';
import { Dialog } from './ui';
import { formatTime } from '../format';

interface Props {
  config: FrontendConfig;
  state: AppState;
  window: Window;
  activeQuick: string[];
  loading: boolean;
  update: (patch: Partial<AppState>) => void;
  onRefresh: () => void;
}

function toLocalInput(sec: number): string {
  const d = new Date(sec * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function fromLocalInput(v: string): number {
  const t = new Date(v).getTime();
  return Number.isFinite(t) ? Math.floor(t / 1000) : NaN;
}

export function Toolbar({ config, state, window, activeQuick, loading, update, onRefresh }: Props) {
  const [custom, setCustom] = useState(false);
  const quick = config.quickFilters ?? [];
  const toggleQuick = (name: string) => {
    const on = activeQuick.includes(name);
    update({ quick: on ? activeQuick.filter((n) => n !== name) : [...activeQuick, name] });
  };
  return (
    <section class="toolbar" aria-label="Query">
      <FilterBar
        config={config}
        chips={state.filters}
        match={state.match}
        window={window}
        onChange={(filters: Match[], match: Mode) => update({ filters, match })}
      />
      <div class="toolbar-row">
        {quick.length > 0 && (
          <div class="quick-filters" role="group" aria-label="Quick filters">
            <span class="field-label">Quick filters</span>
            {quick.map((q) => (
              <label key={q.name} class="check" data-testid="quick-filter" data-name={q.name} title={Object.entries(q.filter).map(([k, v]) => `${k}=${v}`).join(' & ')}>
                <input type="checkbox" checked={activeQuick.includes(q.name)} onChange={() => toggleQuick(q.name)} />
                {q.name}
              </label>
            ))}
          </div>
        )}
        <div class="spacer" />
        <label class="field">
          <span class="field-label">Time range</span>
          <select
            data-testid="time-range"
            value={state.range > 0 ? String(state.range) : 'custom'}
            onChange={(e) => {
              const v = (e.currentTarget as HTMLSelectElement).value;
              if (v === 'custom') setCustom(true);
              else update({ range: Number(v), start: 0, end: 0 });
            }}
          >
            {RANGES.map((r) => (
              <option key={r.seconds} value={String(r.seconds)}>
                {r.name}
              </option>
            ))}
            <option value="custom">{state.range > 0 ? 'Custom…' : 'Custom'}</option>
          </select>
        </label>
        {state.range <= 0 && (
          <button type="button" class="link-btn" data-testid="time-custom-show" onClick={() => setCustom(true)}>
            {formatTime(state.start * 1000).slice(0, 16)} → {formatTime(state.end * 1000).slice(0, 16)}
          </button>
        )}
        <label class="field">
          <span class="field-label">Refresh</span>
          <select
            data-testid="refresh-interval"
            value={String(state.refresh)}
            onChange={(e) => update({ refresh: Number((e.currentTarget as HTMLSelectElement).value) })}
          >
            {REFRESHES.map((r) => (
              <option key={r.seconds} value={String(r.seconds)}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class={loading ? 'btn btn-refresh spinning' : 'btn btn-refresh'} data-testid="refresh" onClick={onRefresh} title="Run the queries again now">
          <span aria-hidden="true">⟳</span> Refresh
        </button>
      </div>
      {custom && <CustomRange state={state} window={window} onClose={() => setCustom(false)} update={update} />}
    </section>
  );
}

function CustomRange({ state, window, onClose, update }: { state: AppState; window: Window; onClose: () => void; update: Props['update'] }) {
  const [from, setFrom] = useState(toLocalInput(state.range > 0 ? window.start : state.start));
  const [to, setTo] = useState(toLocalInput(state.range > 0 ? window.end : state.end));
  const s = fromLocalInput(from);
  const e = fromLocalInput(to);
  const bad = !Number.isFinite(s) || !Number.isFinite(e) ? 'Enter both dates.' : e <= s ? 'The end must be after the start.' : '';
  return (
    <Dialog
      title="Custom time range"
      testId="custom-range"
      onClose={onClose}
      footer={
        <>
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            class="btn btn-primary"
            data-testid="custom-range-apply"
            disabled={!!bad}
            onClick={() => {
              update({ range: 0, start: s, end: e, refresh: 0 });
              onClose();
            }}
          >
            Apply
          </button>
        </>
      }
    >
      <div class="form-grid">
        <label class="field">
          <span class="field-label">From</span>
          <input type="datetime-local" data-testid="custom-from" value={from} onInput={(ev) => setFrom((ev.currentTarget as HTMLInputElement).value)} />
        </label>
        <label class="field">
          <span class="field-label">To</span>
          <input type="datetime-local" data-testid="custom-to" value={to} onInput={(ev) => setTo((ev.currentTarget as HTMLInputElement).value)} />
        </label>
      </div>
      {bad && <p class="muted">{bad}</p>}
      <p class="muted">Times are in this browser's time zone. Auto-refresh is turned off for a fixed range.</p>
    </Dialog>
  );
}

/** QueryStats shows, discreetly, which backend answered the main query and how fast. */
export function QueryStatsLine({ stats }: { stats: QueryStats | null }) {
  if (!stats) return <span class="query-stats" data-testid="query-stats" />;
  const parts = [stats.dataSource, stats.durationMs !== undefined ? `${stats.durationMs} ms` : ''].filter(Boolean);
  return (
    <span
      class="query-stats"
      data-testid="query-stats"
      aria-live="polite"
      title={`Answered by ${stats.dataSource ?? '?'} in ${stats.durationMs ?? '?'} ms${stats.fallback ? ` (fallback: ${stats.fallback})` : ''}`}
    >
      {parts.join(' · ')}
    </span>
  );
}
