import { madd } from '../simd';

// GEMM: C (M, N) = alpha·op(A)·op(B) + beta·C, row-major, op ∈ {N, T}, with an optional
// epilogue (gemmBias): + bias broadcast over rows, then ReLU — applied to each tile as its last
// K block is stored, so a Dense or Conv2D layer's output is written once instead of three times.
//
// A packed, BLIS-style GEMM (Goto's loop nest). From the outside in:
//   jc: N in blocks of nc ≤ NC     — pack op(B)[pc.., jc..] (kc × nc) into micro-panels of NR columns
//   pc: K in blocks of kc ≤ KC
//   ic: M in blocks of mc ≤ MC     — pack op(A)[ic.., pc..] (mc × kc) into micro-panels of MR rows
//   jr, ir: one MR × NR tile of C  — the micro-kernel: kc rank-1 updates held in registers
// Packing reads op(A) and op(B) through their strides, so a transpose is never materialized and
// the micro-kernel only ever sees two contiguous streams. Panels are zero-padded to MR / NR, so
// the micro-kernel always computes a full tile; edge tiles go through a small buffer and only
// their valid part is written to C.
//
// Block sizes, measured on Zen 5 (48 KiB L1, 1 MiB L2): KC = 128 keeps a B micro-panel in L1;
// NC = 512 packs each element of op(A) N/512 times instead of N/128, which was 2–4% faster on the
// squares and the MLP's forward product (N = 500: A packed once) in both builds; KC = 256 gained
// nothing. Each element of op(B) is packed once whatever the sizes.

/**
 * Tile rows. SIMD128 build, 4×8: 8 accumulators + 2 B vectors + 4 A broadcasts + 1 product fill
 * the 15 xmm registers V8 allocates (xmm15 is its scratch) — V8 issues all of an iteration's
 * loads before its arithmetic, so every loaded value is live at once. It keeps the k loop free
 * of spills (checked with --print-wasm-code). The relaxed build's `madd` is one instruction with
 * no product register, which leaves room for 5×8: 10 accumulators + 2 B + rows 0–3 of A as one
 * vector + row 4 broadcast, rows 0–3 broadcast from their lanes one at a time as they are used.
 * Measured in L1 (scratch tiles, relaxed peak ~61 GFLOP/s): 4×8 ran at 54–56 GFLOP/s, 5×8 at
 * 58–59; 6×8 with six broadcasts needs 20 registers and spills (25 GFLOP/s).
 */
const MR = ASC_FEATURE_RELAXED_SIMD ? 5 : 4;
/** Tile columns (two f32x4). */
const NR = 8;
/** Depth of a block: the B micro-panel (KC × NR × 4 B = 4 KiB) stays in L1 across the ir loop. */
const KC = 128;
/** Rows of a packed A block (MC × KC × 4 B = 32–40 KiB; a multiple of MR): stays in L1/L2 across the jr loop. */
const MC = MR == 5 ? 80 : 64;
/** Columns of a packed B block (KC × NC × 4 B = 256 KiB): stays in L2 across the ic loop. */
const NC = 512;

/**
 * Below this many rows (and B not transposed) C is computed from B unpacked (gemmFewRows).
 * Measured at K = 784, N = 500 (a Dense layer on one sample): 28, 54, 80 µs for M = 1, 2, 3
 * unpacked against 190–290 µs packed at M = 4 — packing B costs more than such a product.
 */
export const FEW_ROWS = 8;

/**
 * Packing-scratch slots: one per thread that may run a gemm at the same time. Static data has
 * the same address in every instance on a shared memory, so each thread must use its own slot;
 * the single-thread builds have one (slot 0).
 */
const SLOTS = ASC_FEATURE_THREADS ? 16 : 1;
const PACKED_A_BYTES = MC * KC * 4;
const PACKED_B_BYTES = KC * NC * 4;
/**
 * Floats of op(A), rows rounded up to MR, that a threads build's slot can hold packed whole
 * (`whole` in gemmStrided): a pool cuts C into narrow column chunks, and a thread that packs
 * op(A) once for all the chunks it takes pays for narrow chunks only in B, which each chunk
 * packs its own part of anyway. 128 Ki floats (512 KiB) hold the MNIST MLP's products up to a
 * batch of 163 (op(A) = 163 × 784 or 784 × 163). The single-thread builds have no pool.
 */
