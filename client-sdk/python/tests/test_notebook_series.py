"""Offline checks of how eiscope.notebook bounds and smooths a curve's points (no server)."""

import numpy as np

from eiscope.notebook._series import ema, thin


def test_thinning_keeps_real_points_in_order_with_each_buckets_extremes():
    rng = np.random.default_rng(5)
    steps = np.arange(1, 10_001, dtype=np.int64)
    values = rng.normal(size=steps.size)
    values[4321] = 50.0  # a spike
    values[7777] = np.inf  # a divergence
    kept_steps, kept_values = thin(steps, values, 400)
    assert len(kept_steps) <= 400 and np.all(np.diff(kept_steps) > 0)
    index = kept_steps - 1
    np.testing.assert_array_equal(kept_values, values[index])  # every point kept is an input point
    assert kept_steps[0] == 1 and kept_steps[-1] == 10_000
    assert {4322, 7778} <= set(kept_steps.tolist())
    finite = np.where(np.isfinite(values), values, np.nan)
    assert np.nanmin(finite) in kept_values  # the smallest value of all survives


def test_a_short_curve_is_left_as_it_is():
    steps, values = np.arange(10), np.linspace(0, 1, 10)
    kept_steps, kept_values = thin(steps, values, 10)
    assert kept_steps is steps and kept_values is values


def test_smoothing_is_tensorboards_debiased_moving_average():
    values = np.array([1.0, 2.0, np.nan, 4.0, 3.0])
    weight = 0.6
    # By hand: acc_k = w acc_{k-1} + (1-w) v_k, divided by 1 - w^k (k counts finite points).
    acc, expected = 0.0, []
    k = 0
    for v in values:
        if np.isnan(v):
            expected.append(np.nan)
            continue
        k += 1
        acc = weight * acc + (1 - weight) * v
        expected.append(acc / (1 - weight**k))
    np.testing.assert_allclose(ema(values, weight), expected, rtol=1e-12)
    np.testing.assert_array_equal(ema(values, 0.0), values)
    assert ema(values, 0.9)[0] == 1.0  # debiased: the first point is not pulled towards 0
