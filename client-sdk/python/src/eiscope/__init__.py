"""eiscope: a Python client for the eiscope server.

Create, steer and watch neural-network training simulations; numpy in, numpy out::

    import eiscope
    with eiscope.Client("127.0.0.1:7070") as client:   # or "https://...", token=, ca_file=
        sim = client.create(model={"kind": "mlp", "hidden": [100]},
                            learning_rule={"kind": "sgd", "learning_rate": 0.05},
                            task={"kind": "fashion_mnist"}, batch_size=32, seed=1)
"""

from eiscope import commands
from eiscope.catalogue import Catalogue, Component, Observable, Param, Preset
from eiscope.client import Client
from eiscope.errors import (
    CancelledError,
    DeadlineExceededError,
    EiscopeError,
    FailedPreconditionError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    OutOfRangeError,
    PermissionDeniedError,
    ResourceExhaustedError,
    UnauthenticatedError,
    UnavailableError,
)
from eiscope.frames import Frame
from eiscope.session import Session, Subscription
from eiscope.simulation import ControlResult, Simulation
from eiscope.sweeps import Range, Sweep, SweepPreset, SweepResults, SweepRun
from eiscope.tables import Checkpoint
from eiscope.timetravel import ReconstructionProgress
from eiscope.watch import Watch

__version__ = "0.1.0"

__all__ = [
    "Client",
    "Watch",
    "Session",
    "Subscription",
    "commands",
    "Frame",
    "Simulation",
    "ControlResult",
    "Checkpoint",
    "ReconstructionProgress",
    "Range",
    "Sweep",
    "SweepPreset",
    "SweepResults",
    "SweepRun",
    "Catalogue",
    "Component",
    "Observable",
    "Param",
    "Preset",
    "EiscopeError",
    "InvalidArgumentError",
    "NotFoundError",
    "OutOfRangeError",
    "FailedPreconditionError",
    "ResourceExhaustedError",
    "UnavailableError",
    "DeadlineExceededError",
    "CancelledError",
    "InternalError",
    "UnauthenticatedError",
    "PermissionDeniedError",
]
