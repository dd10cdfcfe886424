"""Fixtures: one live eiscope server for the whole session, on 127.0.0.1 and a free port.

The server is `$EISCOPE_JAVA -jar $EISCOPE_JAR --host 127.0.0.1 --port 0 --data-dir $EISCOPE_DATA_DIR`
(EISCOPE_JAVA: the JDK ./eiscope runs the server on, java when unset; defaults:
<repo>/server/app/target/eiscope-server.jar and a fresh temporary directory, so that
the runs the tests record neither land in nor meet the developer's own record; the server finds
the datasets that `./eiscope build` fetched whatever the data directory). It prints
"eiscope listening on http://127.0.0.1:PORT" when ready. A missing jar, an early exit or no
such line within START_TIMEOUT_S fails every test with the server's output; nothing is skipped.

`secure_server` is a second one, started on first use, with authentication and TLS:
`--auth token --tokens FILE --tls-self-signed` (TOKENS below; its certificate is
<data dir>/tls/cert.pem, and it prints https://).
"""

import contextlib
import os
import re
import subprocess
import threading
from pathlib import Path

import pytest

import eiscope

# Headless: eiscope.notebook's figures render with Agg on ipympl's canvas and never need a
# display; nothing in the tests may pick a GUI backend either (a notebook kernel inherits it).
os.environ.setdefault("MPLBACKEND", "Agg")

REPO = Path(__file__).resolve().parents[3]
START_TIMEOUT_S = 60.0
_READY = re.compile(r"eiscope listening on https?://127\.0\.0\.1:(\d+)")
#: The secure server's tokens: token -> (role, owner).
TOKENS = {
    "admin-token-0123456789abcdef": ("admin", "root"),
    "alice-steer-0123456789abcdef": ("steer", "alice"),
    "alice-read-0123456789abcdef": ("read", "alice"),
    "bob-steer-0123456789abcdef": ("steer", "bob"),
}


class _Server:
    """A running server process whose output is drained on a thread (so it never blocks)."""

    def __init__(self, jar: Path, data_dir: Path, *extra_args: str):
        self.output: list = []
        self.port = None
        self.data_dir = data_dir
        self._ready = threading.Event()
        self.process = subprocess.Popen(
            [
                os.environ.get("EISCOPE_JAVA", "java"),
                "-jar",
                str(jar),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--data-dir",
                str(data_dir),
                *extra_args,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.process.stdout:
            self.output.append(line)
            match = _READY.search(line)
            if match and self.port is None:
                self.port = int(match.group(1))
                self._ready.set()
        self._ready.set()  # the process ended: wake the waiter

    def wait_ready(self, timeout: float) -> None:
        self._ready.wait(timeout)
        if self.port is None:
            self.stop()
            why = "exited" if self.process.poll() is not None else f"not ready in {timeout} s"
            pytest.fail(
                f"eiscope server {why} (exit code {self.process.returncode}); "
                "output:\n" + "".join(self.output[-200:]),
                pytrace=False,
            )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _jar() -> Path:
    jar = Path(os.environ.get("EISCOPE_JAR", REPO / "server/app/target/eiscope-server.jar"))
    if not jar.is_file():
        pytest.fail(
            f"eiscope server jar not found at {jar}: build the server first "
            "(./mvnw -q package) or set EISCOPE_JAR",
            pytrace=False,
        )
    return jar


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    data_dir = (
        Path(os.environ["EISCOPE_DATA_DIR"])
        if os.environ.get("EISCOPE_DATA_DIR")
        else tmp_path_factory.mktemp("eiscope-data")
    )
    process = _Server(_jar(), data_dir)
    process.wait_ready(START_TIMEOUT_S)
    yield process
    process.stop()


@pytest.fixture(scope="session")
def secure_server(tmp_path_factory):
    """A server wanting TOKENS over TLS; its data directory is always a fresh ``.data`` (so
    that its certificate is ``.data/tls/cert.pem`` beside it, as in the README), and
    ``cert`` and ``address`` ("https://127.0.0.1:PORT") say how to reach it."""
    root = tmp_path_factory.mktemp("eiscope-secure")
    tokens = root / "tokens"
    tokens.write_text("".join(f"{t} {role} {owner}\n" for t, (role, owner) in TOKENS.items()))
    process = _Server(_jar(), root / ".data", "--auth", "token", "--tokens", str(tokens), "--tls-self-signed")
    process.wait_ready(START_TIMEOUT_S)
    process.cert = root / ".data" / "tls" / "cert.pem"
    process.address = f"https://127.0.0.1:{process.port}"
    yield process
    process.stop()


@pytest.fixture(scope="session")
def client(server):
    with eiscope.Client(f"127.0.0.1:{server.port}") as c:
        yield c


@pytest.fixture
def make_mlp(client):
    """Creates small MLPs on Fashion-MNIST (hidden [64], SGD 0.05, batch 32) and deletes them
    after the test; keyword arguments override create()'s."""
    created = []

    def make(**overrides):
        kwargs = dict(
            model={"kind": "mlp", "hidden": [64]},
            learning_rule={"kind": "sgd", "learning_rate": 0.05},
            task={"kind": "fashion_mnist"},
            batch_size=32,
            seed=1,
        )
        kwargs.update(overrides)
        sim = client.create(**kwargs)
        created.append(sim.id)
        return sim

    yield make
    for sim_id in created:
        with contextlib.suppress(eiscope.NotFoundError):  # the test deleted it itself
            client.delete(sim_id)