const WHOLE_A_FLOATS = ASC_FEATURE_THREADS ? 131072 : 0;
/** packedA, packedB, edgeTile, wholeA: ~300 KiB (threads builds ~800 KiB), a multiple of 64 so slots share no cache line. */
const SLOT_BYTES = (PACKED_A_BYTES + PACKED_B_BYTES + MR * NR * 4 + WHOLE_A_FLOATS * 4 + 63) & ~63;

/**
 * Floats of the second half's sum of a product split in depth halves (gemm-halves.ts): one
 * region per memory, whatever the threads, since one thread (or one group of them) sums that half.
 * 64 Ki floats: the MNIST MLP's forward product up to a batch of 131.
 */
export const HALVES_FLOATS = 65536;

/**
 * Packing scratch and the halves' region (the core has no allocator). Single-thread builds:
 * static zeros that take no bytes in the file. The threads builds: the halves' region, then the
 * slots, just above static data, below heapBase() (index.ts), where the JS allocator starts; as a
 * data segment on a shared memory they would be stored whole, zeros in the file. Every instance
 * on a memory agrees on the addresses.
 */
export const halvesScratch: usize = ASC_FEATURE_THREADS ? (__heap_base + 63) & ~63 : memory.data(HALVES_FLOATS * 4, 64);
const scratch: usize = ASC_FEATURE_THREADS ? halvesScratch + HALVES_FLOATS * 4 : memory.data(SLOT_BYTES, 64);

/**
 * The first byte above the packing scratch of `threads` threads (index.ts: heapBase): the
 * threads builds reserve the halves' region and only the slots a pool uses (1 ≤ threads ≤ 16),
 * ~800 KiB each.
 * Not a kernel: index.ts does not export it.
 */
export function scratchEnd(threads: i32): usize {
  if (!ASC_FEATURE_THREADS) return __heap_base;
  return scratch + SLOT_BYTES * <usize>max(1, min(threads, SLOTS));
}

/** How many floats of op(A) (rows rounded up to the tile rows) a slot can hold packed whole: 0 without threads. */
export function wholeACapacity(): i32 {
  return WHOLE_A_FLOATS;
}

/** Tile rows of this build (MR): what op(A)'s rows are rounded up to when packed. */
export function gemmTileRows(): i32 {
  return MR;
}

/**
 * gemm on sub-matrix views: row r of the stored A starts lda elements after row r − 1 (likewise
 * ldb, ldc), so C, A and B may be blocks of larger matrices — which is how a product is split
 * into disjoint tiles of C. A is stored (M, K) or, transA, (K, M), with rows lda ≥ its width;
 * B (K, N) or, transB, (N, K), rows ldb; C (M, N), rows ldc ≥ N. The epilogue as in gemmBias:
 * C = relu?(alpha·op(A)·op(B) + beta·C + bias), bias (N) or 0 for none.
 * `slot` (0 ≤ slot < SLOTS) picks the packing scratch; concurrent calls need distinct slots.
 * `whole` is for a pool's column chunks of one product, which all share op(A): 1 packs op(A)
 * whole into the slot before computing, 2 uses what an earlier chunk on this slot packed so (the
 * caller vouches that A, M, K, lda and transA are unchanged since); 0, or an op(A) larger than
 * wholeACapacity(), packs it block by block. The sums are the same in every case, bitwise.
 */
