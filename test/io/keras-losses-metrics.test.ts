/**
 * The added losses and metrics in Keras files: a model compiled with them saves a compile_config
 * Keras 3 reads (kl_divergence, log_cosh; metrics with options as { class_name, config }) and
 * loads back compiled the same way.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, metrics, ready } from '../../bindings/index.js';
import { kerasArchive, loadKeras } from '../../bindings/io/keras/index.js';
import { kerasCompileConfig } from '../../bindings/io/keras/training.js';

beforeAll(async () => { await ready(); });

function compiled(loss: string, ms: Parameters<Sequential['compile']>[0]['metrics']) {
  const m = new Sequential([layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })]);
  m.compile({ optimizer: 'adam', loss, metrics: ms });
  return m;
}

describe('Keras files with the Keras 3 losses and metrics', () => {
  it('losses are written under names Keras 3 knows', () => {
    const names = ['kld', 'hinge', 'squared_hinge', 'categorical_hinge', 'logcosh', 'poisson', 'cosine_similarity', 'mape', 'msle']
      .map((l) => kerasCompileConfig(compiled(l, []))!.loss);
    expect(names).toEqual(['kl_divergence', 'hinge', 'squared_hinge', 'categorical_hinge', 'log_cosh', 'poisson', 'cosine_similarity',
      'mean_absolute_percentage_error', 'mean_squared_logarithmic_error']);
  });

  it('metrics with options are Keras classes with their config, and load back the same', async () => {
    const ms = ['acc', metrics.topKCategoricalAccuracy({ k: 2 }), 'auc', metrics.precision({ threshold: 0.3, name: 'p3' }), metrics.auc({ numThresholds: 50, name: 'auc50' })];
    const model = compiled('kld', ms);
    expect(kerasCompileConfig(model)!.metrics).toEqual([
      'acc',
      { module: 'keras.metrics', class_name: 'TopKCategoricalAccuracy', config: { name: 'top_k_categorical_accuracy', k: 2 }, registered_name: null },
      'auc',
      { module: 'keras.metrics', class_name: 'Precision', config: { name: 'p3', thresholds: 0.3 }, registered_name: null },
      { module: 'keras.metrics', class_name: 'AUC', config: { name: 'auc50', num_thresholds: 50 }, registered_name: null },
    ]);
    const back = await loadKeras(await kerasArchive(model));
    const c = back.compileConfig!;
    expect(c.loss).toMatchObject({ name: 'kullbackLeiblerDivergence' });
    expect(c.metrics).toEqual(['acc', { name: 'top_k_categorical_accuracy', key: 'top_k_categorical_accuracy', k: 2 }, 'auc',
      { name: 'precision', key: 'p3', threshold: 0.3 }, { name: 'auc', key: 'auc50', numThresholds: 50 }]);
  });
});
