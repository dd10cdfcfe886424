"""A server process for the benchmarks: a jar started on a free port and a fresh data directory,
with OPENBLAS_NUM_THREADS=1 (as ./eiscope sets) and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset
(docs/benchmarks.md, "Traps"), stopped on leaving."""

import contextlib
import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from typing import IO


def bench_env() -> dict[str, str]:
    """The environment of a benchmark's server: one OpenBLAS thread, its kernel not forced."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    }
    env["OPENBLAS_NUM_THREADS"] = "1"
    return env


def start(
    jar: str, data: str, *args: str, jvm_flags: tuple[str, ...] = ()
) -> tuple[subprocess.Popen[str], int]:
    """Starts `java [jvm_flags] -jar jar --port 0 --data-dir data [args]`; the process and its
    port once it listens (its output is then drained on a thread)."""
    cmd = [os.environ.get("EISCOPE_JAVA", "java"), *jvm_flags, "-jar", jar, "--port", "0", "--data-dir", data, *args]
    server = subprocess.Popen(
        cmd,
        env=bench_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    for line in server.stdout:
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if m:
            threading.Thread(target=_drain, args=(server.stdout,), daemon=True).start()
            return server, int(m.group(1))
    server.wait(60)
    raise RuntimeError(f"{jar} exited before it listened")


def _drain(stream: IO[str]) -> None:
    for _ in stream:  # keeps the pipe from filling
        pass


@contextlib.contextmanager
def served(jar: str, *args: str, jvm_flags: tuple[str, ...] = ()) -> Iterator[int]:
    """Yields the port of `java [jvm_flags] -jar jar --port 0 --data-dir <fresh> [args]` once it listens."""
    with tempfile.TemporaryDirectory() as data:
        server, port = start(jar, data, *args, jvm_flags=jvm_flags)
        try:
            yield port
        finally:
            server.terminate()
            server.wait(60)
