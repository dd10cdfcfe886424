"""A curve's points as drawn: bounded in number, optionally smoothed. numpy only, no widgets."""

from __future__ import annotations

import numpy as np


def thin(steps: np.ndarray, values: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """At most about `max_points` of the points, as the server's history downsampling keeps
    them: the points split into max_points // 4 runs of consecutive points, each keeping its
    first, smallest, largest and last point (non-finite values count as extremes), so spikes
    and divergences survive. Every point kept is one of the input's, in order; the input is
    returned as it is when it is small enough. `steps` and `values` are not modified."""
    n = len(steps)
    if n <= max_points:
        return steps, values
    buckets = max(max_points // 4, 1)
    edges = np.linspace(0, n, buckets + 1).astype(np.int64)
    # Non-finite values would make argmin/argmax pick arbitrarily; mapping them to +-inf keeps
    # a diverged point as an extreme of its bucket.
    ranked = np.where(np.isfinite(values), values, np.inf)
    keep: list[int] = []
    for start, end in zip(edges[:-1], edges[1:]):
        if end <= start:
            continue
        chunk = ranked[start:end]
        keep.extend((start, start + int(np.argmin(chunk)), start + int(np.argmax(chunk)), end - 1))
    index = np.unique(np.asarray(keep, dtype=np.int64))
    return steps[index], values[index]


def ema(values: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard's smoothing, as the web UI's comparison draws it: an exponential moving average
    over the points in order, debiased at the start (the first points are not pulled towards 0).
    weight 0 returns a copy of the values; 0.99 averages over about the last 100 points. A
    non-finite point is kept as it is and does not poison the points after it."""
    out = np.array(values, dtype=np.float64)
    acc = 0.0
    norm = 0.0
    for i, v in enumerate(out):
        if not np.isfinite(v):
            continue
        acc = weight * acc + (1 - weight) * float(v)
        norm = weight * norm + (1 - weight)
        out[i] = acc / norm
    return out
