/**
 * The kernel interface shared by the wasm core and the pure-TypeScript reference core.
 *
 * Every pointer is a byte offset into the backend's linear memory, every size counts elements.
 * Argument order everywhere: outputs, then inputs, then sizes, then scalars — the same names and
 * order as the AssemblyScript exports in `assembly/kernels/`. Matrices are dense and row-major.
 * Kernels trust their inputs: validation happens at the API boundary, never here.
 */
export type BackendName = 'wasm' | 'js';

/** Activation ids shared with `assembly/kernels/activations.ts` (keep the numbers in sync). */
export const Act = {
  linear: 0,
  relu: 1,
  relu6: 2,
  leakyRelu: 3,
  elu: 4,
  selu: 5,
  sigmoid: 6,
  hardSigmoid: 7,
  tanh: 8,
  softplus: 9,
  softsign: 10,
  swish: 11,
  gelu: 12,
} as const;
export type Act = (typeof Act)[keyof typeof Act];

export interface Kernels {
  // ---- memory helpers ---------------------------------------------------------------------
  /** X[i] = value for i < n. */
  fill(X: number, value: number, n: number): void;
  /** Y[i] = X[i] (non-overlapping). */
  copy(Y: number, X: number, n: number): void;
  /** Y[i] += X[i]. */
  addInto(Y: number, X: number, n: number): void;
  /** X[i] *= s. */
  scale(X: number, s: number, n: number): void;
  /** Y[i] += a·X[i]. */
  axpy(Y: number, X: number, n: number, a: number): void;

  // ---- GEMM (assembly/kernels/gemm.ts) ----------------------------------------------------
  /**
   * C = alpha·op(A)·op(B) + beta·C, C (M, N).
   * op(A) is (M, K): A is stored (M, K) when transA = 0 and (K, M) when transA = 1.
   * op(B) is (K, N): B is stored (K, N) when transB = 0 and (N, K) when transB = 1.
   * beta = 0 overwrites C without reading it (C may hold NaN garbage).
   */
  gemm(C: number, A: number, B: number, M: number, N: number, K: number,
    transA: number, transB: number, alpha: number, beta: number): void;
  /**
   * C = op(A)·op(B) + bias, then max(·, 0) when relu = 1: a Dense or Conv2D forward pass in one
   * kernel. bias (N) is added to every row of C; 0 means no bias. Bitwise equal to gemm, then
   * biasAdd, then activationForward(relu), on each core. (The thread pool's own GEMM kernels are
   * not part of this contract: backend/threads/pool-kernels.ts.)
   */
  gemmBias(C: number, A: number, B: number, M: number, N: number, K: number,
    transA: number, transB: number, bias: number, relu: number): void;
  // ---- bias (assembly/kernels/bias.ts) -----------------------------------------------------
  /** Y (rows, cols) += b (cols) broadcast over rows. */
  biasAdd(Y: number, b: number, rows: number, cols: number): void;
  /** dB (cols) += column sums of dY (rows, cols). */
  biasGrad(dB: number, dY: number, rows: number, cols: number): void;

  // ---- activations (assembly/kernels/activations.ts) ---------------------------------------
  /** Y = f(Z) elementwise; Y may alias Z. `alpha` is leakyRelu's slope and elu's alpha. */
  activationForward(Y: number, Z: number, n: number, act: Act, alpha: number): void;
  /** dZ = dY · f'(Z), given Z and Y = f(Z); overwrites dZ, which may alias dY. */
  activationBackward(dZ: number, dY: number, Z: number, Y: number, n: number, act: Act, alpha: number): void;
  /** Y = softmax(Z) over each row of (rows, cols); stable (max subtracted). Y may alias Z. */
  softmaxForward(Y: number, Z: number, rows: number, cols: number): void;
  /** dZ = Y ⊙ (dY − rowsum(dY ⊙ Y)); overwrites dZ, which may alias dY. */
  softmaxBackward(dZ: number, dY: number, Y: number, rows: number, cols: number): void;
  /**
   * The ReLU layer (Keras 3 ReLU; TF.js ThresholdedReLU with maxValue ∞, slope 0):
   * Y = X > threshold ? min(X, maxValue) : negativeSlope·(X − threshold); maxValue may be Infinity.
   */
  reluForward(Y: number, X: number, n: number, maxValue: number, negativeSlope: number, threshold: number): void;
  /** dX += dY·f'(X), f'(x) = x > threshold ? (x < maxValue ? 1 : 0) : negativeSlope. */
  reluBackward(dX: number, dY: number, X: number, n: number, maxValue: number, negativeSlope: number, threshold: number): void;

