import { createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/** Who is looking: the master key (everything), one virtual key (its own spend only), or anyone (an open gateway). */
export type DashboardViewer = { kind: 'admin' } | { kind: 'key'; keyId: string } | { kind: 'open' };

export const SESSION_COOKIE = 'frugal_dashboard';
/** Short-lived: a session stolen from a screen or a proxy log stops working within the hour. */
export const SESSION_TTL_MS = 3_600_000;

export interface DashboardSessions {
  /**
   * A token for the viewer, valid for SESSION_TTL_MS. Carries the key's public id, never a secret, and when the key
   * had last been rotated (`keyRotatedAt`), so that a later rotation ends the session.
   */
  issue(viewer: Exclude<DashboardViewer, { kind: 'open' }>, keyRotatedAt?: number | null): string;
  /** The viewer of a valid, unexpired token, with the key's rotation it was signed in under; undefined otherwise. */
  verify(token: string): { viewer: Exclude<DashboardViewer, { kind: 'open' }>; keyRotatedAt: number | null } | undefined;
}

/** Set by `frugal serve --workers N` for its workers: one random signing secret for all of them. */
export const WORKER_SESSION_SECRET_ENV = 'FRUGAL_WORKER_DASHBOARD_SECRET';

const SESSION_LABEL = 'frugal dashboard sessions v1';

/**
 * The key sessions are signed with. Every process that may receive the cookie must derive the same one — the workers
 * of one `frugal serve` (node:cluster hands each new connection to any of them) and the replicas behind one load
 * balancer — so it comes from what they share: `admin.session_secret` when set, else the master key, else the
 * secret the primary handed its workers. Only a lone process with none of them makes a random one (a restart then
 * ends every session). Derived with scrypt: a session token that leaks is an offline oracle for the secret it was
 * signed with, and the master key may be a guessable one; scrypt makes each guess cost ~50 ms and 16 MiB.
 *
 * @example
 * sessionSigningKey({ configured: undefined, masterKey: 'm…', inherited: undefined }); // same on every replica
 */
export function sessionSigningKey({ configured, masterKey, inherited }: { configured?: string; masterKey?: string; inherited?: string }): Buffer {
  const shared = configured || masterKey || inherited;
  return shared ? scryptSync(shared, SESSION_LABEL, 32) : randomBytes(32);
}

/**
 * Sessions signed with HMAC-SHA256 under `secret` (see sessionSigningKey): nothing is stored. The key itself never
 * leaves the login request.
 *
 * @example
 * const sessions = createDashboardSessions();
 * const token = sessions.issue({ kind: 'admin' });
 */
export function createDashboardSessions({ now = Date.now, secret = randomBytes(32), masterKey }: { now?: () => number; secret?: Buffer; masterKey?: string } = {}): DashboardSessions {
  const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');
  // An admin session is bound to the master key it was signed in with: when admin.session_secret signs sessions, a
  // master key rotated (or removed) after a leak must end the sessions opened with it, as rotating a virtual key does.
  // A keyed digest, so the token says nothing about the master key to anyone without the signing secret.
  const master = masterKey ? createHmac('sha256', secret).update(`${SESSION_LABEL} master key\0${masterKey}`).digest('base64url') : undefined;
  return {
    issue(viewer, keyRotatedAt = null) {
      if (viewer.kind === 'admin' && master === undefined) throw new Error('an admin session needs the master key');
      const bound = viewer.kind === 'admin' ? { mk: master } : {};
      const payload = Buffer.from(JSON.stringify({ ...viewer, ...bound, rot: keyRotatedAt, exp: now() + SESSION_TTL_MS })).toString('base64url');
      return `${payload}.${sign(payload)}`;
    },
    verify(token) {
      const dot = token.indexOf('.');
      if (dot <= 0) return undefined;
      const payload = token.slice(0, dot);
      const given = Buffer.from(token.slice(dot + 1));
      const expected = Buffer.from(sign(payload));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      try {
        const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { kind?: unknown; keyId?: unknown; mk?: unknown; rot?: unknown; exp?: unknown };
        if (typeof parsed.exp !== 'number' || parsed.exp <= now()) return undefined;
        const keyRotatedAt = typeof parsed.rot === 'number' ? parsed.rot : null;
        if (parsed.kind === 'admin' && master !== undefined && parsed.mk === master) return { viewer: { kind: 'admin' }, keyRotatedAt };
        if (parsed.kind === 'key' && typeof parsed.keyId === 'string') return { viewer: { kind: 'key', keyId: parsed.keyId }, keyRotatedAt };
      } catch {
        return undefined;
      }
      return undefined;
    },
  };
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
