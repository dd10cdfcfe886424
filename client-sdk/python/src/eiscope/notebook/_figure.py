"""A matplotlib figure shown as a Jupyter widget and redrawn from a background thread.

The figure lives on ipympl's canvas (an ipywidget that renders with Agg in the kernel and sends
the image to the page). A draw pushes the new image to the page by itself, without a round trip
through the kernel's main thread, so the figure keeps moving while a cell runs (a
``client.wait_for_step(...)``, a long computation). Redraws are bounded in rate: data arriving
faster than that is drawn together at the next redraw. One lock guards the figure: the redraw
thread and ipympl's own draws (a resize or a zoom in the page, handled on the main thread) take
it, since matplotlib figures are not thread-safe.
"""

from __future__ import annotations

import html
import threading
from typing import Any, Callable

import ipywidgets
from ipympl.backend_nbagg import Canvas, FigureManager
from matplotlib.figure import Figure

from eiscope.client import Client
from eiscope.errors import EiscopeError, NotFoundError

#: How long stop() waits for each background thread to end, in seconds.
JOIN_TIMEOUT_S = 5.0


class _LockedCanvas(Canvas):  # type: ignore[misc]  # ipympl ships no type information
    """ipympl's canvas, drawing, and handling the page's messages (a resize, a zoom, a pan),
    only under the widget's lock."""

    def __init__(self, figure: Figure, lock: threading.RLock):
        self._figure_lock = lock  # before ipympl's __init__, which registers _handle_message
        super().__init__(figure)

    def _handle_message(self, widget: Any, content: dict[str, Any], buffers: list[bytes]) -> None:
        with self._figure_lock:
            super()._handle_message(widget, content, buffers)

    def draw(self) -> None:
        with self._figure_lock:
            super().draw()

    def print_figure(self, *args: Any, **kwargs: Any) -> Any:
        # savefig() and the PNG a display falls back on render the same figure.
        with self._figure_lock:
            return super().print_figure(*args, **kwargs)


