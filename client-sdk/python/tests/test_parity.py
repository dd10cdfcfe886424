"""docs/sdk-parity.md against the service and this SDK: the table cannot drift.

The rpcs come from the generated descriptors of eiscope.v1.SimulationService (so a new rpc in
the proto shows up here once the package is reinstalled); the methods from eiscope.Client. The
JS and Java suites check their own columns the same way. No server is needed.
"""

import re
from pathlib import Path

import pytest

import eiscope
from eiscope._proto import service_pb2

TABLE = Path(__file__).resolve().parents[3] / "docs" / "sdk-parity.md"
SDKS = ("Python", "JS", "Java")
_SPAN = re.compile(r"`([^`]*)`")
_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\(")


def rows(header_start: str):
    """The rows of the table whose header starts with `header_start`, as lists of cells."""
    lines = TABLE.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    out = []
    for line in lines[start + 2 :]:  # past the header and its |---| line
        if not line.startswith("|"):
            break
        out.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return out


def methods_named(cell: str):
    """The method names of a cell: every backticked span must be a call `name(...)`."""
    names = []
    for span in _SPAN.findall(cell):
        call = _CALL.match(span)
        assert call, f"{span!r} in {cell!r} is not a call name(...): prose goes outside backticks"
        names.append(call.group(1))
    return names


def service_methods():
    service = service_pb2.DESCRIPTOR.services_by_name["SimulationService"]
    return {m.name: m for m in service.methods}


def kind_of(method) -> str:
    if method.client_streaming and method.server_streaming:
        return "bidi stream"
    if method.client_streaming:
        return "client stream"
    return "server stream" if method.server_streaming else "unary"


RPC_ROWS = rows("| RPC | kind |")
ALL_ROWS = RPC_ROWS + rows("| what | built on |")


def test_every_rpc_of_the_service_has_exactly_one_row_and_no_row_names_a_missing_rpc():
    named = [re.fullmatch(r"`(\w+)`", row[0]).group(1) for row in RPC_ROWS]
    missing = sorted(set(service_methods()) - set(named))
    assert not missing, f"rpcs of eiscope.v1.SimulationService without a row in {TABLE.name}: {missing}"
    unknown = sorted(set(named) - set(service_methods()))
    assert not unknown, f"rows of {TABLE.name} for rpcs the service does not have: {unknown}"
    assert len(named) == len(set(named)), "an rpc has two rows"


@pytest.mark.parametrize("row", RPC_ROWS, ids=[r[0].strip("`") for r in RPC_ROWS])
def test_each_row_has_the_rpcs_kind_and_an_entry_for_every_sdk(row):
    assert len(row) == 2 + len(SDKS), f"{row[0]}: {len(row)} cells, want {2 + len(SDKS)}"
    assert row[1] == kind_of(service_methods()[row[0].strip("`")]), f"{row[0]}: kind"
    for sdk, cell in zip(SDKS, row[2:]):
        assert cell, f"{row[0]}: no entry for the {sdk} SDK"
        assert methods_named(cell) or cell.startswith("none:"), (
            f"{row[0]}, {sdk}: names no method and does not start with 'none:' saying why"
        )


@pytest.mark.parametrize("row", ALL_ROWS, ids=[r[0] for r in ALL_ROWS])
def test_each_python_method_the_table_names_is_a_method_of_the_client(row):
    for name in methods_named(row[2]):
        assert callable(getattr(eiscope.Client, name, None)), f"eiscope.Client has no {name}()"
