"""Short names for proto enum values: SIMULATION_STATE_PAUSED -> "PAUSED"."""

from __future__ import annotations


def short_name(enum_type, number: int, prefix: str) -> str:
    """Returns the enum value's name without `prefix`, or str(number) for an unknown value."""
    try:
        return enum_type.Name(number).removeprefix(prefix)
    except ValueError:
        return str(number)
