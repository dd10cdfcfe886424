// Reading one matrix for a heatmap or a histogram: GetParameters of one parameter or effective
// matrix, now or at a past step, pooled on the server, or its change since step 0. A client of
// its own (not api.ts's) so that the heatmap's worker, which has no page, can read with it too.

import { decodeTensor, EiscopeClient } from "@eiscope/client";

/** How a matrix is read: at a past step, pooled, relative to step 0. */
export interface MatrixRead {
  step?: number;
  maxRows?: number;
  maxCols?: number;
  changeSinceStart?: boolean;
}

/** A matrix as read: `data` is shape[0] x shape[1], row-major, standing for a fullShape matrix. */
export interface MatrixValues {
  step: number;
  shape: number[];
  fullShape: number[];
  data: Float32Array;
}

export class MatrixClient extends EiscopeClient {
  /**
   * One matrix (a parameter or an effective matrix): now, or at a past `step`; pooled on the
   * server to at most maxRows x maxCols (0: all); or its change since step 0. `fullShape` is the
   * matrix's own shape (the tensor's when not pooled). Rejects with the server's ConnectError.
   */
  async matrixAt(id: string, name: string, read: MatrixRead, signal?: AbortSignal): Promise<MatrixValues> {
    const res = await this.rpc.getParameters(
      {
        id,
        names: [name],
        step: read.step === undefined ? undefined : BigInt(read.step),
        maxRows: read.maxRows ?? 0,
        maxCols: read.maxCols ?? 0,
        changeSinceStart: read.changeSinceStart ?? false,
      },
      { signal },
    );
    const p = res.parameters.find((t) => t.name === name);
    if (!p?.tensor) throw new Error(`the server sent no values for ${name}`);
    const t = decodeTensor(p.tensor);
    // A vector counts as one row, as the server pools it.
    const matrix = (s: number[]) => (s.length === 2 ? s : [1, s.reduce((a, b) => a * b, 1)]);
    const shape = matrix(t.shape);
    return { step: Number(res.step), shape, fullShape: p.fullShape.length ? matrix([...p.fullShape]) : shape, data: t.data };
  }
}
