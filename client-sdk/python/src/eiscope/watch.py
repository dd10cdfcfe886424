"""A cancellable iterator over a simulation's stream of frames."""

from __future__ import annotations

import queue
import threading
from collections.abc import Collection, Iterator
from typing import Callable, Optional

import grpc

from eiscope._proto import service_pb2
from eiscope._rpc import ResponseStream
from eiscope.errors import _BY_CODE, EiscopeError, from_rpc_error
from eiscope.frames import Frame

_CODES = {c.value[0]: c for c in grpc.StatusCode}


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


class ReadConfirmingStream:
    """A live watch over a Session call whose subscription sets ``max_unread_messages``: the
    server sends at most that many messages the client has not read, and this stream says it
    read a message when its reader comes back for the next one. Meanwhile the server merges
    what waits (with counts), so a reader slower than the run gets the present, not frames
    that aged in buffers. Iterates WatchResponse messages like a Watch call; cancel() ends it."""

    _SUBSCRIPTION = 1

    def __init__(
        self,
        method: Callable[..., ResponseStream[service_pb2.SessionResponse]],
        request: service_pb2.WatchRequest,
        max_unread_messages: int,
        timeout: Optional[float] = None,
    ):
        watch = service_pb2.WatchRequest()
        watch.CopyFrom(request)
        watch.max_unread_messages = max_unread_messages
        self._requests: queue.Queue[Optional[service_pb2.SessionRequest]] = queue.Queue()
        self._requests.put(service_pb2.SessionRequest(request_id=self._SUBSCRIPTION, subscribe=watch))
        self._call = method(self._outgoing(), timeout=timeout)

    def _outgoing(self) -> Iterator[service_pb2.SessionRequest]:
        while True:
            request = self._requests.get()
            if request is None:
                return
            yield request

    def __iter__(self) -> Iterator[service_pb2.WatchResponse]:
        read = 0
        try:
            for response in self._call:
                if response.HasField("ack"):
                    if response.ack.code != 0:  # the subscription was refused: the stream's error
                        code = _CODES.get(response.ack.code, grpc.StatusCode.UNKNOWN)
                        raise _BY_CODE.get(code, EiscopeError)(code.name, response.ack.message)
                    continue
                if response.HasField("ended"):  # the run was deleted: the watch ends, as a Watch call does
                    return
                yield service_pb2.WatchResponse(frames=response.frames.frames)
                read += 1  # the reader is back for the next message: it has read this one
                self._requests.put(
                    service_pb2.SessionRequest(
                        read=service_pb2.SessionRead(subscription_id=self._SUBSCRIPTION, messages=read)
                    )
                )
        finally:
            self._requests.put(None)

    def cancel(self) -> bool:
        self._requests.put(None)
        return self._call.cancel()