export function gemmStrided(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32,
  lda: i32, ldb: i32, ldc: i32, transA: i32, transB: i32, alpha: f32, beta: f32,
  bias: usize, relu: i32, slot: i32, whole: i32): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) { scaleC(C, M, N, ldc, beta, bias, relu); return; }
  // Strides (in elements) of op(A)[i, k] and op(B)[k, j] in the stored matrices.
  const ai = transA ? 1 : lda, ak = transA ? lda : 1;
  const bk = transB ? 1 : ldb, bj = transB ? ldb : 1;
  if (M < FEW_ROWS && !transB) { gemmFewRows(C, A, B, M, N, K, ai, ak, ldb, ldc, alpha, beta, bias, relu); return; }
  const packedA = scratch + <usize>slot * SLOT_BYTES;
  const packedB = packedA + PACKED_A_BYTES;
  const edgeTile = packedB + PACKED_B_BYTES;
  const wholeA = edgeTile + MR * NR * 4;
  const rowC = <usize>ldc << 2;
  // Equal-sized blocks: K = 784 becomes 7 × 112 rather than 6 × 128 + 16, and M = 100 two blocks
  // of 52 and 48, so no block is a sliver that pays the packing and edge costs for little work.
  const kb = blockSize(K, KC, 1), mb = blockSize(M, MC, MR), nb = blockSize(N, NC, NR);
  // op(A) packed whole: block (pc, ic) at wholeA + pc·mp + ic·kc floats, mp = M rounded up to MR
  // (every block before it in k holds mp rows, every one before it in i of this k, kc).
  const mp = (M + MR - 1) / MR * MR;
  if (<i64>mp * <i64>K > <i64>WHOLE_A_FLOATS) whole = 0;
  if (whole == 1) {
    for (let pc = 0; pc < K; pc += kb) {
      const kc = min(kb, K - pc);
      for (let ic = 0; ic < M; ic += mb) {
        pack(wholeA + ((<usize>pc * mp + <usize>ic * kc) << 2), A + ((<usize>ic * ai + <usize>pc * ak) << 2), min(mb, M - ic), kc, ai, ak, MR);
      }
    }
  }
  for (let jc = 0; jc < N; jc += nb) {
    const nc = min(nb, N - jc);
    for (let pc = 0; pc < K; pc += kb) {
      const kc = min(kb, K - pc);
      // Only the first K block applies the caller's beta; later ones accumulate onto it, and
      // the last one adds the epilogue.
      const bt: f32 = pc == 0 ? beta : 1;
      const last = pc + kc >= K;
      const rl = last ? relu : 0;
      pack(packedB, B + ((<usize>pc * bk + <usize>jc * bj) << 2), nc, kc, bj, bk, NR);
      for (let ic = 0; ic < M; ic += mb) {
        const mc = min(mb, M - ic);
        let blockA = packedA;
        if (whole) blockA = wholeA + ((<usize>pc * mp + <usize>ic * kc) << 2);
        else pack(packedA, A + ((<usize>ic * ai + <usize>pc * ak) << 2), mc, kc, ai, ak, MR);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const b = packedB + (<usize>jr * <usize>kc << 2);
          const bs = last && bias ? bias + (<usize>(jc + jr) << 2) : 0;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const a = blockA + (<usize>ir * <usize>kc << 2);
            const c = C + ((<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) << 2);
            if (mr == MR && nr == NR) {
              tile(c, rowC, a, b, kc, alpha, bt, bs, rl);
            } else {
              tile(edgeTile, NR << 2, a, b, kc, 1, 0, 0, 0);
              storeEdge(c, rowC, edgeTile, mr, nr, alpha, bt, bs, rl);
            }
          }
        }
      }
    }
  }
}

/**
 * C = alpha·op(A)·B + beta·C for M < FEW_ROWS rows (predict on one sample, a small batch), B not
 * transposed: packing all of B (a whole weight matrix) would move three times the bytes the
 * product reads, and at M = 1 the product is memory-bound anyway (784 × 500 weights: 1.5 MiB
 * for 0.8 MFLOP). B is walked in strips of 16 columns (one cache line wide, K lines deep: 49 KiB
 * at K = 784), every row of C taking its turn on a strip while it is in L1/L2.
 */
function gemmFewRows(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32, ai: i32, ak: i32,
  ldb: i32, ldc: i32, alpha: f32, beta: f32, bias: usize, relu: i32): void {
  const rowB = <usize>ldb << 2, kA = <usize>ak << 2;
  const n16 = N & ~15, n4 = N & ~3;
  const va = f32x4.splat(alpha);
  let j = 0;
  for (; j < n16; j += 16) {
    for (let i = 0; i < M; i++) {
      let x0 = f32x4.splat(0), x1 = x0, x2 = x0, x3 = x0;
      let b = B + (<usize>j << 2), p = A + (<usize>(i * ai) << 2);
      for (let k = 0; k < K; k++) {
        const s = v128.load32_splat(p);
        x0 = madd(s, v128.load(b), x0); x1 = madd(s, v128.load(b, 16), x1);
        x2 = madd(s, v128.load(b, 32), x2); x3 = madd(s, v128.load(b, 48), x3);
        b += rowB;
        p += kA;
      }
      const cj = C + ((<usize>i * <usize>ldc + <usize>j) << 2);
      const bj = bias ? bias + (<usize>j << 2) : 0;
      storeRow(cj, x0, x1, va, beta, bj, relu);
      storeRow(cj + 32, x2, x3, va, beta, bj ? bj + 32 : 0, relu);
    }
  }
  for (; j < n4; j += 4) {
    for (let i = 0; i < M; i++) {
      let x = f32x4.splat(0);
      let b = B + (<usize>j << 2), p = A + (<usize>(i * ai) << 2);
      for (let k = 0; k < K; k++) {
        x = madd(v128.load32_splat(p), v128.load(b), x);
        b += rowB;
        p += kA;
      }
      const cj = C + ((<usize>i * <usize>ldc + <usize>j) << 2);
      let v = beta == 0 ? f32x4.mul(va, x) : f32x4.add(f32x4.mul(va, x), f32x4.mul(f32x4.splat(beta), v128.load(cj)));
      if (bias) v = f32x4.add(v, v128.load(bias + (<usize>j << 2)));
      if (relu) v = f32x4.max(v, f32x4.splat(0));
      v128.store(cj, v);
    }
  }
  for (; j < N; j++) {
    for (let i = 0; i < M; i++) {
      let x: f32 = 0;
      let b = B + (<usize>j << 2), p = A + (<usize>(i * ai) << 2);
      for (let k = 0; k < K; k++) {
        x += load<f32>(p) * load<f32>(b);
        b += rowB;
        p += kA;
      }
      const cj = C + ((<usize>i * <usize>ldc + <usize>j) << 2);
      store<f32>(cj, epilogue(beta == 0 ? alpha * x : alpha * x + beta * load<f32>(cj), bias, j, relu));
    }
  }
}

