"""Tokens and TLS: a server started with --auth token --tokens FILE --tls-self-signed
(conftest.secure_server), reached over TLS trusting its cert.pem. The right token works for
every kind of call (unary, streaming, session); none, an unknown one, a read-only one steering,
another owner's run and an untrusted certificate each fail with an error that says so.
"""

import grpc
import pytest
from conftest import TOKENS

import eiscope
from eiscope.connection import parse_address, resolve_token

ADMIN, ALICE, ALICE_READ, BOB = TOKENS  # its keys: admin root, steer alice, read alice, steer bob


def mlp(client: eiscope.Client) -> eiscope.Simulation:
    return client.create(
        model={"kind": "mlp", "hidden": [16]}, learning_rule="sgd", task="fashion_mnist", seed=1
    )


@pytest.fixture(autouse=True)
def no_token_in_environment(monkeypatch):
    monkeypatch.delenv("EISCOPE_TOKEN", raising=False)


@pytest.fixture
def connect(secure_server):
    """Opens clients on the secure server (TLS trusting its certificate unless told otherwise)
    and closes them after the test."""
    opened = []

    def open_client(token, **options):
        options.setdefault("ca_file", secure_server.cert)
        client = eiscope.Client(secure_server.address, token=token, **options)
        opened.append(client)
        return client

    yield open_client
    for client in opened:
        client.close()


def test_with_its_token_over_tls_a_client_creates_steps_watches_and_reads_history(connect):
    client = connect(ALICE)
    sim = mlp(client)
    assert sim.owner == "alice"
    client.step(sim.id, 20)
    assert client.wait_for_step(sim.id, 20).step == 20
    steps = [f.step for f in client.watch(sim.id, ["loss"], from_step=1, until_paused=True)]
    assert steps == list(range(1, 21))
    assert client.history(sim.id, observables=["loss"])["step"].tolist() == list(range(1, 21))
    with client.session() as session:
        frames = session.subscribe(sim.id, ["loss"])
        assert session.step(sim.id, 5) == 20
        assert frames.get(timeout=30).observable == "loss"
    assert client.reconstruct(sim.id, 10).done
    assert client.runs().set_index("id").loc[sim.id, "owner"] == "alice"


def test_the_token_defaults_to_the_environment_and_an_empty_one_sends_none(connect, monkeypatch):
    monkeypatch.setenv("EISCOPE_TOKEN", f"{ALICE_READ}\n")  # as read from a file
    assert {s.owner for s in connect(None).list()} <= {"alice"}
    with pytest.raises(eiscope.UnauthenticatedError):
        connect("").list()


def test_without_a_token_every_kind_of_call_is_unauthenticated(connect):
    client = connect(None)
    with pytest.raises(eiscope.UnauthenticatedError) as error:
        client.list()
    assert error.value.code == "UNAUTHENTICATED"
    assert "authorization: Bearer" in error.value.message
    with pytest.raises(eiscope.UnauthenticatedError):
        next(iter(client.watch("any")))
    with pytest.raises(eiscope.UnauthenticatedError):
        client.reconstruct("any", 1)
    with client.session() as session, pytest.raises(eiscope.UnauthenticatedError):
        session.subscribe("any", ["loss"])


def test_an_unknown_token_is_unauthenticated(connect):
    with pytest.raises(eiscope.UnauthenticatedError, match="not one this server knows"):
        connect("not-a-token-0123456789").catalogue()


def test_a_read_only_token_reads_its_owners_runs_but_cannot_steer_them(connect):
    sim = mlp(connect(ALICE))
    reader = connect(ALICE_READ)
    assert reader.get(sim.id).owner == "alice"
    assert reader.parameters(sim.id)["layer0.W"].shape == (16, 784)
    with reader.watch(sim.id, ["state"]) as frames:
        assert next(iter(frames)).observable == "state"
    with pytest.raises(eiscope.PermissionDeniedError) as error:
        reader.step(sim.id, 1)
    assert error.value.code == "PERMISSION_DENIED" and "read-only" in error.value.message
    with pytest.raises(eiscope.PermissionDeniedError):
        mlp(reader)
    with reader.session() as session:
        session.subscribe(sim.id, ["loss"])  # reading is allowed in a session too
        with pytest.raises(eiscope.PermissionDeniedError):
            session.step(sim.id, 1)
    assert reader.get(sim.id).step == 0


