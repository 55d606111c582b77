/** Layer factories, as `layers.dense({ units })`. */
import { dense } from './dense.js';
import { residual, Residual } from './residual.js';
import { activation } from './activation.js';
import { leakyReLU } from './leaky-relu.js';
import { elu } from './elu.js';
import { prelu } from './prelu.js';
import { batchNormalization } from './batch-normalization.js';
import { layerNormalization } from './layer-normalization.js';
import { dropout } from './dropout.js';
import { conv2d } from './conv2d.js';
import { maxPooling2d } from './max-pooling2d.js';
import { averagePooling2d } from './average-pooling2d.js';
import { globalAveragePooling2d, globalMaxPooling2d } from './global-pooling2d.js';
import { flatten } from './flatten.js';
import { reshape } from './reshape.js';
import { zeroPadding2d } from './zero-padding2d.js';
import { simpleRNN } from './simple-rnn.js';
import { lstm } from './lstm.js';
import { gru } from './gru.js';
import { embedding } from './embedding.js';
import { timeDistributed } from './time-distributed.js';
import { repeatVector } from './repeat-vector.js';
import { permute } from './permute.js';
import { cropping2d } from './cropping2d.js';
import { upSampling2d } from './up-sampling2d.js';
import { softmax } from './softmax.js';
import { reLU } from './relu.js';
import { thresholdedReLU } from './thresholded-relu.js';
import { conv1d } from './conv1d.js';
import { maxPooling1d, averagePooling1d } from './pooling1d.js';
import { globalAveragePooling1d, globalMaxPooling1d } from './global-pooling1d.js';
import { gaussianNoise } from './gaussian-noise.js';
import { gaussianDropout } from './gaussian-dropout.js';
import { spatialDropout1d, spatialDropout2d } from './spatial-dropout.js';
import { conv2dTranspose } from './conv2d-transpose.js';
import { depthwiseConv2d } from './depthwise-conv2d.js';
import { separableConv2d } from './separable-conv2d.js';
import { add, subtract, average, multiply, maximum, minimum, concatenate, dot } from './merge.js';
import { InputLayer, type InputArgs } from '../graph/input-layer.js';
import type { LayerArgs } from './layer.js';

/** TF.js's `layers.inputLayer({ inputShape })`: the first layer of a Sequential, naming its input. */
const inputLayer = (args: InputArgs & LayerArgs) => new InputLayer(args);

