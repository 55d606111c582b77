/**
 * Metrics by name. 'accuracy'/'acc' resolves from the loss as Keras does: sparse labels give
 * sparse categorical accuracy, binary crossentropy gives binary accuracy, otherwise categorical.
 * Each metric is a kernel that counts over a batch; the caller averages over samples.
 */
import type { Backend } from './backend/backend.js';
import type { Loss } from './losses.js';
import { lookup } from './names.js';

export type MetricKind = 'sparseCategoricalAccuracy' | 'categoricalAccuracy' | 'binaryAccuracy';

export interface Metric {
  /** The key in logs and history, as the user wrote it ('accuracy', 'acc', …). */
  key: string;
  kind: MetricKind;
}

const kinds: Record<MetricKind | 'accuracy', MetricKind | 'accuracy'> = {
  accuracy: 'accuracy',
  sparseCategoricalAccuracy: 'sparseCategoricalAccuracy',
  categoricalAccuracy: 'categoricalAccuracy',
  binaryAccuracy: 'binaryAccuracy',
};

export function getMetric(name: string, loss: Loss): Metric {
  let kind = lookup(kinds, name, 'metric', { acc: 'accuracy' });
  if (kind === 'accuracy') {
    kind = loss.name === 'sparseCategoricalCrossentropy' ? 'sparseCategoricalAccuracy'
      : loss.name === 'binaryCrossentropy' || loss.name === 'meanSquaredError' ? 'binaryAccuracy'
        : 'categoricalAccuracy';
  }
  return { key: name, kind };
}

/** Sum of the metric over `rows` samples (a count of hits for accuracies). */
export function computeMetric(be: Backend, m: Metric, P: number, targets: number, rows: number, cols: number): number {
  switch (m.kind) {
    case 'sparseCategoricalAccuracy': return be.sparseCategoricalAccuracy(P, targets, rows, cols);
    case 'categoricalAccuracy': return be.categoricalAccuracy(P, targets, rows, cols);
    case 'binaryAccuracy': return be.binaryAccuracy(P, targets, rows, cols, 0.5);
  }
}
