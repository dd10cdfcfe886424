"""The generated protobuf and gRPC modules, imported in one place.

They are produced at build time (see setup.py) into eiscope/_gen; an install that skipped the
build step gets a clear ImportError instead of a bare ModuleNotFoundError.
"""

try:
    from eiscope._gen import record_pb2, sweep_pb2, types_pb2
    from eiscope._gen import simulation_service_pb2 as service_pb2
    from eiscope._gen import simulation_service_pb2_grpc as service_grpc
except ImportError as e:  # pragma: no cover - only on a broken install
    raise ImportError(
        "eiscope's generated gRPC stubs are missing; install the package with "
        "`pip install ./client-sdk/python` (or `pip install -e .`), which generates them"
    ) from e

__all__ = ["record_pb2", "service_pb2", "service_grpc", "sweep_pb2", "types_pb2"]
