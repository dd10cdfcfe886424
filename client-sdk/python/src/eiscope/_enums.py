"""Short names for proto enum values: SIMULATION_STATE_PAUSED -> "PAUSED"."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the generic base of generated enums in protobuf's type stubs only
    from google.protobuf.internal.enum_type_wrapper import _EnumTypeWrapper


def short_name(enum_type: _EnumTypeWrapper[Any], number: int, prefix: str) -> str:
    """Returns the enum value's name without `prefix`, or str(number) for an unknown value."""
    try:
        return enum_type.Name(number).removeprefix(prefix)
    except ValueError:
        return str(number)
