"""Live plots of runs inside Jupyter: learning curves and weight heatmaps that update by
themselves while the runs train. Needs the notebook extra: ``pip install "eiscope[notebook]"``
(ipywidgets, matplotlib and ipympl, whose canvas is the widget)::

    from eiscope.notebook import live_curves, weight_heatmap
    curves = live_curves(client, [sim.id, fork.id], "loss", smoothing=0.6)
    curves                                    # the last expression of a cell shows it
    heatmap = weight_heatmap(client, sim.id, "layer0.W")

Both read what is recorded first, then follow the runs on background threads (one watch per
run), redrawing a few times a second at most, so the kernel stays free for the next cells.
``stop()`` ends the threads and keeps the figure; ``close()`` (or closing the widget) also
removes it. ``.figure`` is the matplotlib Figure: ``curves.figure.savefig("loss.pdf")``.
"""

from __future__ import annotations

from typing import Union

try:
    import ipympl  # noqa: F401
    import ipywidgets  # noqa: F401
    import matplotlib  # noqa: F401
except ImportError as e:  # pragma: no cover - only without the extra
    raise ImportError(
        f'eiscope.notebook needs the notebook extra ({e.name} is missing): pip install "eiscope[notebook]"'
    ) from e

from eiscope.client import Client
from eiscope.notebook.curves import DEFAULT_MAX_POINTS, DEFAULT_MAX_REDRAWS_PER_S, LiveCurves
from eiscope.notebook.heatmap import DEFAULT_MAX_COLS, DEFAULT_MAX_ROWS, WeightHeatmap
from eiscope.record import RunIds
from eiscope.simulation import Simulation

__all__ = ["live_curves", "weight_heatmap", "LiveCurves", "WeightHeatmap"]


def live_curves(
    client: Client,
    runs: RunIds,
    scalar: str = "loss",
    smoothing: float = 0.0,
    *,
    layer: str = "",
    log_y: bool = False,
    max_points: int = DEFAULT_MAX_POINTS,
    max_redraws_per_s: float = DEFAULT_MAX_REDRAWS_PER_S,
) -> LiveCurves:
    """A live plot of `scalar` for one run or several, overlaid, one colour each, with a legend.

    `runs`: an id, a Simulation, or an iterable of either (``client.runs()["id"]``). `scalar`:
    a scalar observable of the catalogue ("loss", "accuracy", "test_accuracy", or a per-layer
    one such as "nse" with ``layer="layer0.W"``). Each run's recorded history is drawn at once
    (downsampled on the server to about `max_points`, keeping each bucket's extremes), then
    one Watch per run, from the step after the record, adds the new points as the run trains;
    the figure is redrawn at most `max_redraws_per_s` times a second. A fork's curve starts
    with its parent's points up to the fork step (and its grandparent's, for a fork of a fork).
    `smoothing` in [0, 1) draws TensorBoard's debiased moving average over the points, the
    points themselves faint; `log_y` a log scale. A run reset starts its curve again; a run
    deleted is said in the status line under the figure.

    Returns the LiveCurves at once (ValueError for a scalar the catalogue lacks, NotFoundError
    for an unknown run); ``wait_for_step(k)`` blocks until every curve reaches step k.
    """
    return LiveCurves(
        client,
        runs,
        scalar,
        smoothing,
        layer=layer,
        log_y=log_y,
        max_points=max_points,
        max_redraws_per_s=max_redraws_per_s,
    )


def weight_heatmap(
    client: Client,
    run: Union[str, Simulation],
    parameter: str,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_cols: int = DEFAULT_MAX_COLS,
    change_since_start: bool = False,
    max_redraws_per_s: float = 2.0,
) -> WeightHeatmap:
    """A live heatmap of one parameter of a run (e.g. "layer0.W", a DANN's "layer0.Wex",
    "rnn0.W"; see ``sim.parameters``) or of one of its effective signed matrices (a DANN's or
    a column E/I layer's "layer0", a recurrent cell's "rnn0"; see ``sim.effective_matrices``),
    refreshed while the run plays or is steered.

    Rows are post-synaptic units, columns pre-synaptic units or inputs ([n_out, n_in]); a
    vector (a bias) is one row. For the matrices of E/I networks the server says which rows
    and columns are excitatory and which inhibitory units (E first): a line separates the E
    block from the I block and the axis labels give their unit ranges. The colour map is
    diverging and centred at 0 with symmetric limits (+-max|w|): red positive, blue
    negative, white 0. A matrix larger than `max_rows` x
    `max_cols` is pooled on the server (GetParameters) into near-equal blocks, each drawn as
    its value of largest magnitude with its sign, and the axes still count units.
    `change_since_start`: each value minus its value at step 0. The parameter is read again
    after every step, state change or command, at most `max_redraws_per_s` times a second.

    Returns the WeightHeatmap at once; InvalidArgumentError (naming the run's parameters) for
    an unknown parameter, NotFoundError for an unknown run.
    """
    return WeightHeatmap(
        client,
        run,
        parameter,
        max_rows=max_rows,
        max_cols=max_cols,
        change_since_start=change_since_start,
        max_redraws_per_s=max_redraws_per_s,
    )