  // ---- losses (assembly/kernels/losses.ts) -------------------------------------------------
  // Each returns the loss summed over the `rows` samples (the caller divides by the batch size,
  // Keras's "sum_over_batch_size") and overwrites dP with d(mean loss)/dP, i.e. already ÷ rows.
  // Per-sample losses reduce the last axis by a mean, as Keras does.
  /** labels: int32 (rows). fromLogits = 1: P holds logits; the softmax is fused (log-sum-exp). */
  sparseCategoricalCrossentropy(dP: number, P: number, labels: number, rows: number, cols: number, fromLogits: number): number;
  /** T: one-hot / probability targets (rows, cols). */
  categoricalCrossentropy(dP: number, P: number, T: number, rows: number, cols: number, fromLogits: number): number;
  binaryCrossentropy(dP: number, P: number, T: number, rows: number, cols: number, fromLogits: number): number;
  meanSquaredError(dP: number, P: number, T: number, rows: number, cols: number): number;
  meanAbsoluteError(dP: number, P: number, T: number, rows: number, cols: number): number;
  huber(dP: number, P: number, T: number, rows: number, cols: number, delta: number): number;
  // Keras 3's other losses, T (rows, cols) targets. Elementwise ones average the last axis;
  // kullbackLeiblerDivergence, categoricalHinge and cosineSimilarity reduce it by a sum or max.
  /** mean(max(1 − t·p, 0)); {0, 1} labels become {−1, 1} when all labels in T are 0 or 1 (Keras). */
  hinge(dP: number, P: number, T: number, rows: number, cols: number): number;
  /** mean(max(1 − t·p, 0)²), labels as hinge. */
  squaredHinge(dP: number, P: number, T: number, rows: number, cols: number): number;
  /** max(max((1 − t)·p) − Σ t·p + 1, 0) per row. */
  categoricalHinge(dP: number, P: number, T: number, rows: number, cols: number): number;
  /** mean(log cosh(p − t)), stable for large |p − t|. */
  logcosh(dP: number, P: number, T: number, rows: number, cols: number): number;
  /** mean(p − t·log(p + ε)). */
  poisson(dP: number, P: number, T: number, rows: number, cols: number): number;
  /** Σ t·log(t/p) per row, t and p clipped to [ε, 1]. */
  kullbackLeiblerDivergence(dP: number, P: number, T: number, rows: number, cols: number): number;
  /** −cos(t, p) per row (Keras 3's sign: −1 is best), norms floored at ε. */
  cosineSimilarity(dP: number, P: number, T: number, rows: number, cols: number): number;
  /** 100·mean(|t − p| / max(|t|, ε)). */
  meanAbsolutePercentageError(dP: number, P: number, T: number, rows: number, cols: number): number;
  /** mean((log(max(p, ε) + 1) − log(max(t, ε) + 1))²). */
  meanSquaredLogarithmicError(dP: number, P: number, T: number, rows: number, cols: number): number;

