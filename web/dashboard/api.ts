/** GET a JSON endpoint under /admin/api (the session cookie goes along); throws ApiError with the status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    throw new ApiError(response.status, body.error?.message ?? response.statusText);
  }
  return (await response.json()) as T;
}

/** Trades a key for the session cookie; the key itself is kept nowhere in the page. */
export async function signIn(key: string): Promise<void> {
  const response = await fetch('/admin/api/session', { method: 'POST', credentials: 'same-origin', headers: { authorization: `Bearer ${key}` } });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    throw new ApiError(response.status, body.error?.message ?? 'sign-in failed');
  }
}

export async function signOut(): Promise<void> {
  await fetch('/admin/api/session', { method: 'DELETE', credentials: 'same-origin' });
}

/** The page's state lives in the URL hash: #/spend?by=team&since=…; shareable and testable. */
export function hashState(): { page: string; params: URLSearchParams } {
  const hash = location.hash.replace(/^#\/?/, '');
  const at = hash.indexOf('?');
  return { page: (at < 0 ? hash : hash.slice(0, at)) || 'overview', params: new URLSearchParams(at < 0 ? '' : hash.slice(at + 1)) };
}

export function setHash(page: string, params: URLSearchParams): void {
  const query = params.toString();
  location.hash = `#/${page}${query ? `?${query}` : ''}`;
}
