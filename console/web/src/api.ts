// Calls to the console API. URLs are relative to the page so the console also works behind a
// path prefix. A 401 asks the person for a bearer token, kept for the browser session.

const TOKEN_KEY = 'flowlens.token';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

let token = readToken();
const unauthorizedListeners = new Set<(message: string) => void>();

function readToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function hasToken(): boolean {
  return token !== '';
}

export function setToken(t: string): void {
  token = t.trim();
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage may be off: keep the token in memory only
  }
}

/** onUnauthorized registers a callback for 401 answers; it returns the unregister function. */
export function onUnauthorized(cb: (message: string) => void): () => void {
  unauthorizedListeners.add(cb);
  return () => unauthorizedListeners.delete(cb);
}

export type Params = Record<string, string | number | boolean | undefined | null>;

export function url(path: string, params: Params = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}

async function request(path: string, params: Params, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(url(path, params), { headers, signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(`Cannot reach the console server: ${(e as Error).message}`, 0);
  }
  if (!res.ok) {
    const message = await errorMessage(res);
    if (res.status === 401) unauthorizedListeners.forEach((cb) => cb(message));
    throw new ApiError(message, res.status);
  }
  return res;
}

/** errorMessage is the API's {"error": "..."} verbatim, else the HTTP status. */
async function errorMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (body && typeof body.error === 'string' && body.error) return body.error;
  } catch {
    // not JSON
  }
  const status = `HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}`;
  return text.trim() ? `${status}: ${text.trim().slice(0, 300)}` : status;
}

export async function getJSON<T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
  const res = await request(path, params, signal);
  return (await res.json()) as T;
}

export async function getBlob(path: string, params: Params = {}, signal?: AbortSignal): Promise<Blob> {
  const res = await request(path, params, signal);
  return res.blob();
}

export function isAbort(e: unknown): boolean {
  return (e as Error)?.name === 'AbortError';
}
