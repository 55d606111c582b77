/**
 * The one place the browser tests get a Chromium (test/browser/page, test/browser/threads,
 * test/package/pack; test/browser/packaged-chromium always takes the packaged one), so that
 * `npm install && npm test` passes on a machine without one:
 *
 * 1. Debian's `/usr/bin/chromium` when it is there (`apt-get install chromium`);
 * 2. otherwise the headless Chromium shipped inside the `@sparticuz/chromium` devDependency: its
 *    npm tarball holds the browser brotli-compressed (bin/chromium.br) with the few shared
 *    libraries it needs that a bare Debian lacks (NSS, NSPR, expat: bin/al2023.tar.br) and a font
 *    (bin/fonts.tar.br). Nothing is downloaded: the files are unpacked once into
 *    node_modules/.cache/keelnet-chromium-<version>/.
 *
 * package.json pins @sparticuz/chromium 143.0.4 (Chromium 143): the last release for Node 20
 * (147 and later need Node ≥ 22.17), and x64 only (its arm64 browser is not in the npm tarball).
 *
 * KEELNET_NO_SYSTEM_CHROMIUM=1 skips step 1, to run the tests on the packaged browser where
 * Debian's is installed.
 *
 * Why not the package's own `chromium.executablePath()`: it unpacks to fixed paths in /tmp and
 * takes an existing /tmp/chromium as finished, so two test files starting at once (vitest runs
 * two) can launch a half-written binary, and a run killed mid-way leaves one behind for good.
 * Here each process unpacks into a directory of its own and renames it into place, which is
 * atomic: the cache directory either holds everything or does not exist. And its `chromium.args`
 * are for AWS Lambda (--single-process, --disable-web-security, SharedArrayBuffer forced on),
 * which would change what the tests check; the flags below are the same for both browsers.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, createBrotliDecompress } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/**
 * Headless, no sandbox (the tests run as root), no GPU, and nothing that reaches the network by
 * itself. Playwright adds a fresh, empty --user-data-dir to every launch and removes it on close.
 */
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** A Chromium to launch: its path, the environment it needs, and where it came from. */
export interface ChromiumExecutable {
  path: string;
  /** Extra environment variables (the packaged browser's library and font paths). */
  env: Record<string, string>;
  source: 'system' | 'package';
}

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Debian's Chromium when present (and not turned off by KEELNET_NO_SYSTEM_CHROMIUM=1), else the packaged one. */
export async function findChromium(): Promise<ChromiumExecutable> {
  if (process.env.KEELNET_NO_SYSTEM_CHROMIUM !== '1' && existsSync(SYSTEM_CHROMIUM)) {
    return { path: SYSTEM_CHROMIUM, env: {}, source: 'system' };
  }
  return packagedChromium();
}

/** Launches headless Chromium (by default the one findChromium picks) with CHROMIUM_FLAGS. */
export async function launchChromium(exe?: ChromiumExecutable): Promise<Browser> {
  exe ??= await findChromium();
  return chromium.launch({ executablePath: exe.path, args: CHROMIUM_FLAGS, env: { ...process.env, ...exe.env } });
}

/** The browser from @sparticuz/chromium, unpacked on first use. */
export async function packagedChromium(): Promise<ChromiumExecutable> {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  } catch {
    throw new Error(`no browser: ${SYSTEM_CHROMIUM} is ${existsSync(SYSTEM_CHROMIUM) ? 'turned off by KEELNET_NO_SYSTEM_CHROMIUM=1' : 'missing'} and the devDependency @sparticuz/chromium is not installed (npm install)`);
  }
  // entry is <package>/build/cjs/index.cjs; the compressed files are in <package>/bin.
  const pkgDir = path.resolve(path.dirname(entry), '../..');
  const { version } = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`@sparticuz/chromium ${version} ships an x64 Linux browser; this is ${process.platform}/${process.arch}: install Chromium at ${SYSTEM_CHROMIUM}`);
  }
  const dir = path.join(root, 'node_modules', '.cache', `keelnet-chromium-${version}`);
  if (!existsSync(path.join(dir, 'chromium'))) await unpack(path.join(pkgDir, 'bin'), dir);
  return {
    path: path.join(dir, 'chromium'),
    env: {
      LD_LIBRARY_PATH: [path.join(dir, 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      FONTCONFIG_PATH: dir,
    },
    source: 'package',
  };
}

/** Unpacks chromium.br, al2023.tar.br (lib/) and fonts.tar.br (fonts/) from `bin` into `dir`, atomically. */
async function unpack(bin: string, dir: string): Promise<void> {
  const work = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(work, { recursive: true });
  try {
    await pipeline(createReadStream(path.join(bin, 'chromium.br')), createBrotliDecompress(), createWriteStream(path.join(work, 'chromium'), { mode: 0o755 }));
    untar(path.join(bin, 'al2023.tar.br'), work); // lib/libnss3.so, libnspr4.so, libexpat.so.1, ...
    untar(path.join(bin, 'fonts.tar.br'), work); // fonts/Open_Sans/*.ttf
    // The package's own fonts.conf names /tmp/fonts; this one names where the fonts are.
    writeFileSync(path.join(work, 'fonts.conf'), `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${path.join(dir, 'fonts')}</dir>\n  <cachedir>${path.join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`);
    try {
      renameSync(work, dir);
    } catch (e) {
      // Another process renamed its copy into place first: use that one.
      if (!existsSync(path.join(dir, 'chromium'))) throw e;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Brotli-decompresses a .tar.br (a few MB) and extracts it with Debian's tar, which every machine has. */
function untar(file: string, dir: string): void {
  execFileSync('tar', ['-x', '--no-same-owner', '-C', dir], { input: brotliDecompressSync(readFileSync(file)), stdio: ['pipe', 'ignore', 'pipe'] });
}
