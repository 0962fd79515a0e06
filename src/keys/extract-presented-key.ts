export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function first(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * The key a client presented: `Authorization: Bearer <key>` (OpenAI SDKs), else `x-api-key` (Anthropic
 * SDKs), else `api-key` (Azure OpenAI clients). Header names as Node gives them (lower case).
 *
 * @example
 * extractPresentedKey(request.headers) // 'fk-vk_…-…' or undefined
 */
export function extractPresentedKey(headers: HeaderBag): string | undefined {
  const authorization = first(headers.authorization);
  const bearer = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
  return bearer ?? first(headers['x-api-key']) ?? first(headers['api-key']);
}
