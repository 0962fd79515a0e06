/**
 * The one spelling of a path the gateway serves. The router decodes `%76` to `v` and readers differ on `//`,
 * `/./`, `;x` or `\`; refusing every spelling but the canonical one means the router, the access decision,
 * the logs and any proxy in front all read the same path.
 */

// RFC 3986 pchar minus ';' (matrix parameters, which some routers split on) and with only uppercase escapes.
const SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()*+,=:@]|%[0-9A-F]{2})+$/;
// An escape that has a plain spelling (ALPHA, DIGIT, - . _ ~) is the trick behind /%761/… .
const UNRESERVED_ESCAPE = /%(?:3[0-9]|4[1-9A-F]|5[0-9A]|6[1-9A-F]|7[0-9A]|2[DE]|5F|7E)/;
// Control characters have no business in a path and PostgreSQL cannot store NUL.
const CONTROL_ESCAPE = /%(?:[01][0-9A-F]|7F)/;

/**
 * Why `url`'s path (the part before `?`) is not canonical, or undefined when it is.
 *
 * @example
 * nonCanonicalPathReason('/v1/chat/completions?x=1') // undefined
 * nonCanonicalPathReason('/%761/chat/completions')   // 'an unreserved character is percent-encoded'
 */
export function nonCanonicalPathReason(url: string): string | undefined {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  if (!path.startsWith('/')) return 'the request target must be a path starting with /';
  if (path === '/') return undefined;
  const segments = path.slice(1).split('/');
  for (const segment of segments) {
    if (segment === '') return 'empty path segments (// or a trailing /) are not allowed';
    if (segment === '.' || segment === '..') return 'dot segments (/./ or /../) are not allowed';
    if (!SEGMENT.test(segment)) return 'the path holds a character outside RFC 3986 (or ; or a lowercase or broken %-escape)';
    if (segment.includes('%')) {
      if (UNRESERVED_ESCAPE.test(segment)) return 'an unreserved character is percent-encoded';
      if (CONTROL_ESCAPE.test(segment)) return 'the path holds an encoded control character';
    }
  }
  return undefined;
}
