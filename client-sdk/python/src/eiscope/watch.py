"""A cancellable iterator over a simulation's stream of frames."""
from __future__ import annotations

import threading
from typing import Iterator, Optional

import grpc

from eiscope.errors import from_rpc_error
from eiscope.frames import Frame


class Watch:
    """Iterates the frames of one Watch RPC, flattening each response's frames in order.

    The stream stays open while the simulation lives (also while it is paused); end it with
    cancel(), by leaving a ``with`` block, or by the call's timeout. After cancel() the
    iteration simply stops. cancel() may be called from any thread. A failed stream raises
    the EiscopeError for its status code (e.g. NotFoundError for an unknown id).
    """

    def __init__(self, call):
        self._call = call
        self._cancelled = threading.Event()

    def __iter__(self) -> Iterator[Frame]:
        try:
            for response in self._call:
                for frame in response.frames:
                    yield Frame.from_proto(frame)
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
        return self._cancelled.is_set()

    def __enter__(self) -> "Watch":
        return self

    def __exit__(self, *exc) -> Optional[bool]:
        self.cancel()
        return None
