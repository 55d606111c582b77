/**
 * Layers by class name, for rebuilding a model from its configuration (toJSON/fromJSON, saved
 * files, workers). A layer's getConfig() carries every constructor argument, so rebuilding is
 * `new Class(config)`; composite layers rebuild their parts first.
 */
import { Layer } from './layer.js';
import { Dense } from './dense.js';
import { Residual } from './residual.js';
import { Activation } from './activation.js';
import { LeakyReLU } from './leaky-relu.js';
import { ELU } from './elu.js';
import { PReLU } from './prelu.js';
import { BatchNormalization } from './batch-normalization.js';
import { LayerNormalization } from './layer-normalization.js';
import { Dropout } from './dropout.js';
import { Conv2D } from './conv2d.js';
import { MaxPooling2D } from './max-pooling2d.js';
import { AveragePooling2D } from './average-pooling2d.js';
import { GlobalAveragePooling2D, GlobalMaxPooling2D } from './global-pooling2d.js';
import { Flatten } from './flatten.js';
import { Reshape } from './reshape.js';
import { ZeroPadding2D } from './zero-padding2d.js';
import { SimpleRNN } from './simple-rnn.js';
import { LSTM } from './lstm.js';
import { GRU } from './gru.js';
import { Embedding } from './embedding.js';
import { TimeDistributed } from './time-distributed.js';
import { RepeatVector } from './repeat-vector.js';
import { Permute } from './permute.js';
import { Cropping2D } from './cropping2d.js';
import { UpSampling2D } from './up-sampling2d.js';
import { Softmax } from './softmax.js';
import { ReLU } from './relu.js';
import { ThresholdedReLU } from './thresholded-relu.js';
import { Conv1D } from './conv1d.js';
import { MaxPooling1D, AveragePooling1D } from './pooling1d.js';
import { GlobalAveragePooling1D, GlobalMaxPooling1D } from './global-pooling1d.js';
import { GaussianNoise } from './gaussian-noise.js';
import { GaussianDropout } from './gaussian-dropout.js';
import { SpatialDropout1D, SpatialDropout2D } from './spatial-dropout.js';
import { Conv2DTranspose } from './conv2d-transpose.js';
import { DepthwiseConv2D } from './depthwise-conv2d.js';
import { SeparableConv2D } from './separable-conv2d.js';
import { Add, Subtract, Average, Multiply, Maximum, Minimum, Concatenate, Dot } from './merge.js';

export interface LayerJSON { className: string; config: Record<string, unknown> }

type Factory = (config: Record<string, unknown>) => Layer;
const plain = (C: new (args: never) => Layer): Factory => (config) => new C(config as never);

const registry = new Map<string, Factory>([
  ['Dense', plain(Dense)],
  ['Activation', plain(Activation)],
  ['LeakyReLU', plain(LeakyReLU)],
  ['ELU', plain(ELU)],
  ['PReLU', plain(PReLU)],
  ['BatchNormalization', plain(BatchNormalization)],
  ['LayerNormalization', plain(LayerNormalization)],
  ['Dropout', plain(Dropout)],
  ['Conv2D', plain(Conv2D)],
  ['MaxPooling2D', plain(MaxPooling2D)],
  ['AveragePooling2D', plain(AveragePooling2D)],
  ['GlobalAveragePooling2D', plain(GlobalAveragePooling2D)],
  ['GlobalMaxPooling2D', plain(GlobalMaxPooling2D)],
  ['Flatten', plain(Flatten)],
  ['Reshape', plain(Reshape)],
  ['ZeroPadding2D', plain(ZeroPadding2D)],
  ['SimpleRNN', plain(SimpleRNN)],
  ['LSTM', plain(LSTM)],
  ['GRU', plain(GRU)],
  ['Embedding', plain(Embedding)],
  ['TimeDistributed', (c) => new TimeDistributed({ ...c, layer: layerFromJSON(c.layer as LayerJSON) } as never)],
  ['Add', plain(Add)],
  ['Subtract', plain(Subtract)],
  ['Average', plain(Average)],
  ['Multiply', plain(Multiply)],
  ['Maximum', plain(Maximum)],
  ['Minimum', plain(Minimum)],
  ['Concatenate', plain(Concatenate)],
  ['Dot', plain(Dot)],
  ['RepeatVector', plain(RepeatVector)],
  ['Permute', plain(Permute)],
  ['Cropping2D', plain(Cropping2D)],
  ['UpSampling2D', plain(UpSampling2D)],
  ['Softmax', plain(Softmax)],
  ['ReLU', plain(ReLU)],
  ['ThresholdedReLU', plain(ThresholdedReLU)],
  ['Conv1D', plain(Conv1D)],
  ['MaxPooling1D', plain(MaxPooling1D)],
  ['AveragePooling1D', plain(AveragePooling1D)],
  ['GlobalAveragePooling1D', plain(GlobalAveragePooling1D)],
  ['GlobalMaxPooling1D', plain(GlobalMaxPooling1D)],
  ['GaussianNoise', plain(GaussianNoise)],
  ['GaussianDropout', plain(GaussianDropout)],
  ['SpatialDropout1D', plain(SpatialDropout1D)],
  ['SpatialDropout2D', plain(SpatialDropout2D)],
  ['Conv2DTranspose', plain(Conv2DTranspose)],
  ['DepthwiseConv2D', plain(DepthwiseConv2D)],
  ['SeparableConv2D', plain(SeparableConv2D)],
  ['Residual', (c) => new Residual({ ...c, layers: (c.layers as LayerJSON[]).map(layerFromJSON) } as never)],
]);

/** Make `className` rebuildable (for layers defined outside keelnet). */
export function registerLayer(className: string, factory: Factory): void {
  registry.set(className, factory);
}

export function layerFromJSON(json: LayerJSON): Layer {
  if (!json || typeof json !== 'object' || typeof json.className !== 'string') {
    throw new Error(`layerFromJSON: expected { className, config }, got ${JSON.stringify(json)?.slice(0, 80)}`);
  }
  const make = registry.get(json.className);
  if (!make) throw new Error(`layerFromJSON: unknown layer class '${json.className}'; known: ${[...registry.keys()].join(', ')}`);
  return make(json.config ?? {});
}

export function layerToJSON(layer: Layer): LayerJSON {
  return { className: layer.className, config: JSON.parse(JSON.stringify(layer.getConfig())) };
}

/** Class names layerFromJSON can rebuild (for error messages that list them). */
export function registeredLayerClasses(): string[] {
  return [...registry.keys()];
}