/** The largest block ≤ max (a multiple of `unit`) that splits n into equal blocks. */
// @ts-ignore: decorator
@inline function blockSize(n: i32, max: i32, unit: i32): i32 {
  const blocks = (n + max - 1) / max;
  const size = (n + blocks - 1) / blocks;
  return (size + unit - 1) / unit * unit;
}

/**
 * The micro-kernel: c (MR × NR, row stride ldc bytes) = alpha·(a·b) + beta·c, where a is a packed
 * A micro-panel (kc × MR) and b a packed B micro-panel (kc × NR). beta = 0 never reads c.
 * The k loop is deliberately not unrolled: V8 issues all of an iteration's loads before its
 * arithmetic, and unrolling by 2 would need 20 xmm registers (REFERENCE.md: it spills).
 */
function tile(c: usize, ldc: usize, a: usize, b: usize, kc: i32, alpha: f32, beta: f32, bias: usize, relu: i32): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00;
  let c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00;
  // Loop on the B pointer alone: one counter fewer in an iteration V8 already pads with a
  // stack-guard check and zero-extensions.
  const end = b + (<usize>kc * NR << 2);
  while (b < end) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    if (MR == 5) {
      const a03 = v128.load(a);
      let x = v128.load32_splat(a, 16);
      c40 = madd(x, b0, c40); c41 = madd(x, b1, c41);
      x = i32x4.shuffle(a03, a03, 0, 0, 0, 0);
      c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
      x = i32x4.shuffle(a03, a03, 1, 1, 1, 1);
      c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
      x = i32x4.shuffle(a03, a03, 2, 2, 2, 2);
      c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
      x = i32x4.shuffle(a03, a03, 3, 3, 3, 3);
      c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    } else {
      let x = v128.load32_splat(a);
      c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
      x = v128.load32_splat(a, 4);
      c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
      x = v128.load32_splat(a, 8);
      c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
      x = v128.load32_splat(a, 12);
      c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    }
    a += MR << 2;
    b += NR << 2;
  }
  const va = f32x4.splat(alpha);
  storeRow(c, c00, c01, va, beta, bias, relu);
  storeRow(c + ldc, c10, c11, va, beta, bias, relu);
  storeRow(c + 2 * ldc, c20, c21, va, beta, bias, relu);
  storeRow(c + 3 * ldc, c30, c31, va, beta, bias, relu);
  if (MR == 5) storeRow(c + 4 * ldc, c40, c41, va, beta, bias, relu);
}

/**
 * One row of a tile: c[0..8] = relu?(alpha·(x0, x1) + beta·c[0..8] + bias[0..8]); beta = 0
 * does not read c, bias = 0 adds nothing (not even +0, which would turn −0 into +0).
 */
