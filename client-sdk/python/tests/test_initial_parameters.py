"""Initialising a simulation from a user's matrix (e.g. a connectome): numpy in, bit-identical numpy out."""

import numpy as np
import pytest

import eiscope

HIDDEN, INPUTS = 64, 784  # conftest's make_mlp: hidden [64] on Fashion-MNIST


def connectome(seed: int) -> np.ndarray:
    """Sparse non-negative weights, shape (post, pre), unlike anything the model would draw."""
    rng = np.random.default_rng(seed)
    w = rng.uniform(0, 0.05, size=(HIDDEN, INPUTS)).astype(np.float32)
    w[rng.random((HIDDEN, INPUTS)) > 0.1] = 0
    return w


def test_an_uploaded_matrix_reads_back_bit_identical_and_reset_returns_to_it(client, make_mlp):
    W = connectome(1)
    sim = make_mlp(initial_parameters={"layer0.W": W})
    assert sim.initial_parameter_names == ["layer0.W"]
    assert sim.parameters["layer0.W"] == W.shape
    got = client.parameters(sim.id, ["layer0.W"])["layer0.W"]
    assert got.dtype == np.float32 and got.tobytes() == W.tobytes()

    client.step(sim.id, 5)
    client.wait(sim.id, until_step=5)
    assert not np.array_equal(client.parameters(sim.id, ["layer0.W"])["layer0.W"], W)
    client.reset(sim.id)
    assert client.parameters(sim.id, ["layer0.W"])["layer0.W"].tobytes() == W.tobytes()
    assert client.get(sim.id).initial_parameter_names == ["layer0.W"]


def test_float64_arrays_are_sent_as_float32(client, make_mlp):
    W = connectome(2).astype(np.float64) / 3
    sim = make_mlp(initial_parameters={"layer0.W": W})
    got = client.parameters(sim.id, ["layer0.W"])["layer0.W"]
    assert np.array_equal(got, W.astype(np.float32))


def test_a_matrix_holding_nan_is_invalid_argument_naming_the_entry(client, make_mlp):
    W = connectome(3)
    W[3, 7] = np.nan
    before = len(client.list())
    with pytest.raises(eiscope.InvalidArgumentError) as error:
        make_mlp(initial_parameters={"layer0.W": W})
    assert (
        error.value.message
        == 'initial_parameters["layer0.W"]: holds NaN at (3, 7); every value must be finite'
    )
    assert len(client.list()) == before


def test_a_transposed_matrix_is_invalid_argument_with_both_shapes(make_mlp):
    with pytest.raises(eiscope.InvalidArgumentError) as error:
        make_mlp(initial_parameters={"layer0.W": connectome(4).T})
    assert (
        error.value.message
        == 'initial_parameters["layer0.W"]: shape 784x64 does not match the parameter\'s 64x784'
    )
