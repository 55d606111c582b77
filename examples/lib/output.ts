/** Where the examples write their charts: examples/output/ (git-ignored). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const outputDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'output');

export function writeOutput(name: string, text: string): string {
  mkdirSync(outputDir, { recursive: true });
  const file = join(outputDir, name);
  writeFileSync(file, text);
  return file;
}

/** Print rows as an aligned table. */
export function printTable(head: string[], rows: (string | number)[][]): void {
  const cells = rows.map((r) => r.map(String));
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  console.log([line(head), w.map((n) => '─'.repeat(n)).join('  '), ...cells.map(line)].join('\n'));
}