  // ---- metrics (assembly/kernels/metrics.ts): counts, the caller divides -------------------
  /** Number of rows whose argmax equals the int32 label. */
  sparseCategoricalAccuracy(P: number, labels: number, rows: number, cols: number): number;
  /** Number of rows whose argmax equals the argmax of T. */
  categoricalAccuracy(P: number, T: number, rows: number, cols: number): number;
  /** Mean over each row of (P > threshold) == (T > 0.5), summed over rows. */
  binaryAccuracy(P: number, T: number, rows: number, cols: number, threshold: number): number;
  /** Number of rows whose argmax of T ranks among the k largest of P (ties count for the label, as Keras's in_top_k). */
  topKCategoricalAccuracy(P: number, T: number, rows: number, cols: number, k: number): number;
  /** As topKCategoricalAccuracy with int32 labels (rows). */
  sparseTopKCategoricalAccuracy(P: number, labels: number, rows: number, cols: number, k: number): number;
  /** Σ over rows of the row's mean |P − T|. */
  meanAbsoluteErrorSum(P: number, T: number, rows: number, cols: number): number;
  /** Σ over rows of the row's mean (P − T)². */
  meanSquaredErrorSum(P: number, T: number, rows: number, cols: number): number;
  /** counts (4) = TP, FP, FN, TN of P > threshold against labels T ≠ 0, over n entries (overwritten). */
  confusionCounts(counts: number, P: number, T: number, n: number, threshold: number): void;
  /**
   * counts (2, buckets) = histograms of positives (T ≠ 0) then negatives over the buckets
   * max(ceil(clip(P, 0, 1)·(buckets − 1)) − 1, 0): Keras's AUC with evenly spaced thresholds (overwritten).
   */
  thresholdHistogram(counts: number, P: number, T: number, n: number, buckets: number): void;

  // ---- optimizers (assembly/kernels/optimizers.ts), over flat buffers of n floats -----------
  /** momentum = 0: W -= lr·G. Else V = momentum·V − lr·G; W += nesterov ? momentum·V − lr·G : V. */
  sgdUpdate(W: number, V: number, G: number, n: number, lr: number, momentum: number, nesterov: number): void;
  /**
   * M += (G − M)(1 − β1); V += (G² − V)(1 − β2); amsgrad: Vhat = max(Vhat, V), used in place of V;
   * W −= alpha·M / (√V + ε), with alpha = lr·√(1 − β2ᵗ)/(1 − β1ᵗ) computed by the caller (Keras 3).
   */
  adamUpdate(W: number, M: number, V: number, Vhat: number, G: number, n: number,
    alpha: number, beta1: number, beta2: number, epsilon: number, amsgrad: number): void;
  /**
   * V = ρV + (1−ρ)G²; centered: A = ρA + (1−ρ)G, D = V − A², else D = V;
   * inc = lr·G/√(D + ε); momentum > 0: Mo = momentum·Mo + inc, W −= Mo; else W −= inc (Keras 3).
   */
  rmspropUpdate(W: number, V: number, A: number, Mo: number, G: number, n: number,
    lr: number, rho: number, momentum: number, epsilon: number, centered: number): void;
  /** Acc += G²; W −= lr·G/√(Acc + ε) (Keras 3). */
  adagradUpdate(W: number, Acc: number, G: number, n: number, lr: number, epsilon: number): void;

  // ---- norms and clipping (assembly/kernels/norms.ts) ---------------------------------------
  /** Σ X[i]² accumulated in f64 (NaN/Inf propagate). */
  sumSquares(X: number, n: number): number;
  /** max |X[i]|; NaN if any element is NaN. */
  maxAbs(X: number, n: number): number;
  /** X[i] = min(max(X[i], −v), v). */
  clipByValue(X: number, n: number, v: number): void;

  // ---- penalties (assembly/kernels/regularizers.ts) -----------------------------------------
  /** Σ |X[i]| in f64. */
  sumAbs(X: number, n: number): number;
  /** G[i] += a·sign(W[i]), sign(0) = 0. */
  addScaledSign(G: number, W: number, n: number, a: number): void;

  // ---- diagnostics (assembly/kernels/stats.ts) ----------------------------------------------
  /** Σ X[i] in f64. */
  sum(X: number, n: number): number;
  /** Σ (A[i] − B[i])² in f64. */
  sumSquaredDiff(A: number, B: number, n: number): number;
  /** Count of X[i] < lo or X[i] > hi. */
  countOutside(X: number, n: number, lo: number, hi: number): number;
  /** Count of columns of Y (rows, cols) that are ≤ 0 in every row. */
  deadColumns(Y: number, rows: number, cols: number): number;
  /** Count of NaN or ±Infinity elements. */
  countNonFinite(X: number, n: number): number;

