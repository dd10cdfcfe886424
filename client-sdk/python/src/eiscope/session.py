"""A Session: steer and observe over one bidirectional call."""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Callable, Optional, Union

import grpc

from eiscope._proto import service_pb2, types_pb2
from eiscope._rpc import ResponseStream
from eiscope.errors import _BY_CODE, EiscopeError, from_rpc_error
from eiscope.frames import Frame

_CODES = {c.value[0]: c for c in grpc.StatusCode}

#: How long close() waits for the server to end the call before it cancels it (seconds).
CLOSE_WAIT_S = 5.0
#: What a request's waiter receives: the server's acknowledgement, or the error that ended the call.
_Ack = Union[service_pb2.SessionAck, EiscopeError]


class _MessageEnd:
    """Queued after the frames of the n-th message of a subscription with an unread limit."""

    def __init__(self, n: int):
        self.n = n


_Item = Union[Frame, _MessageEnd, None]


def _until_none(
    requests: queue.Queue[Optional[service_pb2.SessionRequest]],
) -> Iterator[service_pb2.SessionRequest]:
    """A call's requests as they are queued, until None."""
    while True:
        request = requests.get()
        if request is None:
            return
        yield request


def _refusal(ack: service_pb2.SessionAck) -> EiscopeError:
    """The EiscopeError of an acknowledgement with a non-zero code."""
    code = _CODES.get(ack.code, grpc.StatusCode.UNKNOWN)
    return _BY_CODE.get(code, EiscopeError)(code.name, ack.message)


def _read_request(subscription_id: int, messages: int) -> service_pb2.SessionRequest:
    """Says that the first `messages` messages of a subscription were read."""
    return service_pb2.SessionRequest(
        read=service_pb2.SessionRead(subscription_id=subscription_id, messages=messages)
    )


class Subscription:
    """Frames of one subscription of a Session, in arrival order; iterate, then unsubscribe().
    With an unread limit, a message counts as read once every frame of it has been taken and
    the next is asked for. The iteration ends after unsubscribe(), or when the server ends the
    subscription (its run was deleted)."""

    def __init__(self, session: Session, id: int, limited: bool = False):
        self.id = id
        self._session = session
        self._frames: queue.Queue[_Item] = queue.Queue()
        self._messages = 0  # messages received (counted by the session's reader thread)
        self._limited = limited  # whether it set max_unread_messages (then it says what it read)

    def __iter__(self) -> Iterator[Frame]:
        while True:
            frame = self._next(None)
            if frame is None:
                return
            yield frame

    def get(self, timeout: Optional[float] = None) -> Frame:
        """The next frame; queue.Empty after `timeout` s; StopIteration once ended."""
        frame = self._next(timeout)
        if frame is None:
            raise StopIteration
        return frame

    def _next(self, timeout: Optional[float]) -> Optional[Frame]:
        while True:
            item = self._frames.get(timeout=timeout)
            if not isinstance(item, _MessageEnd):
                return item
            self._session._send(
                _read_request(self.id, item.n)
            )  # the reader is back for more: it has read that message

    def unsubscribe(self) -> None:
        """Ends this subscription; the session and its other subscriptions go on."""
        self._session._request(service_pb2.SessionRequest(unsubscribe=self.id))
        self._frames.put(None)


