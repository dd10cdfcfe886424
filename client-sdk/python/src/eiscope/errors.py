"""Errors raised by the eiscope client.

Every failed RPC surfaces as an EiscopeError (or the subclass for its status code) carrying the
gRPC status code name, e.g. "INVALID_ARGUMENT", and the server's message, which says what to fix.
"""

from __future__ import annotations

import grpc


class EiscopeError(Exception):
    """A failed eiscope RPC.

    Attributes:
        code: the gRPC status code name, e.g. "NOT_FOUND".
        message: the server's message, written for humans.
    """

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class InvalidArgumentError(EiscopeError):
    """The request was malformed or out of range; the message names the field."""


class NotFoundError(EiscopeError):
    """No simulation (or other named thing) with that id or name exists."""


class OutOfRangeError(EiscopeError):
    """A step the run has not reached yet (time travel goes back, never ahead); the message
    says where the run is."""


class FailedPreconditionError(EiscopeError):
    """The request is valid but not in the simulation's current state."""


class ResourceExhaustedError(EiscopeError):
    """A server limit (simulations, subscriptions, message size) was reached."""


class UnauthenticatedError(EiscopeError):
    """The server wants a token (it runs with --auth token) and got none, or one it does not
    know: pass Client(token=...) or set $EISCOPE_TOKEN."""


class PermissionDeniedError(EiscopeError):
    """The token may not do this: a read-only token asked to change a run, or the run belongs
    to another owner (only admin tokens reach every run); the message says which."""


class UnavailableError(EiscopeError):
    """The server could not be reached or went away, or its TLS certificate is not trusted
    (then the message says so: pass Client(ca_file=...))."""


class DeadlineExceededError(EiscopeError):
    """The call did not complete within its timeout."""


class CancelledError(EiscopeError):
    """The call was cancelled."""


class InternalError(EiscopeError):
    """The server failed; the message has no stack trace, the server log does."""


_BY_CODE = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgumentError,
    grpc.StatusCode.NOT_FOUND: NotFoundError,
    grpc.StatusCode.OUT_OF_RANGE: OutOfRangeError,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPreconditionError,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhaustedError,
    grpc.StatusCode.UNAVAILABLE: UnavailableError,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceededError,
    grpc.StatusCode.CANCELLED: CancelledError,
    grpc.StatusCode.INTERNAL: InternalError,
    grpc.StatusCode.UNAUTHENTICATED: UnauthenticatedError,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDeniedError,
}
#: What gRPC's TLS says when the server's certificate is not one the client trusts.
_UNTRUSTED_CERTIFICATE = "CERTIFICATE_VERIFY_FAILED"


def from_rpc_error(error: grpc.RpcError) -> EiscopeError:
    """Converts a grpc.RpcError into the EiscopeError subclass for its status code."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    details = error.details() if hasattr(error, "details") else str(error)
    details = details or ""
    if code == grpc.StatusCode.UNAVAILABLE and _UNTRUSTED_CERTIFICATE in details:
        details = (
            "the server's TLS certificate is not trusted: pass Client(ca_file=...) its "
            "certificate (a --tls-self-signed server writes <data-dir>/tls/cert.pem), "
            "or use one the system trusts; gRPC said: " + details
        )
    cls = _BY_CODE.get(code, EiscopeError)
    return cls(code.name if code is not None else "UNKNOWN", details)
