/**
 * The exploding-gradient experiment (examples/exploding.ts): an over-scaled deep ReLU MLP with a
 * high learning rate goes non-finite and terminateOnNaN names the layer; globalClipnorm: 1 keeps
 * the same run finite and it learns; the report at initialization already says exploding.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready, loadMnist, callbacks, type Tensor } from '../../bindings/index.js';
import { head } from '../../examples/lib/deep-mlp.js';
import { config, explodingModel } from '../../examples/exploding.js';

let d: { x: Tensor; y: Tensor; xTest: Tensor; yTest: Tensor };
let probe: { x: Tensor; y: Tensor };
beforeAll(async () => {
  await ready();
  const m = await loadMnist();
  d = head(m, 10000, 2000);
  probe = head(m, 256, 1);
});

describe('exploding gradients', () => {
  it('the report at initialization says exploding', () => {
    const r = explodingModel(false).gradientReport(probe.x, probe.y);
    expect(r.status).toBe('exploding');
    expect(r.culprits.length).toBeGreaterThan(0);
  });

  it('without clipping the loss turns non-finite and terminateOnNaN names the layer', async () => {
    const model = explodingModel(false);
    const nan = callbacks.terminateOnNaN({ verbose: 0 });
    const h = await model.fit(d.x, d.y, { epochs: 4, batchSize: config.batchSize, verbose: 0, callbacks: [nan] });
    expect(nan.report).toBeDefined();
    expect(nan.report!.epoch).toBe(0);
    expect(h.epoch).toEqual([0]);
    expect(nan.report!.activation ?? nan.report!.gradient).toMatch(/^dense/);
    expect(nan.report!.message).toMatch(/first non-finite in dense/);
  });

  it('with globalClipnorm: 1 the same run stays finite and learns ≥ 80%', async () => {
    const model = explodingModel(true);
    const nan = callbacks.terminateOnNaN({ verbose: 0 });
    const h = await model.fit(d.x, d.y, { epochs: 4, batchSize: config.batchSize, verbose: 0, callbacks: [nan] });
    expect(nan.report).toBeUndefined();
    expect(h.history.loss.every(Number.isFinite)).toBe(true);
    expect((await model.evaluate(d.xTest, d.yTest, { batchSize: 500 })).accuracy).toBeGreaterThanOrEqual(0.8);
  });
});
