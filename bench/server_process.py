"""A server process for the benchmarks: a jar started on a free port and a fresh data directory,
with OPENBLAS_NUM_THREADS=1 (as ./eiscope sets) and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset
(docs/benchmarks.md, "Traps"), stopped on leaving."""

import contextlib
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator


@contextlib.contextmanager
def served(jar: str, *args: str, jvm_flags: tuple[str, ...] = ()) -> Iterator[int]:
    """Yields the port of `java [jvm_flags] -jar jar --port 0 --data-dir <fresh> [args]` once it listens."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    }
    env["OPENBLAS_NUM_THREADS"] = "1"
    with tempfile.TemporaryDirectory() as data:
        cmd = [
            "java",
            *jvm_flags,
            "-jar",
            jar,
            "--port",
            "0",
            "--data-dir",
            data,
            *args,
        ]
        server = subprocess.Popen(
            cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        try:
            for line in server.stdout:
                m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
                if m:
                    yield int(m.group(1))
                    return
            raise RuntimeError(f"{jar} exited before it listened")
        finally:
            server.terminate()
            server.wait(60)
