/**
 * The global seeded random stream: weight initialization, shuffling and dropout draw from it,
 * so `setSeed(n)` makes a whole training run repeatable. xoshiro128** over 32-bit state.
 */
export class Random {
  private s = new Uint32Array(4);

  constructor(seed: number) {
    this.seed(seed);
  }

  seed(seed: number): void {
    // splitmix32 expands the seed into four non-zero words.
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if (!(this.s[0] | this.s[1] | this.s[2] | this.s[3])) this.s[0] = 1;
  }

  /** A uint32. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5, lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box–Muller; one value per call keeps the stream simple to reason about). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }

  /** Standard normal truncated to [−2, 2] by redrawing, as Keras's truncated_normal. */
  truncatedNormal(): number {
    for (;;) {
      const v = this.normal();
      if (v >= -2 && v <= 2) return v;
    }
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

const globalRandom = new Random((Math.random() * 2 ** 32) >>> 0);

/** Seed every random draw keelnet makes (initializers, shuffling, dropout). */
export function setSeed(seed: number): void {
  if (!Number.isInteger(seed)) throw new Error(`setSeed: expected an integer seed, got ${seed}`);
  globalRandom.seed(seed);
}

/** The global stream. */
export function random(): Random {
  return globalRandom;
}
