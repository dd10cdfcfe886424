"""A cancellable iterator over a simulation's stream of frames."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator
from typing import Callable, Optional

import grpc

from eiscope._proto import service_pb2
from eiscope._rpc import ResponseStream
from eiscope.errors import from_rpc_error
from eiscope.frames import Frame


class Watch:
    """Iterates the frames of one Watch RPC, flattening each response's frames in order.

    The stream stays open while the simulation lives (also while it is paused); end it with
    cancel(), by leaving a ``with`` block, or by the call's timeout, unless `ends_after` ends
    it: when it returns True for a frame, that frame is the last one (Client.watch's
    until_paused). Frames of the `hidden` observables are read but not yielded (ones the
    client asked for only to know when to end). After cancel() the iteration simply stops.
    cancel() may be called from any thread. A failed stream raises the EiscopeError for its
    status code (e.g. NotFoundError for an unknown id).
    """

    def __init__(
        self,
        call: ResponseStream[service_pb2.WatchResponse],
        *,
        ends_after: Optional[Callable[[Frame], bool]] = None,
        hidden: Collection[str] = (),
    ):
        self._call = call
        self._cancelled = threading.Event()
        self._ends_after = ends_after
        self._hidden = frozenset(hidden)

    def __iter__(self) -> Iterator[Frame]:
        try:
            for response in self._call:
                for message in response.frames:
                    frame = Frame.from_proto(message)
                    last = self._ends_after is not None and self._ends_after(frame)
                    if frame.observable not in self._hidden:
                        yield frame
                    if last:
                        self.cancel()
                    if self._cancelled.is_set():
                        return
        except grpc.RpcError as e:
            if self._cancelled.is_set() and e.code() == grpc.StatusCode.CANCELLED:
                return
            raise from_rpc_error(e) from None

    def cancel(self) -> None:
        """Ends the stream; idempotent."""
        self._cancelled.set()
        self._call.cancel()

    @property
    def cancelled(self) -> bool:
        """Whether cancel() was called (or the with block left)."""
        return self._cancelled.is_set()

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc: object) -> Optional[bool]:
        self.cancel()
        return None
