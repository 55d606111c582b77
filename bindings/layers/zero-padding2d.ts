/**
 * ZeroPadding2D (Keras 3): adds rows and columns of zeros around channels-last images.
 * `padding`: an int (all four sides), [h, w] (top = bottom = h, left = right = w), or
 * [[top, bottom], [left, right]]. It is im2col with a 1×1 kernel and that padding; backward is
 * col2im, which adds the inner part of dy into dx.
 */
import { checkDataFormat, checkImage, kerasName } from './conv-geometry.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface ZeroPadding2DArgs extends LayerArgs {
  /** Default 1: one row/column of zeros on every side. */
  padding?: number | [number, number] | [[number, number], [number, number]];
  /** Only 'channelsLast' (NHWC), the default. */
  dataFormat?: 'channelsLast';
}

export class ZeroPadding2D extends Layer {
  static className = 'ZeroPadding2D';
  /** [[top, bottom], [left, right]]. */
  readonly padding: [[number, number], [number, number]];

  constructor(args: ZeroPadding2DArgs = {}) {
    super(kerasName(args, 'zero_padding2d'));
    const p = args.padding ?? 1;
    const ok = (d: unknown) => Number.isInteger(d) && (d as number) >= 0;
    let pad: [[number, number], [number, number]] | undefined;
    if (ok(p)) pad = [[p as number, p as number], [p as number, p as number]];
    else if (Array.isArray(p) && p.length === 2 && p.every(ok)) pad = [[p[0] as number, p[0] as number], [p[1] as number, p[1] as number]];
    else if (Array.isArray(p) && p.length === 2 && p.every((q) => Array.isArray(q) && q.length === 2 && q.every(ok))) {
      pad = [[...(p[0] as [number, number])], [...(p[1] as [number, number])]];
    }
    if (!pad) {
      throw new Error(`${this.name}: padding must be a non-negative integer, [h, w] or [[top, bottom], [left, right]], got ${JSON.stringify(args.padding)}`);
    }
    this.padding = pad;
    checkDataFormat(this.name, args.dataFormat);
  }

  computeOutputShape(inputShape: number[]): number[] {
    const [h, w, c] = checkImage(this.name, inputShape);
    const [[t, b], [l, r]] = this.padding;
    return [h + t + b, w + l + r, c];
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const [H, W, C] = this.inputShape, [OH, OW] = this.outputShape, [[t], [l]] = this.padding;
    be.im2col(io.y, io.x, batch, H, W, C, OH, OW, 1, 1, 1, 1, 1, 1, t, l);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    const [H, W, C] = this.inputShape, [OH, OW] = this.outputShape, [[t], [l]] = this.padding;
    if (io.dx) be.col2im(io.dx, io.dy, batch, H, W, C, OH, OW, 1, 1, 1, 1, 1, 1, t, l);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), padding: this.padding.map((p) => [...p]), dataFormat: 'channelsLast' };
  }
}

export function zeroPadding2d(args: ZeroPadding2DArgs = {}): ZeroPadding2D {
  return new ZeroPadding2D(args);
}
