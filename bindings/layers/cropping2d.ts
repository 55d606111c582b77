/**
 * Cropping2D (Keras 3): removes rows and columns from the borders of channels-last images.
 * `cropping`: an int (all four sides), [h, w] (top = bottom = h, left = right = w), or
 * [[top, bottom], [left, right]]. Forward is a strided copy of the inner window (the input read
 * from an offset); backward adds dy into that window of dx.
 */
import { checkDataFormat, checkImage, kerasName, shapeStr } from './conv-geometry.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface Cropping2DArgs extends LayerArgs {
  /** Rows/columns to remove: int, [h, w] or [[top, bottom], [left, right]]; default 0 (none). */
  cropping?: number | [number, number] | [[number, number], [number, number]];
  /** Only 'channelsLast' (NHWC), the default. */
  dataFormat?: 'channelsLast';
}

/** An int, [h, w] or [[top, bottom], [left, right]] of non-negative integers → [[top, bottom], [left, right]]. */
export function sidesOf(p: unknown): [[number, number], [number, number]] | undefined {
  const ok = (d: unknown) => Number.isInteger(d) && (d as number) >= 0;
  if (ok(p)) return [[p as number, p as number], [p as number, p as number]];
  if (Array.isArray(p) && p.length === 2 && p.every(ok)) return [[p[0], p[0]], [p[1], p[1]]];
  if (Array.isArray(p) && p.length === 2 && p.every((q) => Array.isArray(q) && q.length === 2 && q.every(ok))) {
    return [[p[0][0], p[0][1]], [p[1][0], p[1][1]]];
  }
  return undefined;
}

export class Cropping2D extends Layer {
  static className = 'Cropping2D';
  /** [[top, bottom], [left, right]]. */
  readonly cropping: [[number, number], [number, number]];

  constructor(args: Cropping2DArgs = {}) {
    super(kerasName(args, 'cropping2d'));
    const c = sidesOf(args.cropping ?? 0);
    if (!c) {
      throw new Error(`${this.name}: cropping must be a non-negative integer, [h, w] or [[top, bottom], [left, right]], got ${JSON.stringify(args.cropping)}`);
    }
    this.cropping = c;
    checkDataFormat(this.name, args.dataFormat);
  }

  computeOutputShape(inputShape: number[]): number[] {
    const [h, w, c] = checkImage(this.name, inputShape);
    const [[t, b], [l, r]] = this.cropping;
    if (t + b >= h || l + r >= w) {
      throw new Error(`${this.name}: cropping ${JSON.stringify(this.cropping)} removes all of an input of shape ${shapeStr(inputShape)} (rows ${t}+${b} must be < ${h}, columns ${l}+${r} < ${w})`);
    }
    return [h - t - b, w - l - r, c];
  }

  /** Byte offset of the window's first element in an input image. */
  private get offset(): number {
    const [, W, C] = this.inputShape, [[t], [l]] = this.cropping;
    return 4 * (t * W + l) * C;
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const [H, W, C] = this.inputShape, [OH, OW] = this.outputShape;
    be.copyStrided(io.y, io.x + this.offset, batch, OH, OW, C, OH * OW * C, OW * C, C, 1, H * W * C, W * C, C, 1, 0);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (!io.dx) return;
    const [H, W, C] = this.inputShape, [OH, OW] = this.outputShape;
    be.copyStrided(io.dx + this.offset, io.dy, batch, OH, OW, C, H * W * C, W * C, C, 1, OH * OW * C, OW * C, C, 1, 1);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cropping: this.cropping.map((p) => [...p]), dataFormat: 'channelsLast' };
  }
}

export function cropping2d(args: Cropping2DArgs = {}): Cropping2D {
  return new Cropping2D(args);
}
