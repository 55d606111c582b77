/**
 * fit/evaluate/predict data for models with several inputs and outputs: one tensor, an array in
 * the order of the model's inputs (outputs), or an object keyed by their names — resolved to one
 * checked entry per input (output), before the model is touched.
 */
import { Tensor } from '../tensor.js';
import { checkInput, checkTargets, type Labels, type Targets } from './data.js';

export type ModelInputs = Tensor | Tensor[] | Record<string, Tensor>;
export type ModelTargets = Labels | Labels[] | Record<string, Labels>;

const isLabels = (v: unknown) => v instanceof Tensor || ArrayBuffer.isView(v) || (Array.isArray(v) && v.every((e) => typeof e === 'number'));

/** The entries of `data` in the order of `names` (one per input or output). */
export function byName<T>(data: unknown, names: string[], what: 'x' | 'y', single: (v: unknown) => boolean, arg: string = what): T[] {
  const kind = what === 'x' ? 'inputs' : 'outputs';
  if (names.length === 1) {
    // One input (output): the data itself, a one-element array of it, or an object with its name.
    if (Array.isArray(data) && data.length === 1 && !single(data) && single(data[0])) return [data[0] as T];
    const rec = data as Record<string, unknown>;
    if (data && typeof data === 'object' && !single(data) && Object.getPrototypeOf(data) === Object.prototype && names[0] in rec) return [rec[names[0]] as T];
    return [data as T];
  }
  if (Array.isArray(data) && !single(data)) {
    if (data.length !== names.length) {
      throw new Error(`${arg}: the model has ${names.length} ${kind} [${names.join(', ')}], got an array of ${data.length}`);
    }
    return data as T[];
  }
  if (data && typeof data === 'object' && !single(data) && Object.getPrototypeOf(data) === Object.prototype) {
    const rec = data as Record<string, T>;
    for (const k of Object.keys(rec)) {
      if (!names.includes(k)) throw new Error(`${arg}: '${k}' is not one of the model's ${kind} [${names.join(', ')}]`);
    }
    return names.map((n) => {
      if (!(n in rec)) throw new Error(`${arg}: no data for ${what === 'x' ? 'input' : 'output'} '${n}' (the model's ${kind}: [${names.join(', ')}])`);
      return rec[n];
    });
  }
  if (names.length > 1) {
    throw new Error(`${arg}: the model has ${names.length} ${kind} [${names.join(', ')}]; give an array or an object keyed by those names`);
  }
  return [data as T];
}

/** Every input checked against its shape; all with the same number of samples. */
export function checkInputs(x: unknown, names: string[], shapes: number[][], arg = 'x', labels = names.map((n) => `input '${n}'`)): Tensor[] {
  const list = byName<Tensor>(x, names, 'x', (v) => v instanceof Tensor, arg);
  const xs = list.map((t, i) => checkInput(t, shapes[i], labels[i], names.length > 1 ? `${arg}[${i}]` : arg));
  for (let i = 1; i < xs.length; i++) {
    if (xs[i].shape[0] !== xs[0].shape[0]) {
      throw new Error(`${arg}: inputs have different numbers of samples: '${names[0]}' has ${xs[0].shape[0]}, '${names[i]}' has ${xs[i].shape[0]}`);
    }
  }
  return xs;
}

/** Every output's targets checked against its loss and shape, for n samples. */
export function checkOutputs(y: unknown, n: number, names: string[], outputs: { sparse: boolean; shape: number[]; lossName: string }[],
  arg = 'y'): Targets[] {
  const list = byName<Labels>(y, names, 'y', isLabels, arg);
  return list.map((v, i) => checkTargets(v, n, outputs[i].sparse, outputs[i].shape, outputs[i].lossName, names.length > 1 ? `${arg}['${names[i]}']` : arg));
}
