/**
 * The gradient playground's configuration (examples/browser/playground/config.ts), in Node: the
 * URL form round-trips and clamps, presets parse, each depth means that many Dense layers (residual
 * and batch-norm stacks included), the adding problem is reproducible, and the copied script holds
 * the page's own data generator verbatim. The page itself: test/browser/playground.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ADDING_DATA_SOURCE, addingData, buildModel, defaults, describe as describeModel, fromQuery, normalize, presetOf, presets, toCode, toQuery } from '../../examples/browser/playground/config.js';
import { ready } from '../../bindings/index.js';

const denseCount = (ls: ReturnType<typeof describeModel>): number =>
  ls.reduce((n, l) => n + (l.kind === 'dense' ? 1 : l.kind === 'residual' ? denseCount(l.layers) : 0), 0);

describe('playground config', () => {
  it('round-trips through the URL, defaults omitted, B prefixed', () => {
    const a = normalize({ depth: 30, activation: 'tanh', batchNorm: true, clipping: 'clipvalue', clipValue: 0.5 });
    const b = normalize({ ...a, residual: true });
    expect(toQuery(defaults)).toBe('');
    expect(toQuery(a)).toBe('depth=30&activation=tanh&batchNorm=true&clipping=clipvalue&clipValue=0.5');
    expect(fromQuery(toQuery(a, b))).toEqual({ a, b });
    expect(fromQuery(toQuery(a))).toEqual({ a, b: undefined });
  });

  it('clamps numbers and ignores unknown choices', () => {
    const c = normalize({ depth: 500, width: '-3', activation: 'swishy', initScale: 'x', epochs: 2.6 });
    expect([c.depth, c.width, c.activation, c.initScale, c.epochs]).toEqual([50, 1, defaults.activation, 1, 3]);
  });

  it('parses every preset and recognises it again', () => {
    for (const p of presets) {
      const { a, b } = fromQuery(`preset=${p.name}`);
      expect(presetOf(a, b)?.name).toBe(p.name);
    }
    expect(fromQuery('preset=rnn-vs-lstm').b?.cell).toBe('lstm');
  });

  it('builds depth Dense layers whatever the stack', () => {
    for (const extra of [{}, { batchNorm: true }, { residual: true }, { residual: true, batchNorm: true }]) {
      for (const depth of [2, 3, 8, 21, 50]) {
        const n = denseCount(describeModel(normalize({ depth, ...extra })));
        expect(n, JSON.stringify({ depth, ...extra })).toBe(depth);
      }
    }
  });

  it('draws the same adding problem from the same seed, and the script carries the generator as is', () => {
    const a = addingData(64, 20, 7), b = addingData(64, 20, 7), c = addingData(64, 20, 8);
    expect(a).toEqual(b);
    expect(a.x).not.toEqual(c.x);
    // Two markers per sequence, the target their values' sum.
    for (let i = 0; i < 64; i++) {
      let sum = 0, markers = 0;
      for (let t = 0; t < 20; t++) if (a.x[(i * 20 + t) * 2 + 1] === 1) { markers++; sum += a.x[(i * 20 + t) * 2]; }
      expect(markers).toBe(2);
      expect(a.y[i]).toBeCloseTo(sum, 6);
    }
    const code = toCode(normalize({ task: 'adding', T: 20 }));
    expect(code).toContain(ADDING_DATA_SOURCE.split('\n').slice(1).join('\n'));
    expect(code).not.toContain('loadMnist');
  });

  it('builds and compiles each preset\'s model', async () => {
    await ready();
    for (const p of presets) {
      const m = buildModel(normalize(p.a));
      expect(m.built, p.name).toBe(true);
      m.dispose();
    }
  });
});
