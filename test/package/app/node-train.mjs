// Node ESM: import the installed package and train a tiny model, on this thread and in a worker.
import { trainBoth } from './train-both.mjs';

console.log(JSON.stringify(await trainBoth()));
