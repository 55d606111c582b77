/** Save and load in the TensorFlow.js Layers format: model.json + weights.bin. */
export { loadModel, modelFromArtifacts } from './load.js';
export { saveModel, modelToArtifacts, kerasTopology } from './save.js';
export { kerasLayers } from './keras-config.js';
export type { KerasLayerEntry } from './keras-config.js';
export type { IOHandler, ModelArtifacts, ModelArtifactsInfo, ModelJSON as TfjsModelJSON, SaveResult, WeightSpec, WeightsManifestGroup } from './types.js';
