import type { ChildProcess } from 'node:child_process';

/**
 * One end of a message pipe between the primary and a worker. Messages are plain JSON values: node:cluster's IPC
 * serializes with JSON by default, so `undefined` fields vanish and an `undefined` in an array arrives as null.
 */
export interface IpcChannel {
  send(message: unknown): void;
  /** Returns the function that stops listening. */
  onMessage(listener: (message: unknown) => void): () => void;
  /** Called once when the other end is gone (its process exited, or the pipe closed). */
  onClose(listener: () => void): void;
}

/** The worker's end: its own process's IPC pipe to the primary. */
export function parentChannel(): IpcChannel {
  if (!process.send) throw new Error('parentChannel: this process has no IPC channel (not a cluster worker)');
  return channelOf(process);
}

/** The primary's end of a worker's pipe (a cluster Worker's `process`). */
export function childChannel(child: ChildProcess): IpcChannel {
  return channelOf(child);
}

function channelOf(end: NodeJS.Process | ChildProcess): IpcChannel {
  return {
    send(message) {
      // A pipe closed by a dying peer: the loss is the peer's exit, accounted for by whoever watches it.
      if (end.connected) end.send!(message as Parameters<NonNullable<NodeJS.Process['send']>>[0], undefined, undefined, () => undefined);
    },
    onMessage(listener) {
      end.on('message', listener);
      return () => end.off('message', listener);
    },
    onClose(listener) {
      end.once('disconnect', listener);
    },
  };
}

/**
 * Two connected ends in one process, for tests: every message goes through JSON as cluster IPC does, and arrives
 * on a later turn of the event loop, in order.
 */
export function loopbackChannels(): { left: IpcChannel; right: IpcChannel; close(): void } {
  const listeners = { left: new Set<(message: unknown) => void>(), right: new Set<(message: unknown) => void>() };
  const closers: Array<() => void> = [];
  let closed = false;
  const end = (to: keyof typeof listeners, from: keyof typeof listeners): IpcChannel => ({
    send(message) {
      if (closed) return;
      const copy = JSON.parse(JSON.stringify(message)) as unknown;
      setImmediate(() => {
        for (const listener of listeners[to]) listener(copy);
      });
    },
    onMessage(listener) {
      listeners[from].add(listener);
      return () => listeners[from].delete(listener);
    },
    onClose(listener) {
      closers.push(listener);
    },
  });
  return {
    left: end('right', 'left'),
    right: end('left', 'right'),
    close() {
      if (closed) return;
      closed = true;
      setImmediate(() => closers.forEach((closer) => closer()));
    },
  };
}
