/**
 * Progress output for `fit`'s `verbose: 1`: a live bar on a TTY (epoch, step/total, loss and
 * metrics, ETA, samples/s), and one line per epoch otherwise (pipes, CI, browsers).
 */
import type { CallbackHooks, Logs } from './callback.js';

/** The metrics of a log line; the batch index and size are the bar's business. */
function formatLogs(logs: Logs): string {
  return Object.entries(logs).filter(([k]) => k !== 'batch' && k !== 'size').map(([k, v]) => `${k}: ${formatNumber(v)}`).join(' - ');
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toFixed(4);
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

interface Writer { isTTY: boolean; write(s: string): void }

function defaultWriter(): Writer {
  const out = (globalThis as { process?: { stdout?: { isTTY?: boolean; write(s: string): boolean } } }).process?.stdout;
  if (out) return { isTTY: !!out.isTTY, write: (s) => { out.write(s); } };
  return { isTTY: false, write: (s) => console.log(s.replace(/\n$/, '')) };
}

export class ProgressLogger implements CallbackHooks {
  private epochStart = 0;
  private lastDraw = 0;
  private epoch = 0;

  /**
   * Redraws the progress bar (at most every 100 ms). Only on a TTY: elsewhere the logger has no
   * batch hook at all, so a default fit runs no per-batch callback for it.
   */
  onBatchEnd?: (batch: number, logs?: Logs) => void;

  constructor(private readonly epochs: number, private readonly steps: number, private readonly samples: number,
    private readonly out: Writer = defaultWriter()) {
    if (out.isTTY) this.onBatchEnd = (batch, logs) => this.drawBar(batch, logs);
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.epochStart = performance.now();
    this.lastDraw = 0;
  }

  private drawBar(batch: number, logs?: Logs): void {
    const now = performance.now();
    if (now - this.lastDraw < 100 && batch + 1 < this.steps) return;
    this.lastDraw = now;
    const done = batch + 1;
    const elapsed = (now - this.epochStart) / 1000;
    const eta = (elapsed / done) * (this.steps - done);
    const rate = (this.samples * done) / this.steps / Math.max(elapsed, 1e-9);
    const width = 24, fill = Math.round((width * done) / this.steps);
    const bar = '='.repeat(Math.max(fill - 1, 0)) + (fill > 0 ? (done === this.steps ? '=' : '>') : '') + '.'.repeat(width - fill);
    this.out.write(`\rEpoch ${this.epoch + 1}/${this.epochs} ${String(done).padStart(String(this.steps).length)}/${this.steps} [${bar}] ETA ${formatSeconds(eta)} - ${formatLogs(logs ?? {})} - ${Math.round(rate)} samples/s\x1b[K`);
  }

  onEpochEnd(epoch: number, logs?: Logs): void {
    const elapsed = (performance.now() - this.epochStart) / 1000;
    const rate = Math.round(this.samples / Math.max(elapsed, 1e-9));
    const line = `Epoch ${epoch + 1}/${this.epochs} - ${elapsed.toFixed(1)}s - ${rate} samples/s - ${formatLogs(logs ?? {})}`;
    this.out.write(this.out.isTTY ? `\r${line}\x1b[K\n` : `${line}\n`);
  }
}
