"""Offline tests of the Python <-> proto conversions (no server needed)."""

import numpy as np
import pytest

from eiscope._proto import types_pb2
from eiscope.frames import Frame, array_to_tensor, tensor_to_array
from eiscope.values import component_to_dict, from_value, to_component, to_value


def test_python_values_map_to_the_matching_value_kind():
    assert to_value(True).WhichOneof("kind") == "flag"
    assert to_value(np.bool_(False)).flag is False
    assert to_value(3).integer == 3
    assert to_value(np.int64(7)).integer == 7
    assert to_value(0.05).number == 0.05
    assert to_value(np.float32(0.5)).number == 0.5
    assert to_value("relu").text == "relu"
    assert list(to_value([100, 50]).ints.values) == [100, 50]
    assert list(to_value(np.array([3, 4])).ints.values) == [3, 4]


def test_a_list_of_floats_is_rejected_with_the_parameter_name():
    with pytest.raises(TypeError, match="model.hidden"):
        to_component({"kind": "mlp", "hidden": [1.5]}, "model")


def test_unsupported_types_are_rejected():
    with pytest.raises(TypeError, match="dict"):
        to_value({"a": 1}, "x")


def test_component_dict_round_trips_through_the_proto():
    spec = {"kind": "mlp", "hidden": [64, 32], "bias": True, "gain": 1.5, "act": "relu"}
    component = to_component(spec, "model")
    assert component.kind == "mlp"
    assert component_to_dict(component) == spec
    nested = to_component({"kind": "sgd", "params": {"learning_rate": 0.1}}, "learning_rule")
    assert from_value(nested.params["learning_rate"]) == 0.1


def test_a_component_without_kind_is_rejected():
    with pytest.raises(TypeError, match="kind"):
        to_component({"hidden": [64]}, "model")


def test_tensor_bytes_decode_little_endian_row_major():
    expected = np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5
    tensor = types_pb2.Tensor(shape=[2, 3], data=expected.astype("<f4").tobytes())
    decoded = tensor_to_array(tensor)
    assert decoded.dtype == np.float32 and decoded.shape == (2, 3)
    assert np.array_equal(decoded, expected)
    decoded[0, 0] = 1  # a writable copy


def test_a_tensor_whose_bytes_do_not_match_its_shape_is_rejected():
    with pytest.raises(ValueError, match="24 bytes"):
        tensor_to_array(types_pb2.Tensor(shape=[2, 3], data=b"\0" * 20))


def test_frames_decode_each_payload_kind():
    scalar = Frame.from_proto(
        types_pb2.Frame(
            simulation_id="s",
            step=5,
            wall_time_unix_nanos=2_000_000_000,
            observable="loss",
            scalar=types_pb2.Scalar(value=0.25, merged_count=3),
        )
    )
    assert (scalar.kind, scalar.value, scalar.merged_count, scalar.wall_time) == ("scalar", 0.25, 3, 2.0)
    histogram = Frame.from_proto(
        types_pb2.Frame(
            observable="w",
            layer="layer0.W",
            dropped=2,
            histogram=types_pb2.Histogram(edges=[0, 1, 2], counts=[4, 5]),
        )
    )
    edges, counts = histogram.value
    assert histogram.kind == "histogram" and histogram.dropped == 2
    assert edges.tolist() == [0, 1, 2] and counts.tolist() == [4, 5]
    event = Frame.from_proto(
        types_pb2.Frame(
            event=types_pb2.Event(state=types_pb2.SIMULATION_STATE_DIVERGED, message="loss is NaN at step 3")
        )
    )
    assert event.value == ("DIVERGED", "loss is NaN at step 3")


def test_arrays_encode_as_little_endian_row_major_float32_and_round_trip():
    weights = (np.arange(12, dtype=np.float64).reshape(3, 4) - 5.5) / 3  # float64 is rounded to float32
    tensor = array_to_tensor(weights)
    assert list(tensor.shape) == [3, 4] and len(tensor.data) == 48
    assert tensor.data == weights.astype("<f4").tobytes()
    assert np.array_equal(tensor_to_array(tensor), weights.astype(np.float32))
    transposed = array_to_tensor(np.asfortranarray(weights))  # memory order does not matter
    assert transposed.data == tensor.data


def test_arrays_of_anything_but_real_numbers_are_rejected_with_the_name():
    with pytest.raises(TypeError, match=r"initial_parameters\['layer0.W'\].*complex"):
        array_to_tensor(np.ones((2, 2), dtype=np.complex64), "initial_parameters['layer0.W']")
    with pytest.raises(TypeError, match="real numbers"):
        array_to_tensor([["a", "b"]])