def test_another_owners_run_is_permission_denied_and_an_admin_reaches_every_run(connect):
    alices, bobs = mlp(connect(ALICE)), mlp(connect(BOB))
    bob = connect(BOB)
    with pytest.raises(eiscope.PermissionDeniedError, match="belongs to 'alice'"):
        bob.get(alices.id)
    with pytest.raises(eiscope.PermissionDeniedError):
        bob.step(alices.id, 1)
    with pytest.raises(eiscope.PermissionDeniedError):
        next(iter(bob.watch(alices.id)))
    assert alices.id not in {s.id for s in bob.list()} and bobs.id in {s.id for s in bob.list()}
    assert {alices.id, bobs.id} <= {s.id for s in connect(ADMIN).list()}
    assert connect(ADMIN).pause(alices.id).simulation.owner == "alice"


def test_a_client_that_does_not_trust_the_certificate_fails_saying_what_to_pass(connect):
    with pytest.raises(eiscope.UnavailableError) as error:
        connect(ALICE, ca_file=None, tls=True).list()  # the system's trust: not a self-signed one
    assert "certificate is not trusted" in error.value.message
    assert "ca_file" in error.value.message


def test_a_plaintext_client_gets_no_answer_from_a_tls_port(secure_server):
    with (
        eiscope.Client(f"127.0.0.1:{secure_server.port}", token=ALICE) as plain,
        pytest.raises(eiscope.UnavailableError),
    ):
        plain.list()


def test_a_token_is_added_to_a_channel_the_caller_built(secure_server):
    credentials = grpc.ssl_channel_credentials(root_certificates=secure_server.cert.read_bytes())
    with grpc.secure_channel(f"127.0.0.1:{secure_server.port}", credentials) as channel:
        mlp(eiscope.Client(channel=channel, token=ALICE))
        assert {s.owner for s in eiscope.Client(channel=channel, token=ALICE).list()} == {"alice"}
        with pytest.raises(eiscope.UnauthenticatedError):
            eiscope.Client(channel=channel).list()
        with pytest.raises(ValueError, match="own credentials"):
            eiscope.Client(channel=channel, ca_file=secure_server.cert)


@pytest.mark.parametrize(
    "address, tls, ca_file, expected",
    [
        ("127.0.0.1:7070", None, None, ("127.0.0.1:7070", False)),
        ("127.0.0.1:7070", True, None, ("127.0.0.1:7070", True)),
        ("127.0.0.1:7070", None, "cert.pem", ("127.0.0.1:7070", True)),
        ("https://lab.example:7443/", None, None, ("lab.example:7443", True)),
        ("https://lab.example", None, None, ("lab.example:443", True)),
        ("http://127.0.0.1:7070/", None, None, ("127.0.0.1:7070", False)),
        ("https://[::1]:7070", True, "cert.pem", ("[::1]:7070", True)),
    ],
)
def test_addresses_say_where_and_whether_tls(address, tls, ca_file, expected):
    assert parse_address(address, tls, ca_file) == expected


@pytest.mark.parametrize(
    "address, tls, ca_file",
    [
        ("http://127.0.0.1:7070", True, None),
        ("http://127.0.0.1:7070", None, "cert.pem"),
        ("https://127.0.0.1:7070", False, None),
        ("127.0.0.1:7070", False, "cert.pem"),
        ("ftp://127.0.0.1:7070", None, None),
        ("https://127.0.0.1:7070/?token=abc", None, None),  # the token goes as token=, not here
    ],
)
def test_contradictory_or_token_bearing_addresses_are_refused(address, tls, ca_file):
    with pytest.raises(ValueError):
        parse_address(address, tls, ca_file)


def test_a_missing_or_non_pem_ca_file_is_refused_naming_it(tmp_path):
    with pytest.raises(ValueError, match="cannot be read"):
        eiscope.Client("127.0.0.1:1", ca_file=tmp_path / "missing.pem")
    (tmp_path / "key.txt").write_text("not a certificate")
    with pytest.raises(ValueError, match="no PEM certificate"):
        eiscope.Client("127.0.0.1:1", ca_file=tmp_path / "key.txt")


def test_tokens_are_stripped_and_whitespace_inside_is_refused(monkeypatch):
    assert resolve_token(" abc\n") == "abc"
    assert resolve_token("") is None
    monkeypatch.setenv("EISCOPE_TOKEN", "from-env")
    assert resolve_token(None) == "from-env" and resolve_token("") is None
    with pytest.raises(ValueError, match="whitespace"):
        resolve_token("two words")