// @ts-ignore: decorator
@inline function storeRow(c: usize, x0: v128, x1: v128, va: v128, beta: f32, bias: usize, relu: i32): void {
  let y0: v128, y1: v128;
  if (beta == 0) {
    y0 = f32x4.mul(va, x0);
    y1 = f32x4.mul(va, x1);
  } else {
    const vb = f32x4.splat(beta);
    y0 = f32x4.add(f32x4.mul(va, x0), f32x4.mul(vb, v128.load(c)));
    y1 = f32x4.add(f32x4.mul(va, x1), f32x4.mul(vb, v128.load(c, 16)));
  }
  if (bias) {
    y0 = f32x4.add(y0, v128.load(bias));
    y1 = f32x4.add(y1, v128.load(bias, 16));
  }
  if (relu) {
    // f32x4.max propagates NaN, as the relu activation kernel does.
    const zero = f32x4.splat(0);
    y0 = f32x4.max(y0, zero);
    y1 = f32x4.max(y1, zero);
  }
  v128.store(c, y0);
  v128.store(c, y1, 16);
}

/** The epilogue on one value of column j: + bias[j] (bias ≠ 0), then max(·, 0) (relu = 1). */
// @ts-ignore: decorator
@inline function epilogue(x: f32, bias: usize, j: i32, relu: i32): f32 {
  if (bias) x += load<f32>(bias + (<usize>j << 2));
  return relu ? Mathf.max(x, 0) : x;
}

/** Copy the valid mr × nr corner of edgeTile into C (rowC bytes a row), same formula as storeRow. */
function storeEdge(c: usize, rowC: usize, edgeTile: usize, mr: i32, nr: i32, alpha: f32, beta: f32,
  bias: usize, relu: i32): void {
  for (let i = 0; i < mr; i++) {
    const t = edgeTile + (<usize>(i * NR) << 2);
    const ci = c + <usize>i * rowC;
    for (let j = 0; j < nr; j++) {
      const p = ci + (<usize>j << 2);
      const x = alpha * load<f32>(t + (<usize>j << 2));
      store<f32>(p, epilogue(beta == 0 ? x : x + beta * load<f32>(p), bias, j, relu));
    }
  }
}

/** C (M, N, rows ldc) = relu?(beta·C + bias) (K = 0: the product is empty); beta = 0 writes zeros unread. */
function scaleC(C: usize, M: i32, N: i32, ldc: i32, beta: f32, bias: usize, relu: i32): void {
  for (let i = 0; i < M; i++) {
    const ci = C + (<usize>i * <usize>ldc << 2);
    for (let j = 0; j < N; j++) {
      const p = ci + (<usize>j << 2);
      store<f32>(p, epilogue(beta == 0 ? 0 : beta * load<f32>(p), bias, j, relu));
    }
  }
}

/**
 * Pack `rows` × kc elements of a matrix, element (r, k) at src + (r·sr + k·sk)·4, into panels of
 * R rows: panel p holds, for k = 0..kc-1, the R values (p·R + 0..R-1, k). A short last panel is
 * zero-padded (its extra rows only feed tile entries that are never written to C).
 * Used for op(A) (rows = i, R = MR) and op(B) (rows = j, R = NR); one of sr, sk is always 1.
 */
function pack(dst: usize, src: usize, rows: i32, kc: i32, sr: i32, sk: i32, R: i32): void {
  const full = rows / R * R;
  const rowBytes = <usize>sr << 2, kBytes = <usize>sk << 2, panelBytes = <usize>(R * kc) << 2;
  if (R == 5) {
    if (sr == 1) packRows5(dst, src, full, kc, kBytes, panelBytes);
    else packK5(dst, src, full, kc, rowBytes, panelBytes);
  } else if (sr == 1) {
    // Panel rows are contiguous (op(A) = Aᵀ, op(B) = B): each k is R/4 vector copies per panel.
    // Go down k 16 floats wide (one cache line, 16/R panels) so each source line is used whole
    // the one time it is fetched. One panel at a time would stride down k by a source row, and
    // at N = 1024 (4 KiB) those rows share one L1 set: each line came in 16/R times.
    const P = panelBytes;
    // Vector v of the 16 lands in panel v/R at lane v%R: offsets of v = 4, 8, 12 from v = 0.
    const o1 = 4 % R == 0 ? P : 16, o2 = <usize>(8 / R) * P, o3 = o2 + o1;
    for (let c0 = 0; c0 < full; c0 += 16) {
      const cn = full - c0;
      let d = dst + <usize>(c0 / R) * P, s = src + (<usize>c0 << 2);
      for (let k = 0; k < kc; k++) {
        v128.store(d, v128.load(s));
        if (cn > 4) v128.store(d + o1, v128.load(s, 16));
        if (cn > 8) v128.store(d + o2, v128.load(s, 32));
        if (cn > 12) v128.store(d + o3, v128.load(s, 48));
        d += <usize>R << 2;
        s += kBytes;
      }
    }
  } else {
    // k is contiguous (op(A) = A, op(B) = Bᵀ): move 4 rows × 4 k at a time with a 4×4 transpose.
    const k4 = kc & ~3, step = <usize>R << 2;
    for (let p = 0; p < full; p += 4) {
      const s = src + <usize>p * rowBytes;
      const d = dst + <usize>(p / R) * panelBytes + (<usize>(p % R) << 2);
      for (let k = 0; k < k4; k += 4) {
        const o = <usize>k << 2;
        transpose4(d + <usize>k * step, step, v128.load(s + o), v128.load(s + rowBytes + o),
          v128.load(s + 2 * rowBytes + o), v128.load(s + 3 * rowBytes + o));
      }
      packTail(d, s, 4, k4, kc, rowBytes, step);
    }
  }
  if (full < rows) {
    packEdge(dst + <usize>(full / R) * panelBytes, src + <usize>full * rowBytes, rows - full, kc, rowBytes, kBytes, R);
  }
}

