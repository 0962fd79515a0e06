import fc from 'fast-check';
import { CHAT_MODEL, EMBEDDING_MODEL } from './fuzz-gateway.js';
import { hostileString } from './hostile.js';
import type { RawRequest } from './raw-http.js';

/** Header values a client may send (CR and LF left out: those make another request, probed in raw-protocol). */
export const headerValue: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 4, arbitrary: hostileString },
    { weight: 2, arbitrary: fc.constantFrom('', ' ', 'a=b', 'team=tiny', 'key=k1', '=', ',,,', 'a=b,a=c', '-1', '0', '1e309', 'NaN', '0.000000001', '99999999999', 'no-store', 'no-cache, max-age=0', 'bypass', 'refresh', 'semantic=0.1') },
    { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 40_000 }).map((size) => 'v'.repeat(size)) },
    { weight: 1, arbitrary: fc.array(fc.tuple(hostileString, hostileString), { maxLength: 30 }).map((pairs) => pairs.map(([key, value]) => `${key}=${value}`).join(',')) },
  )
  .map((value) => value.replace(/[\r\n]/g, ''));

const FRUGAL_HEADERS = ['x-frugal-tags', 'x-request-id', 'x-frugal-cache', 'x-frugal-max-cost-usd', 'x-frugal-task', 'x-api-key', 'api-key', 'content-type', 'accept', 'accept-encoding', 'x-forwarded-for', 'transfer-encoding-x', 'expect-x'];

export interface Credentials {
  apiKey: string | undefined;
  masterKey: string | undefined;
}

/** Authorization headers: the right key, close misses, other schemes, repeated headers. */
export function authorizationHeaders(credentials: Credentials): fc.Arbitrary<Array<[string, string]>> {
  const secret = credentials.apiKey ?? 'fk-vk_none';
  const variants = [
    `Bearer ${secret}`, `bearer ${secret}`, `BEARER  ${secret}`, `Bearer ${secret} `, `Bearer ${secret}x`, `Bearer ${secret.slice(0, -1)}`, `Basic ${Buffer.from(`user:${secret}`).toString('base64')}`,
    `Bearer ${secret},Bearer x`, 'Bearer', 'Bearer ', '', `${secret}`, `Bearer ${credentials.masterKey ?? 'master'}`, `Token ${secret}`, `Bearer ${secret}\u0000`,
  ];
  return fc.oneof(
    fc.constant<Array<[string, string]>>([]),
    fc.constantFrom(...variants).map((value): Array<[string, string]> => [['authorization', value]]),
    fc.tuple(fc.constantFrom(...variants), fc.constantFrom(...variants)).map(([a, b]): Array<[string, string]> => [['authorization', a], ['authorization', b]]),
    headerValue.map((value): Array<[string, string]> => [['authorization', value]]),
  );
}

/** Extra headers, Frugal's own and the usual ones, with hostile values; names may repeat. */
export const hostileHeaders: fc.Arbitrary<Array<[string, string]>> = fc.array(fc.tuple(fc.constantFrom(...FRUGAL_HEADERS), headerValue), { maxLength: 5 });

/** Does this request carry the valid virtual key the way clients send it? (Then a 2xx is no bypass.) */
export function presentsValidKey(headers: ReadonlyArray<readonly [string, string]>, apiKey: string | undefined): boolean {
  if (apiKey === undefined) return false;
  const valid = (name: string, value: string) =>
    (name === 'authorization' && /^bearer[ \t]+(\S+)[ \t]*$/i.exec(value.trim())?.[1] === apiKey) || ((name === 'x-api-key' || name === 'api-key') && value.trim() === apiKey);
  return headers.some(([name, value]) => valid(name.toLowerCase(), value));
}

/** Endpoints the server has, with a body that passes validation, for hostile headers and paths to ride on. */
export const ENDPOINTS: ReadonlyArray<{ method: string; path: string; body?: string }> = [
  { method: 'POST', path: '/v1/chat/completions', body: JSON.stringify({ model: CHAT_MODEL, messages: [{ role: 'user', content: 'hello' }] }) },
  { method: 'POST', path: '/v1/chat/completions', body: JSON.stringify({ model: 'ladder', stream: true, messages: [{ role: 'user', content: 'hello' }] }) },
  { method: 'POST', path: '/v1/embeddings', body: JSON.stringify({ model: EMBEDDING_MODEL, input: 'hello' }) },
  { method: 'GET', path: '/v1/models' },
  { method: 'GET', path: `/v1/models/${CHAT_MODEL}` },
  { method: 'GET', path: '/healthz' },
  { method: 'GET', path: '/metrics' },
  { method: 'GET', path: '/admin/keys' },
  { method: 'POST', path: '/admin/keys', body: JSON.stringify({ name: 'n' }) },
  { method: 'GET', path: '/admin/spend?by=model' },
  { method: 'POST', path: '/admin/keys/nope/revoke' },
];

/** Paths that need no credentials at all: everything else needs a key (/v1) or the master key (/admin). */
export const isPublicPath = (path: string) => /^\/(healthz|metrics)(\?.*)?$/.test(path);

/** One way of spelling a path that a router, a proxy or a decoder may treat as another path. */
export function pathVariant(path: string): fc.Arbitrary<string> {
  const [pathname, query] = path.split('?');
  const segments = pathname.split('/').slice(1);
  const encodeChar = (text: string, index: number, upper: boolean) => {
    const at = index % Math.max(1, text.length);
    const hex = text.charCodeAt(at).toString(16).padStart(2, '0');
    return `${text.slice(0, at)}%${upper ? hex.toUpperCase() : hex}${text.slice(at + 1)}`;
  };
  const mutations: Array<fc.Arbitrary<string>> = [
    fc.constant(pathname),
    fc.tuple(fc.nat(), fc.nat(), fc.boolean()).map(([segment, index, upper]) => {
      const copy = [...segments];
      const which = segment % copy.length;
      copy[which] = encodeChar(copy[which], index, upper);
      return `/${copy.join('/')}`;
    }),
    fc.nat().map((segment) => `/${segments.map((part, index) => (index === segment % segments.length ? part.toUpperCase() : part)).join('/')}`),
    fc.nat().map((segment) => `/${segments.map((part, index) => (index === segment % segments.length ? `./${part}` : part)).join('/')}`),
    fc.nat().map((segment) => `/${segments.map((part, index) => (index === segment % segments.length ? `x/../${part}` : part)).join('/')}`),
    fc.nat().map((segment) => `/${segments.map((part, index) => (index === segment % segments.length ? `%2e%2e/${part}` : part)).join('/')}`),
    fc.constantFrom(`/${pathname}`, `${pathname}/`, `${pathname}//`, pathname.replaceAll('/', '//'), pathname.replaceAll('/', '/%2f').slice(3), `${pathname}%00`, `${pathname};x=1`, `${pathname}#frag`, `http://127.0.0.1${pathname}`, `${pathname}%`, `${pathname}%zz`, `${pathname}%c0%af`, `${pathname}\u00e9`),
    hostileString.map((text) => `${pathname}/${encodeURIComponent(text.replace(/[\ud800-\udfff]/g, 'x'))}`),
    hostileString.map((text) => `/v1/models/${text.replace(/[\s\ud800-\udfff]/g, '_')}`),
  ];
  return fc.tuple(fc.oneof(...mutations), fc.constantFrom('', '?', '?a=1&a=2', '?by=%00', `?${query ?? ''}`, '?x=%ZZ')).map(([variant, search]) => (query && search === '' ? `${variant}?${query}` : `${variant}${search}`));
}

export type FuzzRequest = RawRequest & { label: string };