export { Layer } from './layer.js';
export type { LayerArgs, KernelLayerArgs, Weight } from './layer.js';
export { Dense } from './dense.js';
export type { DenseArgs } from './dense.js';
export { Activation } from './activation.js';
export type { ActivationArgs } from './activation.js';
export { LeakyReLU } from './leaky-relu.js';
export type { LeakyReLUArgs } from './leaky-relu.js';
export { ELU } from './elu.js';
export type { ELUArgs } from './elu.js';
export { PReLU } from './prelu.js';
export type { PReLUArgs } from './prelu.js';
export { BatchNormalization } from './batch-normalization.js';
export type { BatchNormalizationArgs } from './batch-normalization.js';
export { LayerNormalization } from './layer-normalization.js';
export type { LayerNormalizationArgs } from './layer-normalization.js';
export { Dropout } from './dropout.js';
export type { DropoutArgs } from './dropout.js';
export { Conv2D } from './conv2d.js';
export type { Conv2DArgs } from './conv2d.js';
export { MaxPooling2D } from './max-pooling2d.js';
export type { MaxPooling2DArgs } from './max-pooling2d.js';
export { AveragePooling2D } from './average-pooling2d.js';
export type { AveragePooling2DArgs } from './average-pooling2d.js';
export { GlobalAveragePooling2D, GlobalMaxPooling2D } from './global-pooling2d.js';
export type { GlobalPooling2DArgs } from './global-pooling2d.js';
export { Flatten } from './flatten.js';
export type { FlattenArgs } from './flatten.js';
export { Reshape } from './reshape.js';
export type { ReshapeArgs } from './reshape.js';
export { ZeroPadding2D } from './zero-padding2d.js';
export type { ZeroPadding2DArgs } from './zero-padding2d.js';
export { Recurrent } from './recurrent.js';
export type { RecurrentArgs, GatedRecurrentArgs } from './recurrent.js';
export { SimpleRNN } from './simple-rnn.js';
export type { SimpleRNNArgs } from './simple-rnn.js';
export { LSTM } from './lstm.js';
export type { LSTMArgs } from './lstm.js';
export { GRU } from './gru.js';
export type { GRUArgs } from './gru.js';
export { Embedding } from './embedding.js';
export type { EmbeddingArgs } from './embedding.js';
export { TimeDistributed } from './time-distributed.js';
export type { TimeDistributedArgs } from './time-distributed.js';
export { RepeatVector } from './repeat-vector.js';
export type { RepeatVectorArgs } from './repeat-vector.js';
export { Permute } from './permute.js';
export type { PermuteArgs } from './permute.js';
export { Cropping2D } from './cropping2d.js';
export type { Cropping2DArgs } from './cropping2d.js';
export { UpSampling2D } from './up-sampling2d.js';
export type { UpSampling2DArgs } from './up-sampling2d.js';
export { Softmax } from './softmax.js';
export type { SoftmaxArgs } from './softmax.js';
export { ReLU } from './relu.js';
export type { ReLUArgs } from './relu.js';
export { ThresholdedReLU } from './thresholded-relu.js';
export type { ThresholdedReLUArgs } from './thresholded-relu.js';
export { Conv1D } from './conv1d.js';
export type { Conv1DArgs } from './conv1d.js';
export { MaxPooling1D, AveragePooling1D } from './pooling1d.js';
export type { Pooling1DArgs } from './pooling1d.js';
export { GlobalAveragePooling1D, GlobalMaxPooling1D } from './global-pooling1d.js';
export type { GlobalPooling1DArgs } from './global-pooling1d.js';
export { GaussianNoise } from './gaussian-noise.js';
export type { GaussianNoiseArgs } from './gaussian-noise.js';
export { GaussianDropout } from './gaussian-dropout.js';
export type { GaussianDropoutArgs } from './gaussian-dropout.js';
export { SpatialDropout1D, SpatialDropout2D } from './spatial-dropout.js';
export type { SpatialDropoutArgs } from './spatial-dropout.js';
export { Conv2DTranspose } from './conv2d-transpose.js';
export type { Conv2DTransposeArgs } from './conv2d-transpose.js';
export { DepthwiseConv2D } from './depthwise-conv2d.js';
export type { DepthwiseConv2DArgs } from './depthwise-conv2d.js';
export { SeparableConv2D } from './separable-conv2d.js';
export type { SeparableConv2DArgs } from './separable-conv2d.js';

export const layers = { dense, activation, leakyReLU, elu, prelu, residual, batchNormalization, layerNormalization, dropout,
  conv2d, maxPooling2d, averagePooling2d, globalAveragePooling2d, globalMaxPooling2d, flatten, reshape, zeroPadding2d,
  simpleRNN, lstm, gru, embedding, timeDistributed,
  add, subtract, average, multiply, maximum, minimum, concatenate, dot, inputLayer,
  repeatVector, permute, cropping2d, upSampling2d,
  softmax,
  reLU,
  thresholdedReLU,
  conv1d,
  maxPooling1d, averagePooling1d,
  globalAveragePooling1d, globalMaxPooling1d,
  gaussianNoise,
  gaussianDropout,
  spatialDropout1d, spatialDropout2d,
  conv2dTranspose,
  depthwiseConv2d,
  separableConv2d,
};

export { Merge, Add, Subtract, Average, Multiply, Maximum, Minimum, Concatenate, Dot } from './merge.js';
export type { ConcatenateArgs, DotArgs } from './merge.js';

export { Residual };
export type { ResidualArgs } from './residual.js';