  // ---- PReLU (assembly/kernels/prelu.ts): X, Y, dX, dY (rows, cols); alpha, dAlpha (cols) ---
  /** Y[r, c] = X[r, c] > 0 ? X[r, c] : alpha[c]·X[r, c]; Y may alias X. */
  preluForward(Y: number, X: number, alpha: number, rows: number, cols: number): void;
  /**
   * dX[r, c] += X > 0 ? dY : alpha[c]·dY; dAlpha[c] += Σ_r (X > 0 ? 0 : dY·X).
   * Either output may be 0 (not needed), and is then skipped.
   */
  preluBackward(dX: number, dAlpha: number, dY: number, X: number, alpha: number, rows: number, cols: number): void;

  // ---- normalization (assembly/kernels/normalization.ts) ------------------------------------
  // X, Y, dX, dY (rows, cols): rows = samples × positions, cols = features (the last axis).
  // gamma, beta, movingMean, movingVar, dGamma, dBeta (cols). gamma = 0 means γ = 1 and beta = 0
  // means β = 0 (center/scale off); dX, dGamma, dBeta = 0 mean "not needed" and are skipped.
  // Variances are biased; backward recomputes the statistics from X.
  /**
   * Y = γ·(X − mean)/√(var + ε) + β per column. training = 1: batch mean and variance of the
   * column, and movingMean/movingVar updated in place, moving = moving·momentum + batch·(1 − momentum);
   * training = 0: the moving statistics, untouched.
   */
  batchNormForward(Y: number, movingMean: number, movingVar: number, X: number, gamma: number, beta: number,
    rows: number, cols: number, momentum: number, epsilon: number, training: number): void;
  /**
   * Accumulates, with x̂ = (X − mean)·inv, inv = 1/√(var + ε): dBeta += Σ_r dY; dGamma += Σ_r dY·x̂;
   * training = 1: dX += γ·inv·(dY − mean_r(dY) − x̂·mean_r(dY·x̂)); training = 0: dX += γ·inv·dY.
   */
  batchNormBackward(dX: number, dGamma: number, dBeta: number, dY: number, X: number, gamma: number,
    movingMean: number, movingVar: number, rows: number, cols: number, epsilon: number, training: number): void;
  /** Y = γ·(X − mean)/√(var + ε) + β with the mean and variance of each row. */
  layerNormForward(Y: number, X: number, gamma: number, beta: number, rows: number, cols: number, epsilon: number): void;
  /**
   * Accumulates, per row with g = γ·dY: dBeta += Σ_r dY; dGamma += Σ_r dY·x̂;
   * dX += inv·(g − mean_c(g) − x̂·mean_c(g·x̂)).
   */
  layerNormBackward(dX: number, dGamma: number, dBeta: number, dY: number, X: number, gamma: number,
    rows: number, cols: number, epsilon: number): void;

  // ---- dropout (assembly/kernels/dropout.ts): Y, Mask, X, dX, dY (n) ---------------------------
  /**
   * Mask[i] = hash(seed, i) ≥ threshold ? scale : 0 and Y[i] = X[i]·Mask[i], where hash is a
   * 32-bit counter-based hash shared by both cores (the same mask on wasm and js).
   * seed and threshold are uint32: threshold = ⌊rate·2³²⌋ drops a fraction rate; scale = 1/(1 − rate).
   */
  dropoutForward(Y: number, Mask: number, X: number, n: number, seed: number, threshold: number, scale: number): void;
  /** dX[i] += dY[i]·Mask[i]. */
  dropoutBackward(dX: number, dY: number, Mask: number, n: number): void;
  /** Mask[i] = hash(seed, i) ≥ threshold ? scale : 0: dropoutForward's mask alone (SpatialDropout: one per sample and channel). */
  dropoutMask(Mask: number, n: number, seed: number, threshold: number, scale: number): void;
  /**
   * Y (batch, positions, C)[b, p, c] = X[b, p, c]·Mask (batch, C)[b, c]; accumulate = 1: += (the
   * backward pass, X = dY, Y = dX). SpatialDropout1D/2D.
   */
  channelScale(Y: number, X: number, Mask: number, batch: number, positions: number, C: number, accumulate: number): void;
  /**
   * Y[i] = float32(mean + stddev·zᵢ), zᵢ ~ N(0, 1) by Box–Muller from hash(seed, 2i) and
   * hash(seed, 2i + 1), with ln, sin and cos as fixed float64 series (no libm), so both cores
   * draw the same bits. GaussianNoise (mean 0) and GaussianDropout (mean 1).
   */
  gaussianFill(Y: number, n: number, seed: number, mean: number, stddev: number): void;

