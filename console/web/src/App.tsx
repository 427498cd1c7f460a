import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { getJSON, hasToken, onUnauthorized, setToken } from './api';
import { buildFilters, quickFilterMatches, sameMatch, withEitherEnd, type Match } from './filters';
import { useFetch } from './hooks';
import { VIEWS, stateFromQuery, stateToQuery, windowOf, type AppState, type ViewId, type Window } from './state';
import type { FrontendConfig, QueryStats, Role } from './types';
import { QueryStatsLine, Toolbar } from './components/Toolbar';
import { Dialog, ErrorBox, Loading } from './components/ui';
import { Overview } from './views/Overview';
import { FlowTable } from './views/FlowTable';
import { Topology } from './views/Topology';

/** What every view receives. */
export interface ViewProps {
  config: FrontendConfig;
  state: AppState;
  update: (patch: Partial<AppState>, push?: boolean) => void;
  window: Window;
  /** The query's filter string: the chips, the match mode and the quick filters. */
  filters: string;
  /** Changes on each refresh. */
  tick: number;
  setStats: (s: QueryStats | null) => void;
  setLoading: (on: boolean) => void;
  addFilters: (ms: Match[]) => void;
}

export function App() {
  const [state, setState] = useState<AppState>(() => stateFromQuery(location.search));
  const [tick, setTick] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const [stats, setStats] = useState<QueryStats | null>(null);
  const [loading, setLoading] = useState(false);
  const [authMessage, setAuthMessage] = useState<string | null>(null);
  const stateRef = useRef(state);
  stateRef.current = state;

  const [cfgKey, setCfgKey] = useState(0);
  const cfg = useFetch(
    (signal) => getJSON<FrontendConfig>('api/frontend-config', {}, signal).then((c) => ({ ...c, filters: withEitherEnd(c.filters ?? []) })),
    [cfgKey],
  );
  const role = useFetch((signal) => getJSON<Role>('role', {}, signal), [cfgKey, cfg.data ? 1 : 0]);
  const config = cfg.data;

  useEffect(
    () =>
      onUnauthorized((message) => {
        setAuthMessage(message);
      }),
    [],
  );

  const update = useCallback((patch: Partial<AppState>, push = false) => {
    const next = { ...stateRef.current, ...patch };
    stateRef.current = next;
    setState(next);
    const qs = '?' + stateToQuery(next);
    if (qs !== location.search) {
      if (push) history.pushState(null, '', qs);
      else history.replaceState(null, '', qs);
    }
  }, []);

  useEffect(() => {
    const onPop = () => setState(stateFromQuery(location.search));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  // Normalise the URL once so a link always carries the view.
  useEffect(() => {
    const qs = '?' + stateToQuery(state);
    if (qs !== location.search) history.replaceState(null, '', qs);
  }, []);

  const refresh = useCallback(() => {
    setNow(Date.now());
    setTick((t) => t + 1);
  }, []);

  useEffect(() => {
    if (!state.refresh || state.range <= 0) return;
    const id = setInterval(refresh, state.refresh * 1000);
    return () => clearInterval(id);
  }, [state.refresh, state.range, refresh]);

  // A new relative range starts from now.
  useEffect(() => {
    setNow(Date.now());
  }, [state.range, state.start, state.end]);

  const window = useMemo(() => windowOf(state, now), [state.range, state.start, state.end, now]);

  const activeQuick = useMemo(() => {
    if (!config) return [];
    const names = (config.quickFilters ?? []).map((q) => q.name);
    if (state.quick === null) return (config.quickFilters ?? []).filter((q) => q.default).map((q) => q.name);
    return state.quick.filter((n) => names.includes(n));
  }, [config, state.quick]);

  const filters = useMemo(() => {
    if (!config) return '';
    const extra = (config.quickFilters ?? []).filter((q) => activeQuick.includes(q.name)).flatMap(quickFilterMatches);
    return buildFilters(state.filters, state.match, extra);
  }, [config, state.filters, state.match, activeQuick]);

  const addFilters = useCallback(
    (ms: Match[]) => {
      const cur = stateRef.current.filters;
      const fresh = ms.filter((m) => !cur.some((c) => sameMatch(c, m)));
      if (fresh.length) update({ filters: [...cur, ...fresh] }, true);
    },
    [update],
  );

  const submitToken = (t: string) => {
    setToken(t);
    setAuthMessage(null);
    setCfgKey((k) => k + 1);
    refresh();
  };

  const tokenDialog = authMessage !== null && <TokenDialog message={authMessage} onSubmit={submitToken} />;

  if (!config) {
    return (
      <div class="app">
        <Header role={role.data} />
        <main class="main">
          <Loading on={cfg.loading} />
          {cfg.error && (
            <div class="boot-error">
              <ErrorBox message={`Could not load the console configuration: ${cfg.error}`} />
              <button type="button" class="btn" onClick={() => setCfgKey((k) => k + 1)}>
                Try again
              </button>
            </div>
          )}
        </main>
        {tokenDialog}
      </div>
    );
  }

  const viewProps: ViewProps = { config, state, update, window, filters, tick, setStats, setLoading, addFilters };
  return (
    <div class="app">
      <Header role={role.data} mode={config.mode} />
      <nav class="tabs" role="tablist" aria-label="Views">
        {VIEWS.map((v) => (
          <button
            key={v.id}
            type="button"
            role="tab"
            id={`tab-${v.id}`}
            data-testid={`tab-${v.id}`}
            aria-selected={state.view === v.id}
            aria-controls="view"
            tabIndex={state.view === v.id ? 0 : -1}
            class={state.view === v.id ? 'tab active' : 'tab'}
            onClick={() => {
              setStats(null);
              update({ view: v.id }, true);
            }}
            onKeyDown={(e) => {
              const i = VIEWS.findIndex((x) => x.id === state.view);
              let j = -1;
              if (e.key === 'ArrowRight') j = (i + 1) % VIEWS.length;
              if (e.key === 'ArrowLeft') j = (i + VIEWS.length - 1) % VIEWS.length;
              if (j >= 0) {
                e.preventDefault();
                update({ view: VIEWS[j].id as ViewId }, true);
                document.getElementById(`tab-${VIEWS[j].id}`)?.focus();
              }
            }}
          >
            {v.name}
          </button>
        ))}
        <span class="spacer" />
        <QueryStatsLine stats={stats} />
      </nav>
      <Toolbar
        config={config}
        state={state}
        window={window}
        activeQuick={activeQuick}
        loading={loading}
        update={update}
        onRefresh={refresh}
      />
      <main class="main" id="view" role="tabpanel" aria-labelledby={`tab-${state.view}`}>
        <Loading on={loading} />
        {state.view === 'overview' && <Overview {...viewProps} />}
        {state.view === 'table' && <FlowTable {...viewProps} />}
        {state.view === 'topology' && <Topology {...viewProps} />}
      </main>
      {tokenDialog}
    </div>
  );
}

function Header({ role, mode }: { role?: Role; mode?: string }) {
  return (
    <header class="app-header">
      <div class="brand">
        <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true">
          <circle cx="5" cy="12" r="3" fill="#2f6fdb" />
          <circle cx="19" cy="5" r="3" fill="#3aa55d" />
          <circle cx="19" cy="19" r="3" fill="#e8871e" />
          <path d="M7.5 11 L16.5 6 M7.5 13 L16.5 18" stroke="#55606e" stroke-width="1.6" />
        </svg>
        <h1>flowlens</h1>
        <span class="brand-sub">Network Traffic</span>
      </div>
      <div class="header-right">
        {mode && (
          <span class="badge" data-testid="mode" title={mode === 'host' ? 'Single host: no Kubernetes fields' : 'Kubernetes cluster'}>
            {mode === 'host' ? 'Host' : mode === 'cluster' ? 'Cluster' : mode}
          </span>
        )}
        {role && (
          <span class="badge badge-role" data-testid="role" title={role.role === 'admin' ? 'Sees every flow' : 'Sees flows of the namespaces it may read'}>
            {role.user ? `${role.user} · ` : ''}
            {role.role}
          </span>
        )}
        {hasToken() && (
          <button
            type="button"
            class="link-btn"
            data-testid="forget-token"
            onClick={() => {
              setToken('');
              location.reload();
            }}
          >
            Forget token
          </button>
        )}
      </div>
    </header>
  );
}

function TokenDialog({ message, onSubmit }: { message: string; onSubmit: (t: string) => void }) {
  const [value, setValue] = useState('');
  return (
    <Dialog
      title="Sign in with a token"
      testId="token-dialog"
      dismissable={false}
      onClose={() => undefined}
      footer={
        <button type="button" class="btn btn-primary" data-testid="token-submit" disabled={!value.trim()} onClick={() => onSubmit(value)}>
          Use this token
        </button>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onSubmit(value);
        }}
      >
        <p>The console needs a Kubernetes bearer token to show flows ({message}).</p>
        <p>Get one with:</p>
        <pre class="code">kubectl create token &lt;serviceaccount&gt; -n &lt;namespace&gt;{'\n'}oc whoami -t</pre>
        <p class="muted">
          The token stays in this browser tab (session storage) and is sent as <code>Authorization: Bearer</code>. You see the flows of the
          namespaces it may read.
        </p>
        <label class="field field-block">
          <span class="field-label">Token</span>
          <input
            type="password"
            autoComplete="off"
            data-testid="token-input"
            value={value}
            onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)}
            autoFocus
          />
        </label>
      </form>
    </Dialog>
  );
}
