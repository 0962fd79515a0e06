import { Transform } from 'node:stream';

/** Thrown when an upload passes its size limit; the edge maps it to a 413. */
export class TooLargeError extends RangeError {
  constructor(readonly maxBytes: number) {
    super(`the file is larger than ${maxBytes} bytes`);
    this.name = 'TooLargeError';
  }
}

/** A pass-through that counts bytes and fails the stream once they pass `maxBytes` (so nothing past it is kept). */
export function limitBytes(maxBytes: number): { transform: Transform; count: () => number } {
  let seen = 0;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(new TooLargeError(maxBytes));
      else done(null, chunk);
    },
  });
  return { transform, count: () => seen };
}
