/**
 * The method of the training benches (training.ts, lstm.ts, cnn.ts): contenders train the same
 * model from the same weights; rounds time them A B C A B C … so machine noise hits all alike;
 * each contender's samples/s per round, and the ratio of the first contender's rate (keelnet
 * wasm, the reference) to its rate in the same round.
 */

/** One side of a race: a model on one library and backend, ready to train. */
export interface Contender<Id extends string = string> {
  id: Id;
  name: string;
  backend: string;
  /** Loss on the first batch, untimed: the same model and weights must give the same number on every contender. */
  firstLoss(): Promise<number>;
  /** Train `steps` batches starting at sample `from`; returns [milliseconds, mean loss]. */
  train(from: number, steps: number): Promise<[number, number]>;
  dispose?(): void;
}

export interface RoundsOptions<Id extends string> {
  /** The bench's name in progress lines ("lstm: round 1/5: …") and errors ("lstm bench: …"). */
  bench: string;
  rounds: number;
  /** Timed steps per round, per contender. */
  steps: Record<Id, number>;
  /** Samples per step: one for all, or per contender. */
  batch: number | Record<Id, number>;
  /** Samples in the training set: each round starts further in (by the reference's samples per round), wrapping around. */
  dataSize: number;
  log: (line: string) => void;
}

/** What runRounds measured for one contender. */
export interface Timed {
  /** Median, minimum and maximum over rounds of samples/s. */
  samplesPerSec: number;
  minSamplesPerSec: number;
  maxSamplesPerSec: number;
  /** Median over rounds of (the reference's samples/s) / (this contender's samples/s), same round. */
  speedup: number;
  /** Mean loss over the last timed chunk: proof that it trained. */
  lastLoss: number;
}

/** Idle time before each timed chunk (see settle). */
const SETTLE_MS = 100;

/**
 * Let the last contender's leftovers finish before the next is timed: a full garbage collection
 * where Node exposes it (bench/index.ts runs with --expose-gc), then a short pause in which
 * background threads go quiet (V8's concurrent sweeping of TF.js's and jax-js's garbage, their
 * worker threads). On a 2-core machine those threads otherwise take the second core from
 * whoever runs next, which only a two-thread contender notices. Every contender gets the same.
 */
export async function settle(): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

/** Time `rounds` rounds of every contender in turn (each after settle()); contenders[0] is the reference of the ratios. */
export async function runRounds<Id extends string>(contenders: Contender<Id>[], o: RoundsOptions<Id>): Promise<Record<Id, Timed>> {
  const batch = (id: Id) => (typeof o.batch === 'number' ? o.batch : o.batch[id]);
  const ref = contenders[0].id;
  const rates = contenders.map(() => [] as number[]);
  const lastLoss = contenders.map(() => NaN);
  for (let r = 0; r < o.rounds; r++) {
    for (const [i, c] of contenders.entries()) {
      const samples = o.steps[c.id] * batch(c.id);
      // Walk through the training set; every contender sees the same slice in the same round.
      const from = (r * o.steps[ref] * batch(ref)) % (o.dataSize - samples + 1);
      await settle();
      const [ms, loss] = await c.train(from, o.steps[c.id]);
      if (!Number.isFinite(loss)) throw new Error(`${o.bench} bench: ${c.name} ${c.backend} loss became ${loss}`);
      rates[i].push(samples / (ms / 1000));
      lastLoss[i] = loss;
    }
    o.log(`${o.bench}: round ${r + 1}/${o.rounds}: ${contenders.map((c, i) => `${c.id} ${Math.round(rates[i][r])}`).join(', ')} samples/s`);
  }
  return Object.fromEntries(contenders.map((c, i) => [c.id, {
    samplesPerSec: median(rates[i]),
    minSamplesPerSec: Math.min(...rates[i]),
    maxSamplesPerSec: Math.max(...rates[i]),
    speedup: median(rates[i].map((v, r) => rates[0][r] / v)),
    lastLoss: lastLoss[i],
  }])) as Record<Id, Timed>;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const round3 = (v: number) => Math.round(v * 1000) / 1000;