class Session:
    """One Session call. Requests are acknowledged by the server in order; each method here
    waits for its acknowledgement and raises the EiscopeError of a failed one, which leaves
    the session open. Frames are read on a background thread and queued per subscription
    (unbounded on the client: iterate them). Use as a context manager or call close()."""

    def __init__(
        self,
        method: Callable[[Iterator[service_pb2.SessionRequest]], ResponseStream[service_pb2.SessionResponse]],
        timeout: float = 30.0,
    ):
        self._requests: queue.Queue[Optional[service_pb2.SessionRequest]] = queue.Queue()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._acks: dict[int, queue.Queue[_Ack]] = {}
        self._subscriptions: dict[int, Subscription] = {}
        self._timeout = timeout
        self._call = method(_until_none(self._requests))
        self._error: Optional[EiscopeError] = None
        self._ended = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def subscribe(
        self,
        id: str,
        observables: Optional[Iterable[str]] = None,
        layers: Optional[Iterable[str]] = None,
        every_steps: int = 0,
        max_hz: float = 0,
        max_unread_messages: int = 0,
    ) -> Subscription:
        """Starts a subscription (same options as Client.watch()). `max_unread_messages` (at
        least 1): the server sends at most that many messages this subscription has not read,
        merging what waits meanwhile into each observable's newest sample (with its count), so
        a slow reader gets the present; 0: no limit."""
        if (
            isinstance(max_unread_messages, bool)
            or not isinstance(max_unread_messages, int)
            or max_unread_messages < 0
        ):
            raise ValueError(
                f"max_unread_messages is a whole number of messages, 1 (the freshest) or more, "
                f"or 0 for no limit; got {max_unread_messages!r}"
            )
        request_id = next(self._ids)
        sub = Subscription(self, request_id, limited=max_unread_messages > 0)
        with self._lock:
            self._subscriptions[request_id] = sub
        watch = service_pb2.WatchRequest(
            id=id,
            observables=list(observables or []),
            layers=list(layers or []),
            every_steps=every_steps,
            max_hz=max_hz,
            max_unread_messages=max_unread_messages,
        )
        self._request(service_pb2.SessionRequest(request_id=request_id, subscribe=watch))
        return sub

    def command(self, id: str, command: types_pb2.Command) -> int:
        """Applies a steering command; returns the step at which it took effect."""
        return self._request(
            service_pb2.SessionRequest(command=service_pb2.ApplyCommandRequest(id=id, command=command))
        )

    def step(self, id: str, n: int) -> int:
        """Runs exactly n updates of the simulation, then pauses it; returns the step at which
        the control took effect."""
        control = service_pb2.ControlRequest(id=id, action=service_pb2.CONTROL_ACTION_STEP, steps=n)
        return self._request(service_pb2.SessionRequest(control=control))

    def close(self) -> None:
        """Ends the call; the server releases every subscription.

        The requests end first and the server ends the call once it has acknowledged them; the
        call is cancelled only if it has not ended within a few seconds. (Cancelling at once,
        while the server was still sending frames over TLS, now and then made the server close
        the connection, and with it the client's next call on it.)"""
        self._requests.put(None)
        if not self._ended.wait(CLOSE_WAIT_S):
            self._call.cancel()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _request(self, request: service_pb2.SessionRequest) -> int:
        """Sends `request` (given a fresh request_id unless it has one) and returns the step of
        its acknowledgement; raises the EiscopeError of a refusal or of the call's end."""
        if not request.request_id:
            request.request_id = next(self._ids)
        waiter: queue.Queue[_Ack] = queue.Queue()
        with self._lock:
            if self._error is not None:  # the call has ended: nobody would acknowledge
                raise self._error
            self._acks[request.request_id] = waiter
        self._requests.put(request)
        ack = waiter.get(timeout=self._timeout)
        if isinstance(ack, EiscopeError):
            raise ack
        if ack.code != 0:
            raise _refusal(ack)
        return ack.effective_step

    def _send(self, request: service_pb2.SessionRequest) -> None:
        """Sends a request the server does not acknowledge unless it refuses it (a read)."""
        self._requests.put(request)

    def _read(self) -> None:
        try:
            for response in self._call:
                if response.HasField("ack"):
                    with self._lock:
                        waiter = self._acks.pop(response.ack.request_id, None)
                    if waiter is not None:
                        waiter.put(response.ack)
                elif response.HasField("ended"):  # the run was deleted: its iteration ends
                    with self._lock:
                        ended = self._subscriptions.pop(response.ended.subscription_id, None)
                    if ended is not None:
                        ended._frames.put(None)
                else:
                    sub = self._subscriptions.get(response.frames.subscription_id)
                    if sub is not None:
                        for f in response.frames.frames:
                            sub._frames.put(Frame.from_proto(f))
                        sub._messages += 1
                        if sub._limited:
                            sub._frames.put(_MessageEnd(sub._messages))
        except grpc.RpcError as e:
            with self._lock:
                self._error = from_rpc_error(e)
                for waiter in self._acks.values():
                    waiter.put(self._error)
        finally:
            self._ended.set()
            for sub in list(self._subscriptions.values()):
                sub._frames.put(None)


class ReadConfirmingStream:
    """A live watch as the one subscription of a Session call with ``max_unread_messages``:
    the server sends at most that many messages the client has not read, and this stream says
    it read a message when its reader comes back for the next one. Meanwhile the server merges
    what waits (with counts), so a reader slower than the run gets the present, not frames that
    aged in buffers. Iterates WatchResponse messages like a Watch call, and ends as one does
    when the run is deleted; cancel() ends it. (Client.watch with live_unread_messages.)"""

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
        self._call = method(_until_none(self._requests), timeout=timeout)

    def __iter__(self) -> Iterator[service_pb2.WatchResponse]:
        read = 0
        try:
            for response in self._call:
                if response.HasField("ack"):
                    if response.ack.code != 0:  # the subscription was refused: the stream's error
                        raise _refusal(response.ack)
                    continue
                if response.HasField("ended"):  # the run was deleted: the watch ends, as a Watch call does
                    return
                yield service_pb2.WatchResponse(frames=response.frames.frames)
                read += 1  # the reader is back for the next message: it has read this one
                self._requests.put(_read_request(self._SUBSCRIPTION, read))
        finally:
            self._requests.put(None)

    def cancel(self) -> bool:
        self._requests.put(None)
        return self._call.cancel()