  // ---- convolution (assembly/kernels/conv.ts), channels-last ----------------------------------
  // X, dX (batch, H, W, C); col, dcol (batch·OH·OW, KH·KW·C), columns in (ky, kx, c) order, the
  // rows of the Keras kernel [KH, KW, C, F]. Tap (ky, kx) of output (oy, ox) reads
  // iy = oy·SH − padTop + ky·DH, ix = ox·SW − padLeft + kx·DW; outside the image it is 0.
  /** col = the receptive fields of X (overwrites col). */
  im2col(col: number, X: number, batch: number, H: number, W: number, C: number, OH: number, OW: number,
    KH: number, KW: number, SH: number, SW: number, DH: number, DW: number, padTop: number, padLeft: number): void;
  /** dX += dcol scattered back to its taps (the adjoint of im2col). */
  col2im(dX: number, dcol: number, batch: number, H: number, W: number, C: number, OH: number, OW: number,
    KH: number, KW: number, SH: number, SW: number, DH: number, DW: number, padTop: number, padLeft: number): void;

  // ---- pooling (assembly/kernels/pooling.ts), channels-last -------------------------------------
  // X, dX (batch, H, W, C); Y, dY, Arg (batch, OH, OW, C); window (PH, PW) at (oy·SH − padTop,
  // ox·SW − padLeft); taps in the padding are ignored (TensorFlow's convention).
  /** Y = window max; Arg (int32) = element index within its image (of H·W·C) of the first max. */
  maxPoolForward(Y: number, Arg: number, X: number, batch: number, H: number, W: number, C: number, OH: number, OW: number,
    PH: number, PW: number, SH: number, SW: number, padTop: number, padLeft: number): void;
  /** dX[image b][Arg[i]] += dY[i] for the outputs i of image b; images of inSize (H·W·C) and outSize (OH·OW·C) elements. */
  maxPoolBackward(dX: number, dY: number, Arg: number, batch: number, inSize: number, outSize: number): void;
  /** Y = mean of the window's taps inside the image. */
  avgPoolForward(Y: number, X: number, batch: number, H: number, W: number, C: number, OH: number, OW: number,
    PH: number, PW: number, SH: number, SW: number, padTop: number, padLeft: number): void;
  /** dX += dY / (taps inside the image) over each window. */
  avgPoolBackward(dX: number, dY: number, batch: number, H: number, W: number, C: number, OH: number, OW: number,
    PH: number, PW: number, SH: number, SW: number, padTop: number, padLeft: number): void;

