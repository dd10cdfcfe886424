"""Decoding of streamed frames, and tensors to and from numpy arrays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from eiscope._enums import short_name
from eiscope._proto import types_pb2


def tensor_to_array(tensor: types_pb2.Tensor) -> np.ndarray:
    """Returns a writable float32 array of tensor.shape decoded from little-endian row-major
    bytes; raises ValueError if the byte count does not match the shape."""
    shape = tuple(tensor.shape)
    expected = 4 * int(np.prod(shape, dtype=np.int64))
    if len(tensor.data) != expected:
        raise ValueError(f"tensor of shape {shape} needs {expected} bytes, got {len(tensor.data)}")
    return np.frombuffer(tensor.data, dtype="<f4").astype(np.float32).reshape(shape)


def array_to_tensor(array: Any, name: str = "tensor") -> types_pb2.Tensor:
    """Returns the proto Tensor of an array-like of real numbers: its shape, and its values as
    little-endian float32 in row-major (C) order. Other float types are rounded to float32, as
    the server stores them; `name` only feeds error messages. Raises TypeError for anything
    that is not real numbers (complex, strings, objects)."""
    values = np.asarray(array)
    if values.dtype == np.bool_ or not (
        np.issubdtype(values.dtype, np.floating) or np.issubdtype(values.dtype, np.integer)
    ):
        raise TypeError(f"{name}: expected an array of real numbers, got dtype {values.dtype}")
    data = np.ascontiguousarray(values, dtype="<f4").tobytes()
    return types_pb2.Tensor(shape=list(values.shape), data=data)


@dataclass(frozen=True)
class Frame:
    """One observation.

    Attributes:
        kind: the payload: "scalar", "tensor", "histogram" or "event".
        value: float for a scalar; float32 array for a tensor (spectra travel as tensors);
            (edges float64 array, counts uint64 array) for a histogram; (state, message) for an
            event, state being e.g. "PAUSED".
        layer: layer or parameter name; "" for network-wide observables.
        wall_time: seconds since the Unix epoch (wall_time_unix_nanos / 1e9).
        merged_count: for scalars, how many samples this value averages (1 normally, more when
            this subscriber fell behind and samples were merged); 1 for other kinds.
        dropped: newer frames of this (observable, layer) replaced older ones this many times
            before this subscriber took them (latest-wins observables only).
    """

    simulation_id: str
    step: int
    wall_time_unix_nanos: int
    observable: str
    layer: str
    kind: str
    value: Any
    merged_count: int
    dropped: int

    @property
    def wall_time(self) -> float:
        """When the frame was measured, in seconds since the Unix epoch."""
        return self.wall_time_unix_nanos / 1e9

    @staticmethod
    def from_proto(msg: types_pb2.Frame) -> Frame:
        """Decodes an API Frame (float32 tensors as numpy arrays, histograms as (edges, counts))."""
        kind = msg.WhichOneof("payload") or ""
        merged = 1
        if kind == "scalar":
            value: Any = msg.scalar.value
            merged = msg.scalar.merged_count
        elif kind == "tensor":
            value = tensor_to_array(msg.tensor)
        elif kind == "histogram":
            value = (
                np.array(msg.histogram.edges, dtype=np.float64),
                np.array(msg.histogram.counts, dtype=np.uint64),
            )
        elif kind == "event":
            state = short_name(types_pb2.SimulationState, msg.event.state, "SIMULATION_STATE_")
            value = (state, msg.event.message)
        else:
            value = None
        return Frame(
            msg.simulation_id,
            msg.step,
            msg.wall_time_unix_nanos,
            msg.observable,
            msg.layer,
            kind,
            value,
            merged,
            msg.dropped,
        )
