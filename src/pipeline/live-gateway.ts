import { onStreamEnd } from '../request/stream-end.js';
import type { Gateway } from './create-gateway.js';

export interface LiveGateway extends Gateway {
  /**
   * Serves every request that starts from now on with `next`. The gateway it replaces keeps the requests it
   * already started (a stream runs to its end on the config it began with) and is closed once they finish.
   */
  swap(next: Gateway): void;
  /** Gateways replaced but not yet closed (their requests still running). */
  retiring(): number;
}

export interface LiveGatewayOptions {
  /**
   * A replaced gateway is closed after this long even if a request still counts as running: a reply whose
   * stream nobody ever reads must not keep its health checks and connections forever. Closing its upstream
   * connections is graceful (requests on them finish), so this only bounds the leak.
   */
  retireAfterMs?: number;
  onCloseError?: (error: unknown) => void;
}

interface Generation {
  gateway: Gateway;
  running: number;
  replaced: boolean;
  closing: Promise<void> | undefined;
  timer: NodeJS.Timeout | undefined;
}

/**
 * One reference every route holds while config reloads swap what is behind it: each request reads the current
 * gateway once, at its start, and runs entirely on it.
 *
 * @example
 * const live = createLiveGateway(createGatewayFromConfig(config, ledger));
 * createServer({ gateway: live, logger });
 * live.swap(createGatewayFromConfig(reloaded, ledger)); // on SIGHUP
 */
export function createLiveGateway(initial: Gateway, { retireAfterMs = 10 * 60_000, onCloseError }: LiveGatewayOptions = {}): LiveGateway {
  const generation = (gateway: Gateway): Generation => ({ gateway, running: 0, replaced: false, closing: undefined, timer: undefined });
  let current = generation(initial);
  const replaced = new Set<Generation>();

  function close(gen: Generation): Promise<void> {
    gen.closing ??= (async () => {
      clearTimeout(gen.timer);
      try {
        await gen.gateway.close();
      } catch (error) {
        onCloseError?.(error);
      } finally {
        replaced.delete(gen);
      }
    })();
    return gen.closing;
  }

  /** Counts one request on the current gateway; the returned release is idempotent. */
  function enter(): { gen: Generation; release: () => void } {
    const gen = current;
    gen.running += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      gen.running -= 1;
      if (gen.replaced && gen.running === 0) void close(gen);
    };
    return { gen, release };
  }

  async function run<T>(call: (gateway: Gateway) => Promise<T>): Promise<T> {
    const { gen, release } = enter();
    try {
      return await call(gen.gateway);
    } finally {
      release();
    }
  }

  return {
    get config() {
      return current.gateway.config;
    },
    get spendControl() {
      return current.gateway.spendControl;
    },
    async chat(body, caller) {
      const { gen, release } = enter();
      let reply;
      try {
        reply = await gen.gateway.chat(body, caller);
      } catch (error) {
        release();
        throw error;
      }
      if (reply.kind !== 'stream') {
        release();
        return reply;
      }
      return { ...reply, chunks: onStreamEnd(reply.chunks, release) };
    },
    embeddings: (body, caller) => run((gateway) => gateway.embeddings(body, caller)),
    countTokens: (request, caller) => run((gateway) => gateway.countTokens(request, caller)),
    models: () => current.gateway.models(),
    swap(next) {
      const previous = current;
      current = generation(next);
      previous.replaced = true;
      replaced.add(previous);
      if (previous.running === 0) {
        void close(previous);
        return;
      }
      previous.timer = setTimeout(() => void close(previous), retireAfterMs);
      previous.timer.unref();
    },
    retiring: () => replaced.size,
    async close() {
      await Promise.all([...replaced].map(close));
      await close(current);
    },
  };
}

