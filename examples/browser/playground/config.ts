/**
 * The gradient playground's configuration: what the controls set, the presets, the URL form, the
 * model and data a configuration means, and the keelnet script that reproduces it ("copy as code").
 * No DOM here: the page, its worker runs and the browser test all read this one file.
 *
 * Reproducibility: setSeed(seed) before the model is built fixes the initial weights; the data is
 * the first `samples` MNIST images, or the adding problem drawn from `addingData(seed)` below; fit
 * runs with shuffle: false, so the script's first epoch sees the same batches in the same order.
 */
import { Sequential, initializers, layers, optimizers, setSeed, type Layer, type Optimizer } from '../../../bindings/index.js';

export const ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'selu', 'gelu'] as const;
export const INITIALIZERS = ['glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'lecunUniform', 'lecunNormal'] as const;
export const CLIPPING = ['none', 'clipnorm', 'globalClipnorm', 'clipvalue'] as const;
export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;
export const CELLS = ['simpleRNN', 'lstm', 'gru'] as const;

export interface Config {
  task: 'mnist' | 'adding';
  /** Dense layers including the 10-way output (MNIST task). */
  depth: number;
  /** Units per hidden layer (and of the recurrent cell). */
  width: number;
  activation: (typeof ACTIVATIONS)[number];
  initializer: (typeof INITIALIZERS)[number];
  /** Multiplies the initializer's standard deviation (its variance by scale²). */
  initScale: number;
  batchNorm: boolean;
  residual: boolean;
  clipping: (typeof CLIPPING)[number];
  clipValue: number;
  optimizer: (typeof OPTIMIZERS)[number];
  learningRate: number;
  /** Adding problem: sequence length and cell. */
  T: number;
  cell: (typeof CELLS)[number];
  samples: number;
  batchSize: number;
  epochs: number;
  seed: number;
  /**
   * Gradient report every N batches. Each report costs the worker about half a batch of the
   * 20 × 64 presets (the statistics of every layer), so 16 keeps it near 3% of training time.
   */
  every: number;
}

export const defaults: Config = {
  task: 'mnist', depth: 8, width: 64, activation: 'relu', initializer: 'heNormal', initScale: 1,
  batchNorm: false, residual: false, clipping: 'none', clipValue: 1, optimizer: 'adam', learningRate: 0.001,
  T: 50, cell: 'lstm', samples: 2048, batchSize: 32, epochs: 3, seed: 1, every: 16,
};

export interface Preset { name: string; title: string; watch: string; a: Partial<Config>; b?: Partial<Config> }

const deepSigmoid: Partial<Config> = { depth: 20, width: 64, activation: 'sigmoid', initializer: 'glorotUniform', optimizer: 'adam', learningRate: 0.001 };
const exploding: Partial<Config> = { depth: 10, width: 64, activation: 'relu', initializer: 'heNormal', initScale: 2, optimizer: 'momentum', learningRate: 0.05 };
const adding: Partial<Config> = { task: 'adding', T: 50, width: 32, samples: 4096, batchSize: 32, epochs: 8, optimizer: 'adam', learningRate: 0.002, clipping: 'clipnorm', clipValue: 1 };

export const presets: Preset[] = [
  { name: 'deep-sigmoid', title: 'Deep sigmoid', a: deepSigmoid,
    watch: 'Twenty sigmoid layers with Glorot init: the heat map fades by many orders of magnitude towards the input, and the first layers barely learn.' },
  { name: 'he-relu', title: 'He + ReLU', a: { ...deepSigmoid, activation: 'relu', initializer: 'heNormal' },
    watch: 'The same depth with ReLU and He init: every layer\'s gradient stays within a couple of orders of magnitude of the others.' },
  { name: 'sigmoid-bn', title: '+ batch norm', a: { ...deepSigmoid, batchNorm: true },
    watch: 'Deep sigmoid again, with batch normalization before each activation: the units leave the flat tails and the gradient reaches the first layers.' },
  { name: 'residual', title: '+ residual', a: { ...deepSigmoid, activation: 'relu', initializer: 'heNormal', residual: true },
    watch: 'Residual blocks give the gradient a path around every pair of layers: the heat map is nearly flat from input to output.' },
  { name: 'exploding', title: 'Exploding', a: exploding,
    watch: 'ReLU initialized at 2× He\'s scale and SGD with momentum: each layer doubles the signal, and within a few batches the loss is NaN.' },
  { name: 'exploding-clipped', title: 'Exploding, clipped', a: { ...exploding, clipping: 'globalClipnorm', clipValue: 1 },
    watch: 'The same over-scaled network with globalClipnorm: 1: the steps stay bounded, the run stays finite and the loss comes down.' },
  { name: 'rnn-vs-lstm', title: 'RNN vs LSTM, T = 50', a: { ...adding, cell: 'simpleRNN' }, b: { ...adding, cell: 'lstm' },
    watch: 'The adding problem over 50 steps (always answering 1 scores 0.167): as they train, the LSTM\'s ‖dL/dh_t‖ reaches the early steps about ten times better than the SimpleRNN\'s, and its loss gets below 0.167 first.' },
];

const NUMBERS: (keyof Config)[] = ['depth', 'width', 'initScale', 'clipValue', 'learningRate', 'T', 'samples', 'batchSize', 'epochs', 'seed', 'every'];
const BOUNDS: Partial<Record<keyof Config, [number, number]>> = {
  depth: [2, 50], width: [1, 512], initScale: [1e-3, 100], clipValue: [1e-6, 1e6], learningRate: [1e-6, 10],
  T: [2, 400], samples: [32, 60000], batchSize: [1, 1024], epochs: [1, 100], seed: [0, 2 ** 31], every: [1, 1000],
};
const CHOICES: Partial<Record<keyof Config, readonly string[]>> = {
  task: ['mnist', 'adding'], activation: ACTIVATIONS, initializer: INITIALIZERS, clipping: CLIPPING, optimizer: OPTIMIZERS, cell: CELLS,
};

/** A config from loose values (a form, a URL): numbers clamped, unknown choices replaced by the default. */
export function normalize(loose: Record<string, unknown>): Config {
  const c = { ...defaults } as Record<string, unknown>;
  for (const key of Object.keys(defaults) as (keyof Config)[]) {
    const v = loose[key];
    if (v === undefined || v === null || v === '') continue;
    if (NUMBERS.includes(key)) {
      const n = Number(v);
      const [lo, hi] = BOUNDS[key]!;
      if (Number.isFinite(n)) c[key] = Math.min(hi, Math.max(lo, ['depth', 'width', 'T', 'samples', 'batchSize', 'epochs', 'seed', 'every'].includes(key) ? Math.round(n) : n));
    } else if (key === 'batchNorm' || key === 'residual') {
      c[key] = v === true || v === 'true' || v === '1' || v === 'on';
    } else if (CHOICES[key]!.includes(String(v))) {
      c[key] = String(v);
    }
  }
  return c as unknown as Config;
}

/** The URL query for one or two configs: only the fields that differ from the defaults; B's prefixed `b.`. */
export function toQuery(a: Config, b?: Config): string {
  const q = new URLSearchParams();
  const put = (c: Config, prefix: string) => {
    for (const key of Object.keys(defaults) as (keyof Config)[]) if (c[key] !== defaults[key]) q.set(prefix + key, String(c[key]));
  };
  put(a, '');
  if (b) { q.set('compare', '1'); put(b, 'b.'); }
  return q.toString();
}

export function fromQuery(query: string): { a: Config; b?: Config } {
  const q = new URLSearchParams(query);
  const preset = presets.find((p) => p.name === q.get('preset'));
  const looseA: Record<string, unknown> = { ...preset?.a }, looseB: Record<string, unknown> = { ...(preset?.b ?? preset?.a) };
  for (const [k, v] of q) {
    if (k.startsWith('b.')) looseB[k.slice(2)] = v; else looseA[k] = v;
  }
  const compare = q.get('compare') === '1' || preset?.b !== undefined;
  return { a: normalize(looseA), b: compare ? normalize({ ...looseA, ...looseB }) : undefined };
}

/** The preset a config equals, if any (compared through its URL form). */
export function presetOf(a: Config, b?: Config): Preset | undefined {
  return presets.find((p) => {
    const pa = normalize(p.a), pb = p.b ? normalize(p.b) : undefined;
    return toQuery(pa, pb) === toQuery(a, b);
  });
}

/**
 * The adding problem (Hochreiter & Schmidhuber 1997): T pairs (value uniform in [0, 1], marker),
 * two markers set — one in each half — and the target the sum of the two marked values.
 * Its own small generator (mulberry32), so the copied script reproduces it in a few lines.
 */
export const ADDING_DATA_SOURCE = `function addingData(n, T, seed) {
  // mulberry32: a 32-bit seeded generator in four lines.
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const x = new Float32Array(n * T * 2), y = new Float32Array(n);
  const half = Math.floor(T / 2);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < T; t++) x[(i * T + t) * 2] = rand();
    const a = Math.floor(rand() * half), b = half + Math.floor(rand() * (T - half));
    x[(i * T + a) * 2 + 1] = 1;
    x[(i * T + b) * 2 + 1] = 1;
    y[i] = x[(i * T + a) * 2] + x[(i * T + b) * 2];
  }
  return { x, y };
}`;

/**
 * The adding problem (Hochreiter & Schmidhuber 1997): T pairs (value uniform in [0, 1], marker),
 * two markers set — one in each half — and the target the sum of the two marked values. Its
 * source is the text above, which the copied script carries verbatim: one source for both.
 */
// eslint-disable-next-line no-new-func
export const addingData = new Function(`return ${ADDING_DATA_SOURCE}`)() as (n: number, T: number, seed: number) => { x: Float32Array; y: Float32Array };

/** The initializer as keelnet takes it: its name at scale 1, else varianceScaling with scale² folded in. */
const BASE: Record<Config['initializer'], { scale: number; mode: 'fanIn' | 'fanAvg'; distribution: 'uniform' | 'truncatedNormal' }> = {
  glorotUniform: { scale: 1, mode: 'fanAvg', distribution: 'uniform' },
  glorotNormal: { scale: 1, mode: 'fanAvg', distribution: 'truncatedNormal' },
  heUniform: { scale: 2, mode: 'fanIn', distribution: 'uniform' },
  heNormal: { scale: 2, mode: 'fanIn', distribution: 'truncatedNormal' },
  lecunUniform: { scale: 1, mode: 'fanIn', distribution: 'uniform' },
  lecunNormal: { scale: 1, mode: 'fanIn', distribution: 'truncatedNormal' },
};

function initArgs(c: Config): { scale: number; mode: 'fanIn' | 'fanAvg'; distribution: 'uniform' | 'truncatedNormal' } | undefined {
  if (c.initScale === 1) return undefined;
  const b = BASE[c.initializer];
  return { ...b, scale: b.scale * c.initScale * c.initScale };
}

/**
 * The model a config describes, as a list of layer descriptions the page builds and the code
 * generator prints: one source for both, so the copied script is the page's model.
 */
type LayerDesc = { kind: 'dense'; units: number; activation?: string; first?: boolean; init: boolean }
  | { kind: 'batchNormalization' } | { kind: 'activation'; activation: string }
  | { kind: 'residual'; layers: LayerDesc[] } | { kind: 'recurrent'; cell: Config['cell']; units: number; T: number };

export function describe(c: Config): LayerDesc[] {
  if (c.task === 'adding') return [{ kind: 'recurrent', cell: c.cell, units: c.width, T: c.T }, { kind: 'dense', units: 1, init: false }];
  const out: LayerDesc[] = [];
  const hiddenLayer = (first: boolean): LayerDesc[] => (c.batchNorm
    ? [{ kind: 'dense', units: c.width, first, init: true }, { kind: 'batchNormalization' }, { kind: 'activation', activation: c.activation }]
    : [{ kind: 'dense', units: c.width, activation: c.activation, first, init: true }]);
  const hidden = c.depth - 1;
  if (!c.residual) {
    for (let i = 0; i < hidden; i++) out.push(...hiddenLayer(i === 0));
  } else {
    // A stem (and one more plain layer when the rest would not pair up), then blocks of two Dense
    // layers with the input added back: depth Dense layers in all.
    out.push(...hiddenLayer(true));
    if ((hidden - 1) % 2 === 1) out.push(...hiddenLayer(false));
    for (let i = 0; i < Math.floor((hidden - 1) / 2); i++) {
      out.push({ kind: 'residual', layers: [...hiddenLayer(false), { kind: 'dense', units: c.width, init: true }] });
    }
  }
  out.push({ kind: 'dense', units: 10, activation: 'softmax', init: true });
  return out;
}

function buildLayer(d: LayerDesc, c: Config): Layer {
  const args = initArgs(c);
  const init = args ? initializers.varianceScaling(args) : c.initializer;
  switch (d.kind) {
    case 'dense': return layers.dense({ units: d.units, ...(d.activation && { activation: d.activation as 'relu' }), ...(d.init && { kernelInitializer: init }), ...(d.first && { inputShape: [784] }) });
    case 'batchNormalization': return layers.batchNormalization();
    case 'activation': return layers.activation({ activation: d.activation as 'relu' });
    case 'residual': return layers.residual({ layers: d.layers.map((l) => buildLayer(l, c)) });
    case 'recurrent': return layers[d.cell]({ units: d.units, inputShape: [d.T, 2] });
  }
}

function optimizerArgs(c: Config): Record<string, number> {
  return {
    learningRate: c.learningRate,
    ...(c.optimizer === 'momentum' && { momentum: 0.9 }),
    ...(c.clipping !== 'none' && { [c.clipping]: c.clipValue }),
  };
}

function makeOptimizer(c: Config): Optimizer {
  const a = optimizerArgs(c);
  return c.optimizer === 'adam' ? optimizers.adam(a) : c.optimizer === 'rmsprop' ? optimizers.rmsprop(a) : optimizers.sgd(a);
}

/** setSeed(seed), the model, compiled. */
export function buildModel(c: Config): Sequential {
  setSeed(c.seed);
  const model = new Sequential(describe(c).map((d) => buildLayer(d, c)));
  model.compile(c.task === 'adding'
    ? { optimizer: makeOptimizer(c), loss: 'meanSquaredError' }
    : { optimizer: makeOptimizer(c), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** The fit options the page and the copied script both use. */
export const fitOptions = (c: Config) => ({ epochs: c.epochs, batchSize: c.batchSize, shuffle: false, verbose: 0 as const });

/** Text printed as is inside the generated code. */
class Code { constructor(readonly text: string) {} }

/** A keelnet script (TypeScript, run with `npx tsx`) that reproduces the run and prints each epoch's loss. */
export function toCode(c: Config): string {
  const args = initArgs(c);
  const obj = (o: Record<string, unknown>): string => `{ ${Object.entries(o).map(([k, v]) => `${k}: ${typeof v === 'string' ? `'${v}'` : Array.isArray(v) ? `[${v.join(', ')}]` : v instanceof Code ? v.text : v}`).join(', ')} }`;
  const init = args ? new Code('init') : c.initializer;
  const line = (d: LayerDesc, indent: string): string => {
    switch (d.kind) {
      case 'dense': return `${indent}layers.dense(${obj({ units: d.units, ...(d.activation && { activation: d.activation }), ...(d.init && { kernelInitializer: init }), ...(d.first && { inputShape: [784] }) })}),`;
      case 'batchNormalization': return `${indent}layers.batchNormalization(),`;
      case 'activation': return `${indent}layers.activation({ activation: '${d.activation}' }),`;
      case 'residual': return `${indent}layers.residual({ layers: [\n${d.layers.map((l) => line(l, `${indent}  `)).join('\n')}\n${indent}] }),`;
      case 'recurrent': return `${indent}layers.${d.cell}({ units: ${d.units}, inputShape: [${d.T}, 2] }),`;
    }
  };
  const opt = c.optimizer === 'momentum' ? 'sgd' : c.optimizer;
  const data = c.task === 'mnist'
    ? [
      `// The first ${c.samples} MNIST training images (pixels / 255), as the playground uses them.`,
      `const mnist = await loadMnist();`,
      `const x = tensor(mnist.xTrain.values.subarray(0, ${c.samples} * 784), [${c.samples}, 784]);`,
      `const y = tensor(mnist.yTrain.values.subarray(0, ${c.samples}), [${c.samples}]);`,
    ]
    : [
      `// The adding problem: T = ${c.T} pairs (value, marker); the target is the sum of the two marked values.`,
      ADDING_DATA_SOURCE.replace('(n, T, seed)', '(n: number, T: number, seed: number)'),
      `const data = addingData(${c.samples}, ${c.T}, ${c.seed});`,
      `const x = tensor(data.x, [${c.samples}, ${c.T}, 2]);`,
      `const y = tensor(data.y, [${c.samples}, 1]);`,
    ];
  return [
    `// Reproduces a keelnet gradient-playground run. Save as repro.mts (an ES module: it awaits at top level) and run: npx tsx repro.mts`,
    `// Playground URL query: ?${toQuery(c)}`,
    `import { ${['Sequential', 'callbacks', ...(args ? ['initializers'] : []), 'layers', ...(c.task === 'mnist' ? ['loadMnist'] : []), 'optimizers', 'ready', 'setSeed', 'tensor'].join(', ')} } from 'keelnet';`,
    ``,
    `await ready({ simd: 'simd' });`,
    ...data,
    ``,
    `setSeed(${c.seed});`,
    ...(args ? [`// ${c.initializer} with its standard deviation × ${c.initScale} (its variance × ${+(c.initScale ** 2).toPrecision(6)}).`, `const init = initializers.varianceScaling(${obj(args)});`] : []),
    `const model = new Sequential([`,
    ...describe(c).map((d) => line(d, '  ')),
    `]);`,
    `model.compile({`,
    `  optimizer: optimizers.${opt}(${obj(optimizerArgs(c))}),`,
    c.task === 'mnist' ? `  loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'],` : `  loss: 'meanSquaredError',`,
    `});`,
    ``,
    `// The gradient report every ${c.every} batches, as the playground draws it.`,
    `const monitor = callbacks.gradientMonitor({ every: ${c.every}, onReport: (r, at) => console.log(\`step \${at.step}: \${r.status}\`) });`,
    `const history = await model.fit(x, y, { epochs: ${c.epochs}, batchSize: ${c.batchSize}, shuffle: false, verbose: 0, callbacks: [monitor] });`,
    `history.history.loss.forEach((loss, epoch) => console.log(\`epoch \${epoch + 1} loss \${loss}\`));`,
    `console.log(String(monitor.last));`,
    ``,
  ].join('\n');
}
