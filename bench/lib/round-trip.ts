/**
 * How far apart the machine's two cores are right now: the round trip of one int32 between this
 * thread and a worker that answers it (both spinning on a SharedArrayBuffer), in nanoseconds.
 * Measured on this project's VM: ~100–150 ns most of the time, and ~360–400 ns for stretches of
 * seconds to minutes (the host then runs its two vCPUs on cores that share no cache, we suppose:
 * a 2 MiB buffer written by one thread takes the other twice as long to read). Two threads
 * working on one model pay that on every cache line they hand each other; two independent
 * trainings do not. bench/threads.ts tags each triple with it.
 */
import { Worker } from 'node:worker_threads';

/** Round trips from this figure up count as "far". */
export const FAR_NS = 200;

export interface RoundTripProbe {
  /** The least mean round trip (ns) of `tries` bursts of `n` round trips. */
  measure(n?: number, tries?: number): number;
  terminate(): Promise<number>;
}

/** Start the answering worker; it sleeps (Atomics.wait) between measurements. */
export async function startRoundTripProbe(): Promise<RoundTripProbe> {
  // [0] burst counter (the worker waits on it), [1] round trips in the burst, [2] the ball, [3] burst done.
  const ctl = new Int32Array(new SharedArrayBuffer(16));
  const worker = new Worker(`
    const { workerData: ctl } = require('node:worker_threads');
    for (let seen = 0; ;) {
      Atomics.wait(ctl, 0, seen);
      seen = Atomics.load(ctl, 0);
      if (seen < 0) break;
      for (let i = 0, n = ctl[1]; i < n; i++) {
        let v;
        while (((v = Atomics.load(ctl, 2)) & 1) === 0);
        Atomics.store(ctl, 2, v + 1);
      }
      Atomics.store(ctl, 3, seen);
    }`, { eval: true, workerData: ctl });
  worker.unref();
  await new Promise((resolve) => setTimeout(resolve, 50));
  let burst = 0;
  const once = (n: number): number => {
    Atomics.store(ctl, 2, 0);
    ctl[1] = n;
    Atomics.store(ctl, 0, ++burst);
    Atomics.notify(ctl, 0);
    const t = performance.now();
    for (let i = 0; i < n; i++) {
      const v = Atomics.add(ctl, 2, 1) + 1;
      while (Atomics.load(ctl, 2) === v);
    }
    const ns = ((performance.now() - t) * 1e6) / n;
    while (Atomics.load(ctl, 3) !== burst);
    return ns;
  };
  for (let k = 0; k < 5; k++) once(5000); // the first bursts after start are slow (neither side is optimized yet)
  return {
    measure(n = 2000, tries = 2) {
      let best = Infinity;
      for (let k = 0; k < tries; k++) best = Math.min(best, once(n));
      return best;
    },
    terminate() {
      Atomics.store(ctl, 0, -1);
      Atomics.notify(ctl, 0);
      return worker.terminate();
    },
  };
}
