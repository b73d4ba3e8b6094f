import { byId, fill, h } from './dom.js';

const TOKEN_KEY = 'vigil-token';
const query = new URLSearchParams(location.search);
const given = query.get('token');
if (given) {
  localStorage.setItem(TOKEN_KEY, given);
  // The token does not stay in the address bar, the history or a shared link.
  query.delete('token');
  const rest = query.toString();
  history.replaceState(null, '', `${location.pathname}${rest === '' ? '' : `?${rest}`}`);
}

/** The page's own query parameters (without the token). */
export function pageQuery(): URLSearchParams {
  return new URLSearchParams(query);
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function headers(json: boolean): Record<string, string> {
  const token = localStorage.getItem(TOKEN_KEY);
  return {
    Accept: 'application/json',
    ...(json ? { 'Content-Type': 'application/json' } : {}),
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
  };
}

async function answer<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok) throw new ApiError(body.error ?? response.statusText, response.status);
  return body as T;
}

export async function getJson<T>(path: string, params: Readonly<Record<string, string | undefined>> = {}): Promise<T> {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(name, value);
  const url = search.toString() === '' ? path : `${path}?${search.toString()}`;
  return answer<T>(await fetch(url, { headers: headers(false) }));
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return answer<T>(await fetch(path, { method: 'POST', headers: headers(true), body: JSON.stringify(body) }));
}

/**
 * Shows a failure at the top of the page; a missing or wrong token asks for it instead, and
 * keeps it in this browser.
 */
export function showError(error: unknown): void {
  const box = byId('problems');
  if (error instanceof ApiError && error.status === 401) {
    const input = h('input', {
      id: 'token',
      type: 'password',
      autocomplete: 'current-password',
      placeholder: 'serve.token',
    });
    const refused = localStorage.getItem(TOKEN_KEY) !== null;
    const form = h(
      'form',
      { class: 'card inline-form' },
      h(
        'p',
        { class: refused ? 'problem' : '' },
        refused ? 'That token was not accepted.' : 'This dashboard needs its token (serve.token in the config).',
      ),
      h('label', { for: 'token' }, 'Token'),
      input,
      h('button', { type: 'submit' }, 'Open'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      localStorage.setItem(TOKEN_KEY, input.value.trim());
      location.reload();
    });
    fill(box, form);
    return;
  }
  fill(box, h('p', { class: 'card problem', role: 'alert' }, error instanceof Error ? error.message : String(error)));
}

export function clearError(): void {
  byId('problems').replaceChildren();
}