  // ---- recurrent (assembly/kernels/recurrent.ts) ------------------------------------------------
  // Per-step state is time-major, (time, batch, ·), so step t is one contiguous (batch, ·) block.
  // act/recAct: linear, relu, sigmoid, hardSigmoid, tanh or softsign (f' is a function of f's
  // output, so the forward pass keeps only activated values; the layers validate this).
  /** Y (time, batch, n)[t, b] = X (batch, time, n)[b, reverse ? time−1−t : t]. */
  seqToTimeMajor(Y: number, X: number, batch: number, time: number, n: number, reverse: number): void;
  /** Y (batch, time, n)[b, reverse ? time−1−t : t] = (or += when accumulate) X (time, batch, n)[t, b]. */
  seqFromTimeMajor(Y: number, X: number, batch: number, time: number, n: number, reverse: number, accumulate: number): void;
  /** Y (rows, cols)[r, c] *= M (cols)[c]. */
  broadcastMul(Y: number, M: number, rows: number, cols: number): void;
  /** SimpleRNN step: H = act(Z) over n = batch·units; H may alias Z. */
  rnnStepForward(H: number, Z: number, n: number, act: Act): void;
  /** dZ = dH·act'(z) from H = act(Z); overwrites dZ. */
  rnnStepBackward(dZ: number, dH: number, H: number, n: number, act: Act): void;
  /**
   * LSTM step, gates [i f c o] (Keras order). Z (batch, 4u) pre-activations in, G (batch, 4u) the
   * activated gates out (may alias Z); Cprev, C, H (batch, u): c = f·c_prev + i·g, h = o·act(c).
   */
  lstmStepForward(G: number, C: number, H: number, Z: number, Cprev: number, batch: number, units: number, act: Act, recAct: Act): void;
  /** Backward of one LSTM step: dZ (batch, 4u) overwritten; dC (batch, u) holds dL/dc_t in and dL/dc_{t−1} out. */
  lstmStepBackward(dZ: number, dC: number, G: number, C: number, Cprev: number, dH: number, batch: number, units: number, act: Act, recAct: Act): void;
  /**
   * GRU step (Keras 3, reset_after), gates [z r h]. Z (batch, 3u): x·W + b_in in, G = [z r hh]
   * out (may alias Z); RZ (batch, 3u) = h_prev·U; recBias (3u) or 0; RH (batch, u) = r_h + b_h
   * out; h = z·h_prev + (1 − z)·act(x_h + r·RH).
   */
  gruStepForward(G: number, RH: number, H: number, Z: number, RZ: number, Hprev: number, recBias: number,
    batch: number, units: number, act: Act, recAct: Act): void;
  /** Backward of one GRU step: dZ, dRZ (batch, 3u) overwritten; dHprev (batch, u) += dh·z. */
  gruStepBackward(dZ: number, dRZ: number, dHprev: number, G: number, RH: number, Hprev: number, dH: number,
    batch: number, units: number, act: Act, recAct: Act): void;
  /**
   * Y (n, dim)[i] = E (inputDim, dim)[ids[i]], ids stored as floats. Returns −1, or the position of
   * the first id that is not an integer in [0, inputDim).
   */
  embeddingForward(Y: number, E: number, ids: number, n: number, dim: number, inputDim: number): number;
  /** dE[ids[i]] += dY (n, dim)[i]. */
  embeddingBackward(dE: number, dY: number, ids: number, n: number, dim: number): void;

  // ---- merge layers (assembly/kernels/merge.ts) -------------------------------------------------
  // Add, Subtract and Average are the memory helpers (copy, addInto, axpy, scale); these are the rest.
  /** Y[i] *= X[i] (Multiply's forward, one input at a time). */
  mulInto(Y: number, X: number, n: number): void;
  /** Y[i] += A[i]·B[i] (the relaxed wasm build may fuse the multiply-add). */
  mulAdd(Y: number, A: number, B: number, n: number): void;
  /**
   * One input of Maximum (sign = +1) or Minimum (sign = −1); Arg is int32 (n), the winning input.
   * k = 0: Y = X, Arg = 0. k > 0: where sign·X[i] > sign·Y[i] (strictly: a tie stays with the
   * earlier input), Y[i] = X[i] and Arg[i] = k. NaN compares false: a NaN of input 0 stays in Y,
   * a NaN of a later input is never taken. The cores agree bitwise.
   */
  extremumStep(Y: number, Arg: number, X: number, n: number, k: number, sign: number): void;
  /** dX[i] += dY[i] where Arg[i] = k (unselected elements keep their bits). */
  extremumBackward(dX: number, dY: number, Arg: number, n: number, k: number): void;
  /** Y (rows, yStride)[r, yOffset + c] = X (rows, cols)[r, c]: one input of Concatenate. */
  copyColumns(Y: number, X: number, rows: number, cols: number, yStride: number, yOffset: number): void;
  /** dX (rows, cols)[r, c] += dY (rows, yStride)[r, yOffset + c]: Concatenate's backward for one input. */
  addColumnsFrom(dX: number, dY: number, rows: number, cols: number, yStride: number, yOffset: number): void;
  /**
   * gemm on each of `batch` dense blocks: C_b (M, N) = alpha·op(A_b)·op(B_b) + beta·C_b, with A_b
   * at A + 4·b·M·K bytes, B_b at B + 4·b·K·N, C_b at C + 4·b·M·N; op and storage as in gemm.
   * Runs on the calling thread (a thread pool does not split it).
   */
  gemmBatched(C: number, A: number, B: number, batch: number, M: number, N: number, K: number,
    transA: number, transB: number, alpha: number, beta: number): void;
  /**
   * X, Y (outer, len, inner) normalized along len; InvNorm (outer, inner). s = Σ_l X[o, l, i]²
   * (f32 in wasm, f64 in js); InvNorm = 1/√max(s, epsilon); Y = X·InvNorm (Keras l2_normalize:
   * epsilon 1e-12 by default; a zero vector gives Y = 0).
   */
  l2NormalizeForward(Y: number, InvNorm: number, X: number, outer: number, len: number, inner: number, epsilon: number): void;
  /**
   * dX += the gradient of l2NormalizeForward, given its Y and InvNorm, s recomputed from X:
   * s > epsilon: InvNorm·(dY − Y·Σ_l dY·Y); s ≤ epsilon (the norm clamped to a constant): InvNorm·dY.
   */
  l2NormalizeBackward(dX: number, dY: number, Y: number, InvNorm: number, X: number,
    outer: number, len: number, inner: number, epsilon: number): void;

