/**
 * The library's module structure: no import cycles among bindings/ (type imports included: a
 * cycle of types is still two modules that cannot be read, or changed, one without the other), and the engine's clients — diagnostics, io, callbacks, worker — reach models only
 * through the engine's documented API, never by private members or casts to a model class.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../bindings');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative modules a file imports or re-exports (types included). */
function imports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.[^'"]+)['"]/gm;
  for (const m of src.matchAll(re)) {
    out.push(path.resolve(path.dirname(file), m[3].replace(/\.js$/, '.ts')));
  }
  return out;
}

describe('module structure', () => {
  it('bindings/ has no import cycles', () => {
    const all = files(root);
    const graph = new Map(all.map((f) => [f, imports(f).filter((t) => all.includes(t))]));
    const state = new Map<string, 'active' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, trail: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'active') { cycles.push([...trail.slice(trail.indexOf(f)), f].map((p) => path.relative(root, p)).join(' → ')); return; }
      state.set(f, 'active');
      for (const t of graph.get(f)!) visit(t, [...trail, f]);
      state.set(f, 'done');
    };
    for (const f of all) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it('diagnostics, io, callbacks and the worker use no private model members and no casts to a model class', () => {
    const clients = ['diagnostics', 'io', 'callbacks', 'worker'].flatMap((d) => files(path.join(root, d)));
    const offenders = clients.flatMap((f) => {
      const src = readFileSync(f, 'utf8');
      const bad = [...src.matchAll(/\._(internals|probe|loss|gradientBuffer|backend|lastBatch|inputGradPtr)\b|as unknown as (Sequential|LayersModel)\b/g)];
      return bad.map((m) => `${path.relative(root, f)}: ${m[0]}`);
    });
    expect(offenders).toEqual([]);
  });
});