class LiveFigure:
    """A figure, a status line under it, and the threads that keep them up to date.

    Subclasses draw their artists in ``_update()`` (called under the lock on the redraw thread,
    returning the status line's summary), call ``_changed()`` when new data arrived, start their
    data threads with ``_spawn()`` and note what went wrong in them with ``_report()``.
    Displaying the object (the last expression of a cell, or ``display(obj)``) shows
    ``widget``. stop() ends every thread; close() also closes the widget, and closing the widget
    stops it too.
    """

    def __init__(self, client: Client, figure: Figure, max_redraws_per_s: float):
        if not max_redraws_per_s > 0:
            raise ValueError(f"max_redraws_per_s must be > 0, got {max_redraws_per_s!r}")
        self._client = client
        self.figure = figure
        self._lock = threading.RLock()
        self._redrawn = threading.Condition(self._lock)
        self._dirty = threading.Event()
        self._stopping = threading.Event()
        self._interval_s = 1.0 / max_redraws_per_s
        self._threads: list[threading.Thread] = []
        self._summary = ""
        self._problems: list[str] = []
        self.canvas = _LockedCanvas(figure, self._lock)
        FigureManager(self.canvas, 0)  # ipympl's toolbar and image transfer hang off a manager
        self.canvas.header_visible = False
        self._status_line = ipywidgets.HTML()
        #: The ipywidgets box holding the canvas and the status line.
        self.widget = ipywidgets.VBox([self.canvas, self._status_line])
        self.widget.observe(self._on_widget_comm, names="comm")

    @property
    def status(self) -> str:
        """The status line under the figure, as text: what is drawn, then anything that went
        wrong (a run deleted, the server gone), or that the figure was stopped."""
        with self._lock:
            parts = [self._summary, *self._problems]
            if self._stopping.is_set():
                parts.append("stopped")
            return "; ".join(p for p in parts if p)

    @property
    def stopped(self) -> bool:
        """Whether stop() was called (or the widget closed); the figure no longer changes."""
        return self._stopping.is_set()

    def stop(self) -> None:
        """Ends the streams and threads that update the figure; the figure stays as last drawn.
        Idempotent; returns once the threads ended (at most a few seconds)."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._dirty.set()  # wakes the redraw thread, which then sees _stopping
        self._cancel_streams()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(JOIN_TIMEOUT_S)
        self._show_status()

    def close(self) -> None:
        """stop(), then closes the widget and the canvas and status line inside it (their views
        leave the page and the kernel lets them go)."""
        self.stop()
        self.widget.close()

    def wait_until(self, condition: Callable[[], bool], timeout: float = 60.0) -> None:
        """Blocks until `condition()` holds, checking it now and after each redraw (e.g. a
        value drawn, in a script or a test); TimeoutError after `timeout` s or if the figure
        stops first."""
        self._wait_for(condition, timeout, "condition not met")

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # -- for subclasses ----------------------------------------------------------------------

    def _update(self) -> str:
        """Brings the artists up to date with the data and returns the status line's summary
        (e.g. the steps drawn); called under the lock."""
        raise NotImplementedError

    def _cancel_streams(self) -> None:
        """Cancels the streams the data threads read, so that they end."""

    def _changed(self) -> None:
        """Asks for a redraw; the redraw thread draws at most max_redraws_per_s times a second."""
        self._dirty.set()

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=self._reporting(target), name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _start(self) -> None:
        """Draws once now, on the caller's thread, then starts the redraw thread."""
        self._redraw()
        # The first draw placed the axes (constrained layout); laying them out again on every
        # redraw would cost more than drawing the data, so they stay where they are.
        self.figure.set_layout_engine("none")
        self._spawn(self._redraw_loop, "eiscope-redraw")

    def _ended(self, run_id: str, label: str) -> None:
        """Says why a run's watch ended by itself: the run was deleted (the server ends its
        streams), or the stream ended for another reason (the server stopped)."""
        if self._stopping.is_set():
            return
        try:
            self._client.get(run_id)
        except NotFoundError:
            self._report(f"{label} was deleted")
            return
        except EiscopeError as e:
            self._report(f"{label}: {e}")
            return
        self._report(f"the watch of {label} ended")

    def _report(self, problem: str) -> None:
        """Adds `problem` to the status line (a data thread's trouble has nowhere else to go)."""
        with self._lock:
            if problem not in self._problems:
                self._problems.append(problem)
            self._redrawn.notify_all()
        self._show_status()

    def _wait_for(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        """Blocks until `ready()` holds after a redraw; TimeoutError saying `what` otherwise."""
        with self._redrawn:
            if not self._redrawn.wait_for(lambda: ready() or self._stopping.is_set(), timeout):
                raise TimeoutError(f"{what} within {timeout} s; {self.status}")
            if not ready():
                raise TimeoutError(f"{what}: the figure stopped first; {self.status}")

    # -- internals ---------------------------------------------------------------------------

    def _redraw(self) -> None:
        with self._lock:
            self._summary = self._update()
            self.canvas.draw()
            self._redrawn.notify_all()
        self._show_status()

    def _show_status(self) -> None:
        text = self.status
        color = "#b00020" if self._problems else "#555"
        self._status_line.value = (
            f'<span style="color: {color}; font-size: 0.85em">{html.escape(text)}</span>'
        )

    def _redraw_loop(self) -> None:
        while True:
            self._dirty.wait()
            if self._stopping.is_set():
                return
            self._dirty.clear()
            self._redraw()
            # The rate bound: data arriving meanwhile waits for the next redraw. An Event wait,
            # so stop() cuts it short.
            self._stopping.wait(self._interval_s)

    def _reporting(self, target: Callable[[], None]) -> Callable[[], None]:
        """`target`, with an exception it raises shown in the status line instead of lost."""

        def run() -> None:
            try:
                target()
            except Exception as e:  # reported in the status line rather than lost with the thread
                self._report(f"{type(e).__name__}: {e}")

        return run

    def _on_widget_comm(self, change: dict[str, Any]) -> None:
        if change["new"] is None:  # Widget.close() drops the comm; the children are not closed with it
            self.stop()
            self.canvas.close()
            self._status_line.close()
