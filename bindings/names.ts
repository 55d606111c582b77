/**
 * Name lookup shared by activations, losses, optimizers, metrics and initializers: accepts the
 * TF.js camelCase name, the Keras snake_case alias and the class name, and lists the valid
 * names when a name is unknown.
 */
export function normalizeName(name: string): string {
  return name.replace(/[_\s-]/g, '').toLowerCase();
}

export function lookup<T>(table: Record<string, T>, name: unknown, what: string, extraAliases: Record<string, string> = {}): T {
  if (typeof name === 'string') {
    const key = normalizeName(name);
    const aliased = extraAliases[key] ?? key;
    for (const k of Object.keys(table)) if (normalizeName(k) === aliased) return table[k];
  }
  // `what` may name its owner as "layer: argument", which leads the message.
  const at = what.indexOf(': ');
  const head = at < 0 ? `Unknown ${what}` : `${what.slice(0, at)}: unknown ${what.slice(at + 2)}`;
  throw new Error(`${head} '${String(name)}'; valid names: ${Object.keys(table).join(', ')}`);
}
