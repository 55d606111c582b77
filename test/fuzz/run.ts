/** The API fuzz harness at length: npx tsx test/fuzz/run.ts [runs = 3000] [seed = 1]. */
import { ready } from '../../bindings/index.js';
import { runApiFuzz } from './api.fuzz.js';

const runs = Number(process.argv[2] ?? 3000), seed = Number(process.argv[3] ?? 1);
await ready();
const t0 = performance.now();
const stats = await runApiFuzz(runs, seed);
console.log(`api fuzz: ${runs} cases from seed ${seed} passed in ${((performance.now() - t0) / 1000).toFixed(1)} s`, stats);
