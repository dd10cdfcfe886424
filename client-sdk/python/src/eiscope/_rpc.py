"""The one place a Client makes a unary call: the service stub, the deadline, and errors mapped
to EiscopeError. Client and its run-record and time-travel mixins all derive from Calls, so that
each of their calls is typed by the request and response of its RPC (mypy-protobuf's stubs)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, TypeVar

import grpc

from eiscope._proto import service_grpc
from eiscope.errors import from_rpc_error

_Request = TypeVar("_Request")
_Response = TypeVar("_Response")
_Item = TypeVar("_Item", covariant=True)


class ResponseStream(Protocol[_Item]):
    """A streaming call as gRPC returns it: its responses in order, and cancel(). (grpc's type
    stubs name it _CallIterator, which does not exist at run time, where pdoc reads
    annotations.)"""

    def __iter__(self) -> Iterator[_Item]: ...

    def cancel(self) -> bool: ...


class Calls:
    """What every group of Client methods needs: the stub and the deadline of unary calls."""

    _stub: service_grpc.SimulationServiceStub
    #: Deadline, in seconds, of every unary call.
    timeout: float

    def _call(
        self, method: grpc.UnaryUnaryMultiCallable[_Request, _Response], request: _Request
    ) -> _Response:
        """Calls `method` with `request` within `timeout` s; a failed call raises the
        EiscopeError subclass of its status code."""
        try:
            return method(request, timeout=self.timeout)
        except grpc.RpcError as e:
            raise from_rpc_error(e) from None
