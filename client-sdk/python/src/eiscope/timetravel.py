"""Time travel from Python: a run's exact state at any step it passed, as methods of Client.

The server rebuilds a past step from the nearest checkpoint at or before it and replays the
intervention log from there, bit for bit; the result is cached, so further calls at that step
answer at once. Besides measure() and reconstruct() here, parameters(), fork() and
save_checkpoint() take a ``step``::

    client.reconstruct(sim.id, 250, progress=print)          # rebuild, with progress
    W = client.parameters(sim.id, ["layer0.W"], step=250)    # as it was at step 250
    frames = client.measure(sim.id, ["singular_values"], step=250)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Callable, Optional, Union

import grpc

from eiscope._proto import service_pb2
from eiscope._rpc import Calls
from eiscope.errors import EiscopeError, from_rpc_error
from eiscope.frames import Frame
from eiscope.record import as_names

#: What the API reference documents of this module: Client's methods come from TimeTravelCalls.
__all__ = ["ReconstructionProgress", "TimeTravelCalls"]


@dataclass(frozen=True)
class ReconstructionProgress:
    """How far the rebuilding of a past step has come.

    Attributes:
        step: the step being rebuilt.
        from_step: where the replay starts: a checkpoint's step, a cached reconstruction's, or 0.
        source: what it starts from: "checkpoint", "cache", "start" (the spec at step 0) or
            "live" (the run is at that step now: nothing to rebuild).
        replayed_steps: training steps replayed so far, out of total_steps (step - from_step).
        done: the state at `step` is rebuilt (and cached on the server).
    """

    step: int
    from_step: int
    source: str
    replayed_steps: int
    total_steps: int
    done: bool

    @staticmethod
    def from_proto(msg: service_pb2.ReconstructProgress) -> ReconstructionProgress:
        """The view of an API ReconstructProgress message."""
        return ReconstructionProgress(
            msg.step, msg.from_step, msg.source, msg.replayed_steps, msg.total_steps, msg.done
        )


class TimeTravelCalls(Calls):
    """The time-travel methods of Client."""

    def measure(
        self,
        id: str,
        observables: Union[str, Iterable[str]],
        layers: Optional[Iterable[str]] = None,
        step: Optional[int] = None,
    ) -> list[Frame]:
        """Per-layer observables measured once, as the Frames a watch would yield for them.

        `observables`: at least one per-layer observable of the catalogue ("weights",
        "weight_histogram", "singular_values", "eigenvalues", "spectral_radius", "nse",
        "activation_mean", "hidden_states", "kernel_alignment", ...); network-wide scalars such
        as "loss" are refused (InvalidArgumentError): history() has them at every step.
        `layers`: layers or parameters ("layer0" also picks "layer0.W" and "layer0.b"); None:
        all. `step`: a step the run has passed, rebuilt exactly as the run held it; None: now,
        at the run's next step boundary. Frames come one per (observable, layer), in the
        server's order, each with the step measured; values are decoded as in Frame (float32
        arrays for tensors and spectra, singular values descending; (edges, counts) for
        histograms; floats for scalars). A step ahead of the run raises OutOfRangeError.
        """
        request = service_pb2.MeasureRequest(
            id=id, observables=as_names(observables), layers=as_names(layers)
        )
        if step is not None:
            request.step = step
        return [Frame.from_proto(f) for f in self._call(self._stub.Measure, request).frames]

    def reconstruct(
        self,
        id: str,
        step: int,
        progress: Optional[Callable[[ReconstructionProgress], None]] = None,
        *,
        timeout: Optional[float] = None,
    ) -> ReconstructionProgress:
        """Rebuilds the run's state at a past `step` and returns the final progress (done).

        The server starts from the nearest checkpoint at or before `step` (or a cached
        reconstruction nearer to it) and replays the log on its own threads, while the run
        goes on undisturbed. `progress`, if given, is called on this thread with each
        ReconstructionProgress (at most about ten a second, the last one done); if it raises,
        the call is cancelled and the exception propagates. Afterwards parameters(),
        measure(), fork() and save_checkpoint() at that step answer at once, so reconstruct a
        step far from any checkpoint first rather than letting their timeout run out.
        `timeout` bounds the whole call (None: none). A step ahead of the run raises
        OutOfRangeError, a negative one InvalidArgumentError.
        """
        call = self._stub.Reconstruct(service_pb2.ReconstructRequest(id=id, step=step), timeout=timeout)
        last = None
        try:
            for message in call:
                last = ReconstructionProgress.from_proto(message)
                if progress is not None:
                    progress(last)
        except grpc.RpcError as e:
            raise from_rpc_error(e) from None
        finally:
            call.cancel()  # a no-op once the stream ended; stops the server if `progress` raised
        if last is None or not last.done:
            raise EiscopeError(
                "UNKNOWN",
                f"the reconstruction of step {step} of {id} ended before it was done (last progress: {last})",
            )
        return last
