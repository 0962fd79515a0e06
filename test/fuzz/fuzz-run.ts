import fc from 'fast-check';

/** FRUGAL_FUZZ_SEED replays a run; the default keeps CI reproducible. */
export const FUZZ_SEED = process.env.FRUGAL_FUZZ_SEED === undefined ? 20_251_205 : Number(process.env.FRUGAL_FUZZ_SEED);

// FRUGAL_FUZZ_RUNS scales every property's run count (a factor, default 1): 10 for a long local hunt.
const RUN_FACTOR = Number(process.env.FRUGAL_FUZZ_RUNS ?? 1);

// FRUGAL_FUZZ_COLLECT=1 keeps going after a failure and reports one example of each kind of failure, so a
// property broken in several ways shows all of them at once (the default stops at the first, unshrunk).
const COLLECT = process.env.FRUGAL_FUZZ_COLLECT === '1';

type Arbitraries<Ts extends unknown[]> = { [K in keyof Ts]: fc.Arbitrary<Ts[K]> };

/**
 * Runs a property over the real server with the fixed seed. Failures are not shrunk: each run is an HTTP round
 * trip, and the counterexample with the seed and path is enough to replay it.
 */
export async function assertFuzz<Ts extends [unknown, ...unknown[]]>(numRuns: number, arbitraries: Arbitraries<Ts>, predicate: (...args: Ts) => Promise<void>): Promise<void> {
  const failures = new Map<string, string>();
  const run = COLLECT
    ? async (...args: Ts) => {
        try {
          await predicate(...args);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          // Kind: what broke and the status it came with (a 431 and a bad URL are different fixes).
          const kind = `${message.split(':')[0]} ${/→ (\d{3})/.exec(message)?.[1] ?? ''}`;
          if (!failures.has(kind)) failures.set(kind, message.slice(0, 1_000));
        }
      }
    : predicate;
  await fc.assert(fc.asyncProperty(...arbitraries, run), { seed: FUZZ_SEED, numRuns: Math.max(1, Math.round(numRuns * RUN_FACTOR)), endOnFailure: true });
  if (failures.size > 0) throw new Error(`${failures.size} kinds of failure (seed ${FUZZ_SEED}):\n${[...failures.values()].map((example) => `- ${example}`).join('\n')}`);
}