/**
 * `pack` into panels of 5 (the relaxed build's A), rows contiguous: each k of a panel is one
 * vector and one float. Goes down k 8 panels (40 floats, 2.5 cache lines) wide, for the reason
 * the R = 4/8 path goes 16 floats wide.
 */
function packRows5(dst: usize, src: usize, full: i32, kc: i32, kBytes: usize, P: usize): void {
  for (let c0 = 0; c0 < full; c0 += 40) {
    const g = <usize>min(40, full - c0) / 5;
    let d = dst + <usize>(c0 / 5) * P, s = src + (<usize>c0 << 2);
    for (let k = 0; k < kc; k++) {
      for (let q: usize = 0; q < g; q++) {
        const dq = d + q * P, sq = s + q * 20;
        v128.store(dq, v128.load(sq));
        store<f32>(dq, load<f32>(sq, 16), 16);
      }
      d += 20;
      s += kBytes;
    }
  }
}

/** `pack` into panels of 5, k contiguous: 5 rows × 4 k at a time, rows 0–3 with a 4×4 transpose. */
function packK5(dst: usize, src: usize, full: i32, kc: i32, rowBytes: usize, panelBytes: usize): void {
  const k4 = kc & ~3, step: usize = 20;
  for (let p = 0; p < full; p += 5) {
    const s = src + <usize>p * rowBytes;
    const d = dst + <usize>(p / 5) * panelBytes;
    for (let k = 0; k < k4; k += 4) {
      const o = <usize>k << 2, q = d + <usize>k * step;
      transpose4(q, step, v128.load(s + o), v128.load(s + rowBytes + o),
        v128.load(s + 2 * rowBytes + o), v128.load(s + 3 * rowBytes + o));
      const r4 = v128.load(s + 4 * rowBytes + o);
      v128.store32_lane(q, r4, 0, 16);
      v128.store32_lane(q + step, r4, 1, 16);
      v128.store32_lane(q + 2 * step, r4, 2, 16);
      v128.store32_lane(q + 3 * step, r4, 3, 16);
    }
    packTail(d, s, 5, k4, kc, rowBytes, step);
  }
}

/** Rows r0..r3 (4 k each) to four panel rows (k, k + 1, …; `step` bytes apart), 4 lanes each. */
// @ts-ignore: decorator
@inline function transpose4(q: usize, step: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(q, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(q + step, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(q + 2 * step, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(q + 3 * step, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

/** The k ≥ k4 rest of a k-contiguous pack, one float at a time: n rows from s to panel d. */
function packTail(d: usize, s: usize, n: i32, k4: i32, kc: i32, rowBytes: usize, step: usize): void {
  for (let k = k4; k < kc; k++) {
    for (let r = 0; r < n; r++) {
      store<f32>(d + <usize>k * step + (<usize>r << 2), load<f32>(s + <usize>r * rowBytes + (<usize>k << 2)));
    }
  }
}

/** The plain version of `pack` for the last, short panel (n < R rows): zero-pads to R. */
function packEdge(dst: usize, src: usize, n: i32, kc: i32, rowBytes: usize, kBytes: usize, R: i32): void {
  for (let k = 0; k < kc; k++) {
    for (let r = 0; r < R; r++) {
      const x: f32 = r < n ? load<f32>(src + <usize>r * rowBytes + <usize>k * kBytes) : 0;
      store<f32>(dst + (<usize>(k * R + r) << 2), x);
    }
  }
}
