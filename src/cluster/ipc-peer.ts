import { FrugalError } from '../errors/frugal-error.js';
import { ERROR_CODES, type ErrorCode } from '../errors/error-codes.js';
import type { IpcChannel } from './ipc-channel.js';

/** Every Frugal message carries this tag, so messages of other code on the same pipe are left alone. */
const TAG = 'frugal';

type Handler = (...args: never[]) => unknown;

interface CallMessage {
  [TAG]: 'call';
  id: number;
  method: string;
  args: unknown[];
}
interface ReplyMessage {
  [TAG]: 'reply';
  id: number;
  value?: unknown;
  error?: EncodedError;
}
interface NoticeMessage {
  [TAG]: 'notice';
  type: string;
  payload: unknown;
}

/** Notices sent in one turn of the event loop, in one message: one serialization and one write instead of many. */
interface BatchMessage {
  [TAG]: 'batch';
  notices: NoticeMessage[];
}

interface EncodedError {
  name: string;
  message: string;
  code?: string;
}

/**
 * Requests and notices over one IpcChannel, in both directions: `call` sends a request and resolves with the other
 * end's answer (or rejects with its error, rebuilt as the same class for RangeError and FrugalError); `notify` sends
 * a one-way message. Messages on one channel arrive in the order they were sent, which the ledger relies on: a
 * row sent before a `ledger.durable` call is recorded before that call is answered.
 *
 * Notices are gathered for one turn of the event loop and sent together (a busy worker finishes many requests per
 * turn: one write instead of two per request halves what IPC costs both processes). A call sends what is gathered
 * first, so order holds. A process killed mid-turn loses that turn's notices: requests started in it (not yet
 * answered) and, without the spool, rows of requests answered in it, as a single process loses its writer's buffer.
 *
 * @example
 * const peer = createIpcPeer(parentChannel());
 * const verdict = await peer.call('rate.take', key, limit, cost);
 */
export interface IpcPeer {
  call<T>(method: string, ...args: unknown[]): Promise<T>;
  notify(type: string, payload: unknown): void;
  /** Answers calls of `method` from the other end. */
  handle(method: string, handler: Handler): void;
  onNotice(type: string, listener: (payload: never) => void): void;
  /** Calls still waiting for their answer. */
  waiting(): number;
}

/**
 * Calls `method` on every peer at once and keeps the answers of those that gave one: a worker starting or dying is
 * left out rather than failing the whole question.
 *
 * @example
 * const snapshots = await callEach<Snapshot>(workers, 'dashboard.snapshot');
 */
export async function callEach<T>(peers: readonly IpcPeer[], method: string, ...args: unknown[]): Promise<T[]> {
  const settled = await Promise.allSettled(peers.map((peer) => peer.call<T>(method, ...args)));
  return settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
}

export function createIpcPeer(channel: IpcChannel): IpcPeer {
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  const handlers = new Map<string, Handler>();
  const noticeListeners = new Map<string, (payload: never) => void>();
  let nextId = 0;
  let closed = false;
  let outbox: NoticeMessage[] = [];
  let flushQueued = false;

  function flush() {
    flushQueued = false;
    if (outbox.length === 0) return;
    const notices = outbox;
    outbox = [];
    channel.send(notices.length === 1 ? notices[0] : ({ [TAG]: 'batch', notices } satisfies BatchMessage));
  }

  function receiveNotice({ type, payload }: NoticeMessage) {
    noticeListeners.get(type)?.(payload as never);
  }

  channel.onMessage((message) => {
    if (typeof message !== 'object' || message === null || !(TAG in message)) return;
    const kind = (message as Record<string, unknown>)[TAG];
    if (kind === 'call') void answer(message as CallMessage);
    else if (kind === 'reply') settle(message as ReplyMessage);
    else if (kind === 'notice') receiveNotice(message as NoticeMessage);
    else if (kind === 'batch') for (const notice of (message as BatchMessage).notices) receiveNotice(notice);
  });

  channel.onClose(() => {
    closed = true;
    const gone = new FrugalError('internal_error', 'the other process of the cluster is gone; the call was not answered');
    for (const call of pending.values()) call.reject(gone);
    pending.clear();
  });

  async function answer({ id, method, args }: CallMessage) {
    const handler = handlers.get(method);
    try {
      if (!handler) throw new FrugalError('internal_error', `no handler for cluster call '${method}'`);
      const value = await (handler as (...values: unknown[]) => unknown)(...args);
      channel.send({ [TAG]: 'reply', id, value } satisfies ReplyMessage);
    } catch (error) {
      channel.send({ [TAG]: 'reply', id, error: encodeError(error) } satisfies ReplyMessage);
    }
  }

  function settle({ id, value, error }: ReplyMessage) {
    const call = pending.get(id);
    if (!call) return;
    pending.delete(id);
    if (error) call.reject(decodeError(error));
    else call.resolve(value);
  }

  return {
    call<T>(method: string, ...args: unknown[]) {
      if (closed) return Promise.reject(new FrugalError('internal_error', `the other process of the cluster is gone; '${method}' was not sent`));
      flush();
      nextId += 1;
      const id = nextId;
      const answered = new Promise<T>((resolve, reject) => pending.set(id, { resolve: resolve as (value: unknown) => void, reject }));
      channel.send({ [TAG]: 'call', id, method, args } satisfies CallMessage);
      return answered;
    },
    notify(type, payload) {
      outbox.push({ [TAG]: 'notice', type, payload });
      if (!flushQueued) {
        flushQueued = true;
        setImmediate(flush);
      }
    },
    handle(method, handler) {
      handlers.set(method, handler);
    },
    onNotice(type, listener) {
      noticeListeners.set(type, listener);
    },
    waiting: () => pending.size,
  };
}

function encodeError(error: unknown): EncodedError {
  if (error instanceof FrugalError) return { name: 'FrugalError', message: error.message, code: error.code };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

function decodeError(encoded: EncodedError): Error {
  if (encoded.name === 'FrugalError' && encoded.code !== undefined && encoded.code in ERROR_CODES) return new FrugalError(encoded.code as ErrorCode, encoded.message);
  if (encoded.name === 'RangeError') return new RangeError(encoded.message);
  if (encoded.name === 'TypeError') return new TypeError(encoded.message);
  return new Error(encoded.message);
}
