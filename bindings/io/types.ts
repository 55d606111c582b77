/**
 * The TensorFlow.js IO types (tfjs-core/src/io/types.ts), kept structurally identical so that a
 * TF.js IOHandler (tf.io.withSaveHandler, tf.io.fromMemory, tf.io.browserFiles, …) can be handed
 * to `model.save` / `loadModel` as is, and keelnet's artifacts can be handed to TF.js.
 */

export type WeightDType = 'float32' | 'int32' | 'bool' | 'string' | 'complex64';

/** One entry of a weights manifest: a tensor's name, shape and encoding. */
export interface WeightSpec {
  /** `<layer name>/<weight name>`, e.g. `dense_1/kernel`. */
  name: string;
  shape: number[];
  dtype: WeightDType;
  /** 'optimizer' for optimizer state saved with includeOptimizer; keelnet skips those. */
  group?: 'model' | 'optimizer' | string;
  /** Stored as uint8/uint16 (dequantized as `v·scale + min`) or float16. */
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}

/** A group of weights stored across one or more files (shards), concatenated in order. */
export interface WeightsManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** model.json as written to disk or served over HTTP. */
export interface ModelJSON {
  modelTopology: unknown;
  weightsManifest?: WeightsManifestGroup[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: unknown;
  userDefinedMetadata?: unknown;
}

/** What a handler saves or loads: the topology, the flat weight specs and their bytes. */
export interface ModelArtifacts {
  modelTopology?: unknown;
  weightSpecs?: WeightSpec[];
  /** Every spec's bytes concatenated in spec order (TF.js ≥ 4.10 may split them over several buffers). */
  weightData?: ArrayBuffer | ArrayBuffer[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: unknown;
  userDefinedMetadata?: unknown;
}

export interface ModelArtifactsInfo {
  dateSaved: Date;
  modelTopologyType: 'JSON';
  modelTopologyBytes?: number;
  weightSpecsBytes?: number;
  weightDataBytes?: number;
}

export interface SaveResult {
  modelArtifactsInfo: ModelArtifactsInfo;
  errors?: Array<{} | string>;
}

/** A place models go to and come from; any TF.js IOHandler fits. */
export interface IOHandler {
  save?(artifacts: ModelArtifacts): Promise<SaveResult>;
  load?(): Promise<ModelArtifacts>;
}
