"""Every failed call surfaces as an EiscopeError with the status code and the server's words."""

import pytest

import eiscope

UNKNOWN = "no-such-simulation"


def test_get_of_an_unknown_id_raises_not_found(client):
    with pytest.raises(eiscope.NotFoundError) as error:
        client.get(UNKNOWN)
    assert error.value.code == "NOT_FOUND"
    assert error.value.message


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.delete(UNKNOWN),
        lambda c: c.step(UNKNOWN, 1),
        lambda c: c.play(UNKNOWN),
        lambda c: c.parameters(UNKNOWN),
    ],
    ids=["delete", "step", "play", "parameters"],
)
def test_calls_on_an_unknown_id_raise_not_found(client, call):
    with pytest.raises(eiscope.NotFoundError):
        call(client)


def test_negative_learning_rate_raises_invalid_argument_naming_the_field(make_mlp):
    with pytest.raises(eiscope.InvalidArgumentError) as error:
        make_mlp(learning_rule={"kind": "sgd", "learning_rate": -0.1})
    assert error.value.code == "INVALID_ARGUMENT"
    assert "learning_rate" in error.value.message


def test_unknown_model_kind_raises_invalid_argument_naming_it(make_mlp):
    with pytest.raises(eiscope.InvalidArgumentError) as error:
        make_mlp(model={"kind": "no_such_model"})
    assert "no_such_model" in error.value.message


def test_step_with_zero_updates_raises_invalid_argument(client, make_mlp):
    sim = make_mlp()
    with pytest.raises(eiscope.InvalidArgumentError) as error:
        client.step(sim.id, 0)
    assert error.value.code == "INVALID_ARGUMENT"
    assert client.get(sim.id).step == 0


def test_errors_read_as_code_then_message(client):
    with pytest.raises(eiscope.EiscopeError, match=r"^NOT_FOUND: "):
        client.get(UNKNOWN)