  // ---- depthwise convolution (assembly/kernels/depthwise.ts) -------------------------------------
  // col (rows, taps·C): im2col's receptive fields, columns in (tap, c) order; K, dK (taps, C, M):
  // the Keras depthwise kernel [kh, kw, C, M]; Y, dY (rows, C·M), output channel c·M + m.
  /** Y[r, c·M + m] = Σ_t col[r, t·C + c]·K[t, c, m] (overwrites Y). */
  depthwiseForward(Y: number, col: number, K: number, rows: number, taps: number, C: number, M: number): void;
  /** dK[t, c, m] += Σ_r col[r, t·C + c]·dY[r, c·M + m]. */
  depthwiseKernelGrad(dK: number, col: number, dY: number, rows: number, taps: number, C: number, M: number): void;
  /** dcol[r, t·C + c] = Σ_m dY[r, c·M + m]·K[t, c, m] (overwrites dcol, which may be col itself once dK is done). */
  depthwiseInputGrad(dcol: number, dY: number, K: number, rows: number, taps: number, C: number, M: number): void;

  // ---- layout layers (assembly/kernels/layout.ts) ------------------------------------------------
  /**
   * Strided copy of a view of up to 4 axes (sizes d0..d3; pad with 1s), strides in elements:
   * for each (i0, i1, i2, i3) in row-major order, Y[Σ iₖ·ysₖ] = (accumulate = 1: +=) X[Σ iₖ·xsₖ].
   * Permute (both ways), RepeatVector (xs = 0 forward; ys = 0 with accumulate sums backward),
   * Cropping2D (an offset X), UpSampling2D (one call per offset in the block). Y and X must not overlap.
   */
  copyStrided(Y: number, X: number, d0: number, d1: number, d2: number, d3: number,
    ys0: number, ys1: number, ys2: number, ys3: number, xs0: number, xs1: number, xs2: number, xs3: number, accumulate: number): void;
}

/** A backend: kernels plus the linear memory they run over. */
export interface Backend extends Kernels {
  readonly name: BackendName;
  /** Reserve `bytes` (16-byte aligned) of linear memory; returns its byte offset. Grows memory when needed. */
  alloc(bytes: number): number;
  /** Return a block from `alloc`. */
  free(ptr: number): void;
  /** Total bytes of linear memory right now. */
  memoryBytes(): number;
  /** Copy `n` floats out of linear memory into a new Float32Array. */
  read(ptr: number, n: number): Float32Array;
  /** Copy floats into linear memory at ptr (values may be any numeric array-like). */
  write(ptr: number, values: ArrayLike<number>, offset?: number, n?: number): void;
  /** Copy int32 values into linear memory at ptr. */
  writeInt32(ptr: number, values: ArrayLike<number>, offset?: number, n?: number): void;
  /**
   * Gather rows into linear memory: destination row r (rowLen numbers from ptr + 4·r·rowLen) is
   * row order[start + r] of `values` (row start + r when order is null), for r < count; stored
   * as float32, or as int32 when `int32`. One call per batch (loadBatch).
   */
  writeRows(ptr: number, values: ArrayLike<number>, rowLen: number, order: Int32Array | null,
    start: number, count: number, int32: boolean): void;
  /** Read one float. */
  get(ptr: number): number;
}
