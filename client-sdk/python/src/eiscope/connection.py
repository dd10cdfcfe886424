"""How a Client reaches its server: the address, TLS and its trust, and the bearer token.

A server started with ``--auth token`` wants ``authorization: Bearer <token>`` on every call to
eiscope.v1.SimulationService; one started with ``--tls-cert``/``--tls-self-signed`` speaks TLS
only. open_channel() builds the channel for both; with_token() adds the token to a channel the
caller built.
"""

from __future__ import annotations

import collections
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, TypeVar, Union
from urllib.parse import urlsplit

import grpc

if TYPE_CHECKING:  # names of grpc's type stubs only (types-grpcio), absent at run time
    from grpc import _CallFuture, _CallIterator

_Request = TypeVar("_Request")
_Response = TypeVar("_Response")

#: Largest message the client accepts or sends (big weight tensors, spectra).
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
#: The environment variable a Client reads its token from when given none.
TOKEN_ENV = "EISCOPE_TOKEN"
CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
]
#: Smallest live window a Client takes: below it every small frame costs a round trip.
MIN_LIVE_WINDOW_BYTES = 1024


def live_channel_options(window_bytes: int) -> list[tuple[str, int]]:
    """Options of a channel whose streams each hold at most about `window_bytes` (plus the
    message being read) between server and client: HTTP/2's per-stream window fixed at that
    size, without the bandwidth-delay probing that would grow it to megabytes. What a slow
    reader has not taken then waits on the server, which merges it when it is older than the
    server's --max-stream-lag-ms, instead of in socket buffers, where it ages."""
    if isinstance(window_bytes, bool) or not isinstance(window_bytes, int):
        raise TypeError(f"live_window_bytes is a whole number of bytes, not {window_bytes!r}")
    if window_bytes < MIN_LIVE_WINDOW_BYTES:
        raise ValueError(
            f"live_window_bytes {window_bytes} is below {MIN_LIVE_WINDOW_BYTES}: use at least "
            f"{MIN_LIVE_WINDOW_BYTES}, or None for gRPC's own (growing) window"
        )
    return CHANNEL_OPTIONS + [
        ("grpc.http2.bdp_probe", 0),
        ("grpc.http2.lookahead_bytes", window_bytes),
    ]


def resolve_token(token: Optional[str]) -> Optional[str]:
    """`token` stripped, or $EISCOPE_TOKEN when it is None; None when either is empty.
    ValueError for a token with whitespace inside (no server token has any)."""
    if token is None:
        token = os.environ.get(TOKEN_ENV)
    token = (token or "").strip()
    if any(c.isspace() for c in token):
        raise ValueError(f"a token has no whitespace inside; check what was passed as token= or ${TOKEN_ENV}")
    return token or None


def parse_address(
    address: str, tls: Optional[bool], ca_file: Optional[Union[str, os.PathLike[str]]]
) -> tuple[str, bool]:
    """(host:port for gRPC, whether to use TLS) of "host:port", "https://host[:port][/...]" or
    "http://host[:port][/...]" (the URL a server prints). TLS when the URL says https, when
    `tls` is True or when a `ca_file` is given; a contradiction, or a URL carrying ?token=
    (which would otherwise be ignored), is a ValueError."""
    if "://" not in address:
        if tls is False and ca_file is not None:
            raise ValueError("ca_file= is a certificate to trust over TLS; it contradicts tls=False")
        return address, bool(tls) or ca_file is not None
    url = urlsplit(address)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ValueError(f"address {address!r}: expected host:port, https://host:port or http://host:port")
    if "token=" in url.query:  # the URL a server prints when it generated a token
        raise ValueError(
            "the address carries a token (?token=...): pass it as token= or "
            f"${TOKEN_ENV} instead, and the address without it"
        )
    secure = url.scheme == "https"
    if not secure and (tls or ca_file is not None):
        raise ValueError(
            f"address {address!r} is http://, which contradicts "
            f"{'tls=True' if tls else 'ca_file='}: use https://"
        )
    if secure and tls is False:
        raise ValueError(f"address {address!r} is https://, which contradicts tls=False")
    host = f"[{url.hostname}]" if ":" in url.hostname else url.hostname
    return f"{host}:{url.port or (443 if secure else 80)}", secure


def open_channel(
    target: str,
    secure: bool,
    ca_file: Optional[Union[str, os.PathLike[str]]],
    options: Optional[list[tuple[str, int]]] = None,
) -> grpc.Channel:
    """A channel to `target` (host:port) with 64 MiB message limits (or `options`): plaintext,
    or TLS trusting the PEM certificates in `ca_file` (e.g. the cert.pem a --tls-self-signed
    server wrote into <data-dir>/tls), or the system's trust when `ca_file` is None."""
    options = CHANNEL_OPTIONS if options is None else options
    if not secure:
        return grpc.insecure_channel(target, options=options)
    roots = None
    if ca_file is not None:
        try:
            roots = Path(ca_file).read_bytes()
        except OSError as e:
            raise ValueError(f"ca_file {str(ca_file)!r} cannot be read: {e.strerror}") from None
        if b"-----BEGIN CERTIFICATE-----" not in roots:
            raise ValueError(
                f"ca_file {str(ca_file)!r} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
            )
    return grpc.secure_channel(target, grpc.ssl_channel_credentials(root_certificates=roots), options=options)


def with_token(channel: grpc.Channel, token: Optional[str]) -> grpc.Channel:
    """`channel` sending ``authorization: Bearer <token>`` with every call (unary, streaming
    and bidirectional); `channel` itself when `token` is None. Over plaintext the token
    crosses the network readable: use TLS beyond loopback."""
    if token is None:
        return channel
    return grpc.intercept_channel(channel, _BearerToken(token))


class _CallDetails(
    collections.namedtuple(
        "_CallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")
    ),
    grpc.ClientCallDetails,
):
    pass


class _BearerToken(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    """Adds the authorization metadata to every call."""

    def __init__(self, token: str):
        self._header = ("authorization", f"Bearer {token}")

    def _with_header(self, details: grpc.ClientCallDetails) -> _CallDetails:
        return _CallDetails(
            details.method,
            details.timeout,
            [*(details.metadata or ()), self._header],
            details.credentials,
            getattr(details, "wait_for_ready", None),
            getattr(details, "compression", None),
        )

    def intercept_unary_unary(
        self,
        continuation: Callable[[grpc.ClientCallDetails, _Request], _CallFuture[_Response]],
        details: grpc.ClientCallDetails,
        request: _Request,
    ) -> _CallFuture[_Response]:
        return continuation(self._with_header(details), request)

    def intercept_unary_stream(
        self,
        continuation: Callable[[grpc.ClientCallDetails, _Request], _CallIterator[_Response]],
        details: grpc.ClientCallDetails,
        request: _Request,
    ) -> _CallIterator[_Response]:
        return continuation(self._with_header(details), request)

    def intercept_stream_unary(
        self,
        continuation: Callable[[grpc.ClientCallDetails, Iterator[_Request]], _CallFuture[_Response]],
        details: grpc.ClientCallDetails,
        requests: Iterator[_Request],
    ) -> _CallFuture[_Response]:
        return continuation(self._with_header(details), requests)

    def intercept_stream_stream(
        self,
        continuation: Callable[[grpc.ClientCallDetails, Iterator[_Request]], _CallIterator[_Response]],
        details: grpc.ClientCallDetails,
        requests: Iterator[_Request],
    ) -> _CallIterator[_Response]:
        return continuation(self._with_header(details), requests)
