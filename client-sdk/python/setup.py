"""Build hooks: generate the gRPC stubs from proto/eiscope/v1/*.proto at build time.

The stubs are written to src/eiscope/_gen/ (gitignored, never committed) with grpcio-tools,
whose bundled protoc matches the protobuf runtime that pyproject.toml pins. Their type stubs
(.pyi, for the messages and for the service's stub, whose methods are typed with their request
and response) come from mypy-protobuf's protoc plugins, also a build requirement, so that mypy
checks every call the client makes against the API.

Where the .proto files are looked for, first hit wins:
  1. $EISCOPE_PROTO_DIR (a directory holding eiscope/v1/*.proto);
  2. ./proto beside this file (what an sdist carries, see SdistWithProtos);
  3. ../../proto, the repository's single source of the API (a checkout, pip's in-tree build).

protoc emits imports like ``from eiscope.v1 import types_pb2``, which would collide with this
package's own name; they are rewritten to ``from eiscope._gen import types_pb2`` and the
build fails if any import of ``eiscope.v1`` is left.
"""
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent
GEN_DIR = HERE / "src" / "eiscope" / "_gen"
GEN_PACKAGE = "eiscope._gen"
PROTO_PACKAGE_DIR = Path("eiscope") / "v1"
_GENERATED_IMPORT = re.compile(r"^from eiscope\.v1 import ", re.MULTILINE)
_LEFTOVER_IMPORT = re.compile(r"^\s*(from|import) eiscope\.v1\b", re.MULTILINE)


def find_proto_root() -> Path:
    """Returns the directory that holds eiscope/v1/*.proto, or raises with every place tried."""
    candidates = []
    if os.environ.get("EISCOPE_PROTO_DIR"):
        candidates.append(Path(os.environ["EISCOPE_PROTO_DIR"]))
    candidates += [HERE / "proto", HERE.parent.parent / "proto"]
    for root in candidates:
        if (root / PROTO_PACKAGE_DIR / "types.proto").is_file():
            return root.resolve()
    tried = ", ".join(str(c) for c in candidates)
    raise RuntimeError(
        f"eiscope: cannot find eiscope/v1/*.proto (tried {tried}); "
        "set EISCOPE_PROTO_DIR to the repository's proto/ directory")


def find_plugin(name: str) -> str:
    """The path of a protoc plugin executable that a build requirement installed (pip's build
    environment puts its scripts on PATH; a plain venv has them beside its python)."""
    beside_python = Path(sys.executable).parent / name
    found = shutil.which(name) or (str(beside_python) if beside_python.is_file() else None)
    if found is None:
        raise RuntimeError(
            f"eiscope: protoc plugin {name} not found; it comes with mypy-protobuf, a build "
            "requirement in pyproject.toml (install it when building with --no-build-isolation)")
    return found


def generate_stubs(proto_root: Path, out_dir: Path) -> None:
    """Replaces out_dir with freshly generated, import-rewritten *_pb2 / *_pb2_grpc modules and
    their mypy-protobuf type stubs."""
    from grpc_tools import protoc  # a build requirement; imported late so metadata needs none
    import grpc_tools

    protos = sorted(str(p) for p in (proto_root / PROTO_PACKAGE_DIR).glob("*.proto"))
    well_known = Path(grpc_tools.__file__).parent / "_proto"
    with tempfile.TemporaryDirectory() as tmp:
        args = ["grpc_tools.protoc", f"-I{proto_root}", f"-I{well_known}",
                f"--plugin=protoc-gen-mypy={find_plugin('protoc-gen-mypy')}",
                f"--plugin=protoc-gen-mypy_grpc={find_plugin('protoc-gen-mypy_grpc')}",
                f"--python_out={tmp}", f"--mypy_out={tmp}", f"--grpc_python_out={tmp}",
                f"--mypy_grpc_out={tmp}", *protos]
        if protoc.main(args) != 0:
            raise RuntimeError(f"eiscope: protoc failed on {protos}")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        out_dir.mkdir(parents=True)
        (out_dir / "__init__.py").write_text(
            '"""Generated at build time from proto/eiscope/v1 by setup.py. Do not edit."""\n')
        for src in sorted((Path(tmp) / PROTO_PACKAGE_DIR).iterdir()):
            text = _GENERATED_IMPORT.sub(f"from {GEN_PACKAGE} import ", src.read_text())
            if _LEFTOVER_IMPORT.search(text):
                raise RuntimeError(f"eiscope: unrewritten eiscope.v1 import in {src.name}")
            (out_dir / src.name).write_text(text)


class BuildPyWithProtos(build_py):
    """build_py that first generates the stubs into src/eiscope/_gen and ships them."""

    def run(self):
        generate_stubs(find_proto_root(), GEN_DIR)
        if GEN_PACKAGE not in self.packages:
            self.packages.append(GEN_PACKAGE)
        self.package_data.setdefault(GEN_PACKAGE, ["*.pyi"])
        super().run()


class SdistWithProtos(sdist):
    """sdist that carries a copy of the .proto files, so that it builds on its own."""

    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        source = find_proto_root() / PROTO_PACKAGE_DIR
        target = Path(base_dir) / "proto" / PROTO_PACKAGE_DIR
        target.mkdir(parents=True, exist_ok=True)
        for proto in source.glob("*.proto"):
            shutil.copyfile(proto, target / proto.name)


setup(cmdclass={"build_py": BuildPyWithProtos, "sdist": SdistWithProtos})
