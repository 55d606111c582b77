/**
 * The zip container of a `.keras` file, through fflate. Keras 3 writes three members, stored
 * uncompressed: metadata.json, config.json, model.weights.h5 (and assets/ for layers that have
 * assets, which keelnet's do not). index.ts imports this module on first use, so that bundlers
 * split it off with only the two fflate functions it uses (about 13 KB minified).
 */
import { unzipSync, zipSync } from 'fflate';

/** Members larger than this that also expand more than 100× are refused as decompression bombs (as Keras). */
const BOMB_FLOOR = 256 * 1024 * 1024;

/** The members of a zip archive by name; `where` names the file in errors. */
export function readZip(bytes: Uint8Array, where: string): Map<string, Uint8Array> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        if (f.originalSize > BOMB_FLOOR && f.originalSize > 100 * f.size) {
          throw new Error(`member '${f.name}' declares ${f.originalSize} bytes but stores ${f.size}; refusing a likely decompression bomb`);
        }
        return true;
      },
    });
  } catch (e) {
    throw new Error(`${where}: not a readable .keras archive (${(e as Error).message}); the zip is damaged or truncated`);
  }
  return new Map(Object.entries(files));
}

/** A zip of these members, in this order, stored uncompressed (as Keras writes them). */
export function writeZip(members: Array<[name: string, bytes: Uint8Array]>): Uint8Array {
  return zipSync(Object.fromEntries(members.map(([name, bytes]) => [name, [bytes, { level: 0 }]])));
}
