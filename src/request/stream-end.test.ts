import { describe, expect, it } from 'vitest';
import { onStreamEnd, tapStream, type StreamEnding } from './stream-end.js';

function source(items: number[], log: string[], failAt?: number) {
  return (async function* () {
    try {
      for (const [index, item] of items.entries()) {
        if (index === failAt) throw new Error('upstream broke');
        yield item;
      }
    } finally {
      log.push('inner end');
    }
  })();
}

describe('onStreamEnd', () => {
  it('passes every item through and runs its hook once, after the inner stream ended', async () => {
    const log: string[] = [];
    const seen: number[] = [];
    for await (const item of onStreamEnd(source([1, 2, 3], log), () => void log.push('end'))) seen.push(item);
    expect(seen).toEqual([1, 2, 3]);
    expect(log).toEqual(['inner end', 'end']);
  });

  it('runs it when the reader stops early, also before its first read, and when a read fails (mapped)', async () => {
    const early: string[] = [];
    for await (const _item of onStreamEnd(source([1, 2, 3], early), () => void early.push('end'))) break;
    expect(early).toEqual(['inner end', 'end']);

    const unread: string[] = [];
    await onStreamEnd(source([1], unread), () => void unread.push('end')).return?.();
    expect(unread).toEqual(['end']);

    const failed: string[] = [];
    const reading = (async () => {
      for await (const _item of onStreamEnd(source([1, 2, 3], failed, 1), () => void failed.push('end'), (error) => new Error(`mapped: ${(error as Error).message}`))) {
        // read until it fails
      }
    })();
    await expect(reading).rejects.toThrow('mapped: upstream broke');
    expect(failed).toEqual(['inner end', 'end']);
  });

  it('waits for an async hook before the last read resolves', async () => {
    let settled = false;
    const iterator = onStreamEnd(source([], []), async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      settled = true;
    });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(settled).toBe(true);
  });
});

describe('tapStream', () => {
  it('passes what each returns, drops what it does not, and says the stream completed', async () => {
    const log: string[] = [];
    const endings: StreamEnding[] = [];
    const seen: number[] = [];
    const tapped = tapStream(source([1, 2, 3, 4], log), { each: (item) => (item % 2 === 0 ? undefined : item * 10), end: (ending) => void endings.push(ending) });
    for await (const item of tapped) seen.push(item);
    expect(seen).toEqual([10, 30]);
    expect(endings).toEqual([{ completed: true, error: undefined }]);
    expect(log).toEqual(['inner end']);
  });

  it('tells a failed read from a reader that stopped early', async () => {
    const failed: StreamEnding[] = [];
    const reading = (async () => {
      for await (const _item of tapStream(source([1, 2], [], 1), { end: (ending) => void failed.push(ending) })) {
        // read until it fails
      }
    })();
    await expect(reading).rejects.toThrow('upstream broke');
    expect(failed).toEqual([{ completed: false, error: expect.objectContaining({ message: 'upstream broke' }) }]);

    const stopped: StreamEnding[] = [];
    for await (const _item of tapStream(source([1, 2], []), { end: (ending) => void stopped.push(ending) })) break;
    expect(stopped).toEqual([{ completed: false, error: undefined }]);
  });

  it('closes the source and ends failed when each throws', async () => {
    const log: string[] = [];
    const endings: StreamEnding[] = [];
    const tapped = tapStream(source([1, 2, 3], log), {
      each: (item) => {
        if (item === 2) throw new Error('our bug');
        return item;
      },
      end: (ending) => void endings.push(ending),
    });
    expect(await tapped.next()).toEqual({ done: false, value: 1 });
    await expect(tapped.next()).rejects.toThrow('our bug');
    expect(log).toEqual(['inner end']);
    expect(endings).toHaveLength(1);
    expect(endings[0].completed).toBe(false);
    expect((endings[0].error as Error).message).toBe('our bug');
  });
});
