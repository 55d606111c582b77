/**
 * The API fuzz harness (test/fuzz/api.fuzz.ts) in the suite: a few hundred seeded cases. The
 * script `npx tsx test/fuzz/run.ts 5000 <seed>` runs thousands.
 */
import { beforeAll, it } from 'vitest';
import { ready, setBackend } from '../../bindings/index.js';
import { runApiFuzz } from '../fuzz/api.fuzz.js';

beforeAll(async () => { await ready(); setBackend('wasm'); });

it('300 random misuses of the API: plain Errors only, and a call that throws changes no weight', async () => {
  await runApiFuzz(300, 20261208);
});
