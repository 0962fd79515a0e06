import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { KeyAuthenticator } from './key-cache.js';

export interface RedisKeyInvalidationOptions {
  url: string;
  /** The pub/sub channel every instance of one deployment shares (`<key_prefix>keys:changed`). */
  channel: string;
  /** A publish or the subscription failed; until it recovers, other instances fall back to the cache TTL. */
  onError?: (error: unknown) => void;
  /** CLIENT SETNAME of the subscriber connection, so an operator (or a test) can find it in CLIENT LIST. */
  connectionName?: string;
}

export interface RedisKeyInvalidation {
  /** The local authenticator, whose invalidate(id) is also told to every other instance. */
  authenticator: KeyAuthenticator;
  /** Resolves once this instance hears what others publish (the first subscription is confirmed). */
  subscribed: Promise<void>;
  close(): Promise<void>;
}

/** An instance id and a key id: the sender skips its own messages (it invalidated locally already). */
const SEPARATOR = ' ';

/**
 * Shares key invalidations (revoke, rotate, create) between gateway instances over Redis pub/sub, so a key
 * revoked on one instance is refused by all as soon as Redis delivers the message, instead of after the key
 * cache's TTL. Pub/sub keeps nothing for a subscriber that is away: each time the subscription is
 * (re)confirmed, this instance forgets every cached key, so no message missed while disconnected leaves a
 * revoked key trusted. What remains is the revoking instance failing to publish: then the TTL is the bound.
 *
 * @example
 * const shared = shareKeyInvalidations(createKeyAuthenticator(store), { url: 'redis://127.0.0.1:6379', channel: 'frugal:keys:changed' });
 * createServer({ ..., keys: { store, authenticator: shared.authenticator, masterKey } });
 */
export function shareKeyInvalidations(local: KeyAuthenticator, { url, channel, onError = () => {}, connectionName = 'frugal-key-invalidations' }: RedisKeyInvalidationOptions): RedisKeyInvalidation {
  const instance = randomUUID();
  // A revoke must not wait on a Redis that is away: the publish gives up after 2 s and the TTL takes over.
  const publisher = new Redis(url, { lazyConnect: true, commandTimeout: 2_000, maxRetriesPerRequest: 2 });
  // Resubscribing ourselves (not ioredis's autoResubscribe) tells us when the server has confirmed it.
  const subscriber = new Redis(url, { lazyConnect: true, autoResubscribe: false, maxRetriesPerRequest: null, connectionName });
  publisher.on('error', onError);
  subscriber.on('error', onError);
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    const at = message.indexOf(SEPARATOR);
    if (at === -1 || message.slice(0, at) === instance) return;
    local.invalidate(message.slice(at + 1));
  });
  let confirmSubscribed: () => void = () => {};
  const subscribed = new Promise<void>((resolve) => (confirmSubscribed = resolve));
  subscriber.on('ready', () => {
    subscriber
      .subscribe(channel)
      .then(() => {
        // Whatever was cached before this point may have missed a message; from here on none is missed.
        local.invalidateAll();
        confirmSubscribed();
      })
      .catch(onError);
  });
  subscriber.connect().catch(onError);

  return {
    authenticator: {
      ...local,
      async invalidate(id) {
        await local.invalidate(id);
        await publisher.publish(channel, `${instance}${SEPARATOR}${id}`).then(() => undefined, onError);
      },
    },
    subscribed,
    async close() {
      subscriber.disconnect();
      // A publisher that never published never connected: nothing to say goodbye to.
      if (publisher.status === 'wait') publisher.disconnect();
      else await publisher.quit().catch(() => publisher.disconnect());
    },
  };
}

/**
 * Key invalidations shared through the Redis the config already uses (spend control's, else the cache's), on a
 * channel under spend_control.key_prefix; undefined (each instance on its own key cache TTL) without Redis.
 */
export function shareKeyInvalidationsFor(
  config: Pick<GatewayConfig, 'spendControl' | 'cache'>,
  local: KeyAuthenticator,
  onError?: (error: unknown) => void,
): RedisKeyInvalidation | undefined {
  const where = keyInvalidationChannel(config);
  return where && shareKeyInvalidations(local, { ...where, onError });
}

/** The Redis and channel a deployment's instances share key invalidations on; undefined without Redis. */
export function keyInvalidationChannel(config: Pick<GatewayConfig, 'spendControl' | 'cache'>): { url: string; channel: string } | undefined {
  const url = config.spendControl.backend === 'redis' ? config.spendControl.redisUrl : config.cache.backend === 'redis' ? config.cache.redisUrl : undefined;
  return url === undefined ? undefined : { url, channel: `${config.spendControl.keyPrefix}keys:changed` };
}

/**
 * Tells every running instance to forget a key, from outside any of them (`frugal keys revoke|rotate`); resolves
 * to how many instances heard it. Gives up after 2 s (the instances' key cache TTL is then the bound).
 */
export async function publishKeyInvalidation({ url, channel }: { url: string; channel: string }, id: string): Promise<number> {
  const publisher = new Redis(url, { lazyConnect: true, commandTimeout: 2_000, connectTimeout: 2_000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  publisher.on('error', () => {});
  try {
    await publisher.connect();
    // Its own instance id: no gateway takes the message for one of its own.
    return await publisher.publish(channel, `${randomUUID()}${SEPARATOR}${id}`);
  } finally {
    publisher.disconnect();
  }
}
