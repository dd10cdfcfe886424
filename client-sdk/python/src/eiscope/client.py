"""The eiscope client: one object per server connection, one method per operation."""

from __future__ import annotations

import builtins
import os
import time
from collections.abc import Iterable, Mapping
from typing import Any, Callable, Optional, Union

import grpc
import numpy as np

from eiscope._proto import service_grpc, service_pb2, types_pb2
from eiscope._rpc import Calls
from eiscope.catalogue import Catalogue
from eiscope.connection import (  # noqa: F401
    MAX_MESSAGE_BYTES,
    live_channel_options,
    open_channel,
    parse_address,
    resolve_token,
    with_token,
)
from eiscope.errors import DeadlineExceededError, NotFoundError
from eiscope.frames import Frame, array_to_tensor, tensor_to_array
from eiscope.record import RunRecordCalls, as_names
from eiscope.session import ReadConfirmingStream, Session
from eiscope.simulation import ControlResult, Simulation
from eiscope.sweeps import SweepCalls
from eiscope.timetravel import TimeTravelCalls
from eiscope.values import to_component
from eiscope.watch import Watch

#: Deadline, in seconds, of every unary call unless the client is given another.
DEFAULT_TIMEOUT_S = 30.0
#: Minibatch size that create() sends when given neither batch_size nor a preset.
DEFAULT_BATCH_SIZE = 32
#: Largest every_steps a WatchRequest carries (int32).
_MAX_EVERY_STEPS = 2**31 - 1
#: States from which a simulation moves on only by a command that wait() does not send.
_STUCK_STATES = frozenset({"FINISHED", "DIVERGED", "FAILED", "STOPPED"})
# Told to run: playing, or QUEUED for a slot on a busy server (it starts by itself).
_UNDER_WAY = frozenset({"RUNNING", "QUEUED"})


class Client(RunRecordCalls, TimeTravelCalls, SweepCalls, Calls):
    """A connection to an eiscope server.

    ``Client("127.0.0.1:7070")`` opens a plaintext channel with 64 MiB message limits.
    ``Client("https://lab.example:7070", token=..., ca_file="cert.pem")`` speaks TLS (so do
    ``tls=True`` and a ``ca_file``), trusting the PEM certificates in `ca_file` (a
    ``--tls-self-signed`` server writes its own to ``<data-dir>/tls/cert.pem``) or, without
    one, the system's. `token` (default: $EISCOPE_TOKEN; "" sends none) goes with every call
    as ``authorization: Bearer <token>``, which a server started with ``--auth token`` wants;
    without TLS it crosses the network readable, so use TLS beyond loopback. Pass
    ``channel=`` to use your own (the token is added to it). Usable as a context manager;
    close() closes a channel the client opened itself. Every failed call raises an
    EiscopeError subclass carrying the status code name and the server's message
    (UnauthenticatedError: no token or an unknown one; PermissionDeniedError: a read-only
    token steering, or another owner's run). Thread-safe as gRPC channels are; a Watch is
    used from one thread (cancel() from any).

    ``live_window_bytes=`` (at least 1024) opens the live watches (watch() without
    `from_step`) on a second channel whose streams each hold at most that many bytes, plus the
    message being read, between server and client; gRPC's own window grows to megabytes. A
    client slower than its stream then gets recent frames, the server merging what waits
    (with counts), instead of frames that aged in buffers: see docs/benchmarks.md, "A bounded
    window for live watches", for what it buys and costs. A watch from a step promises every
    value and keeps the client's main channel.

    ``live_unread_messages=`` (at least 1) opens each live watch as a Session subscription
    whose server sends at most that many messages the client has not read; the watch says it
    read a message when the loop comes back for the next one. However slow the reader, what
    it gets next is then at most about that many messages old, and samples that waited are
    merged by the server into their observable's newest (Frame.merged_count says how many).
    It bounds what a byte window cannot: the number of messages between run and reader.

    The run record's calls (history(), runs(), checkpoints, exports) are in eiscope.record;
    measure() and reconstruct(), which reach past steps, in eiscope.timetravel.
    """

    def __init__(
        self,
        address: str = "127.0.0.1:7070",
        *,
        token: Optional[str] = None,
        ca_file: Optional[Union[str, os.PathLike[str]]] = None,
        tls: Optional[bool] = None,
        channel: Optional[grpc.Channel] = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        live_window_bytes: Optional[int] = None,
        live_unread_messages: Optional[int] = None,
    ):
        if channel is not None and (ca_file is not None or tls is not None):
            raise ValueError(
                "tls= and ca_file= configure a channel the client opens; "
                "a channel= passed in has its own credentials"
            )
        if channel is not None and live_window_bytes is not None:
            raise ValueError(
                "live_window_bytes= configures a channel the client opens; give a channel= "
                "passed in the options of eiscope.connection.live_channel_options() instead"
            )
        if live_unread_messages is not None and (
            isinstance(live_unread_messages, bool)
            or not isinstance(live_unread_messages, int)
            or not 1 <= live_unread_messages < 2**32
        ):
            raise ValueError(
                f"live_unread_messages is a whole number of messages from 1 (the freshest) up, "
                f"or None for no limit; got {live_unread_messages!r}"
            )
        self._live_unread = live_unread_messages
        token = resolve_token(token)
        self._owns_channel = channel is None
        self._live_channel: Optional[grpc.Channel] = None
        if channel is None:
            target, secure = parse_address(address, tls, ca_file)
            channel = open_channel(target, secure, ca_file)
            if live_window_bytes is not None:
                live_options = live_channel_options(live_window_bytes)
                self._live_channel = open_channel(target, secure, ca_file, live_options)
        self._channel = channel
        self._stub = service_grpc.SimulationServiceStub(with_token(channel, token))
        self._live_stub = (
            self._stub
            if self._live_channel is None
            else service_grpc.SimulationServiceStub(with_token(self._live_channel, token))
        )
        self.timeout = timeout

    # -- lifecycle -------------------------------------------------------------------------

    def catalogue(self) -> Catalogue:
        """Models, learning rules, tasks, initialisations, observables and presets."""
        response = self._call(self._stub.GetCatalogue, service_pb2.GetCatalogueRequest())
        return Catalogue.from_proto(response.catalogue)

    def create(
        self,
        model: Any = None,
        learning_rule: Any = None,
        task: Any = None,
        *,
        seed: Optional[int] = None,
        batch_size: Optional[int] = None,
        eval_every_steps: Optional[int] = None,
        step_budget: Optional[int] = None,
        name: Optional[str] = None,
        preset: Optional[str] = None,
        initial_parameters: Optional[Mapping[str, Any]] = None,
        checkpoint_every_steps: Optional[int] = None,
        checkpoint_every_seconds: Optional[int] = None,
    ) -> Simulation:
        """Creates a simulation, PAUSED at step 0, from a spec or a preset.

        Components are dicts such as ``{"kind": "mlp", "hidden": [100]}`` (see values.py for
        how Python values map to the proto), kind names, or ComponentSpec messages. With
        ``preset=``, the preset supplies the spec and only the fields given here are sent
        (the server documents that seed, name and initial_parameters may override it). Fields
        left as None are not set, except `batch_size`, which is DEFAULT_BATCH_SIZE (32) for a
        spec without a preset; the server validates everything and says what to fix.

        `initial_parameters` maps parameter names to numpy arrays (or array-likes), e.g.
        ``{"layer0.W": W}`` with W of shape (n_out, n_in): a connectivity matrix from a
        connectome. They replace the model's own initialisation before step 0 (reset returns to
        them, forks keep them), are sent as float32, and must match the parameter's shape
        exactly (biases are (1, n)), be finite, and be >= 0 for sign-constrained E/I weights;
        otherwise InvalidArgumentError names the entry. The request must fit in
        MAX_MESSAGE_BYTES (64 MiB, about 16 million values in all).

        `checkpoint_every_steps` / `checkpoint_every_seconds` set when the run is checkpointed
        while it runs (0 turns that trigger off; both None: the server's defaults; it is always
        checkpointed when it pauses); forks inherit them. Denser checkpoints cost disk and make
        time travel (parameters(step=...), measure(), reconstruct()) replay fewer steps.
        """
        spec = types_pb2.SimulationSpec()
        if batch_size is None and preset is None:
            batch_size = DEFAULT_BATCH_SIZE
        for field_name, component in (("model", model), ("learning_rule", learning_rule), ("task", task)):
            if component is not None:
                getattr(spec, field_name).CopyFrom(to_component(component, field_name))
        for field_name, value in (
            ("seed", seed),
            ("batch_size", batch_size),
            ("eval_every_steps", eval_every_steps),
            ("step_budget", step_budget),
            ("name", name),
        ):
            if value is not None:
                setattr(spec, field_name, value)
        if checkpoint_every_steps is not None or checkpoint_every_seconds is not None:
            spec.checkpoints.every_steps = checkpoint_every_steps or 0
            spec.checkpoints.every_seconds = checkpoint_every_seconds or 0
        for param_name, array in (initial_parameters or {}).items():
            spec.initial_parameters[param_name].CopyFrom(
                array_to_tensor(array, f"initial_parameters[{param_name!r}]")
            )
        request = service_pb2.CreateSimulationRequest(spec=spec, preset=preset or "")
        return Simulation.from_proto(self._call(self._stub.CreateSimulation, request).simulation)

    def get(self, id: str) -> Simulation:
        """The simulation's current state; NotFoundError for an unknown id."""
        request = service_pb2.GetSimulationRequest(id=id)
        return Simulation.from_proto(self._call(self._stub.GetSimulation, request).simulation)

    def list(self) -> builtins.list[Simulation]:
        """Every simulation the server holds (that this token may see), oldest first, page by page."""
        out: list[Simulation] = []
        token = ""
        while True:
            response = self._call(
                self._stub.ListSimulations, service_pb2.ListSimulationsRequest(page_token=token)
            )
            out.extend(Simulation.from_proto(s) for s in response.simulations)
            token = response.next_page_token
            if not token:
                return out

    def delete(self, id: str) -> None:
        """Stops the simulation, ends its streams and forgets it."""
        self._call(self._stub.DeleteSimulation, service_pb2.DeleteSimulationRequest(id=id))

    # -- control ---------------------------------------------------------------------------

    def play(self, id: str) -> ControlResult:
        """Runs until paused, the step budget or a watchpoint."""
        return self._control(id, service_pb2.CONTROL_ACTION_PLAY)

    def pause(self, id: str) -> ControlResult:
        """Pauses the run at the next step boundary."""
        return self._control(id, service_pb2.CONTROL_ACTION_PAUSE)

    def step(self, id: str, n: int = 1) -> ControlResult:
        """Runs exactly n (>= 1) updates, then pauses. Returns as soon as the run is under way:
        ``wait_for_step(id, result.effective_step + n)`` blocks until it is done."""
        return self._control(id, service_pb2.CONTROL_ACTION_STEP, n)

    def reset(self, id: str) -> ControlResult:
        """Back to step 0 with the initial parameters (the seed's, or those given to create())
        and the seed's data order."""
        return self._control(id, service_pb2.CONTROL_ACTION_RESET)

    def wait(
        self,
        id: str,
        until_step: Optional[int] = None,
        *,
        until: Optional[Callable[[Simulation], bool]] = None,
        timeout: float = 60.0,
        poll_s: float = 0.02,
    ) -> Simulation:
        """Polls get() until a condition holds and returns the simulation as last seen.

        The condition is `until(sim)` if given, else ``sim.step >= until_step`` if given, else
        "no longer RUNNING or QUEUED" (wait_for_step() waits for a step without polling). It also
        returns early once the simulation is FINISHED, DIVERGED, FAILED or STOPPED, where it
        would wait in vain: check `state`. Raises TimeoutError with the last state seen after
        `timeout` s. Commands take effect at the next step boundary, so right after step() a
        simulation may still read PAUSED: wait for a step count rather than for "not RUNNING".
        """
        if until is None:
            until = (
                (lambda s: s.step >= until_step)
                if until_step is not None
                else (lambda s: s.state not in _UNDER_WAY)
            )
        deadline = time.monotonic() + timeout
        while True:
            sim = self.get(id)
            if until(sim) or sim.state in _STUCK_STATES:
                return sim
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"simulation {id}: condition not met within {timeout} s; "
                    f"last seen {sim.state} at step {sim.step}"
                )
            time.sleep(poll_s)

    def wait_for_step(self, id: str, step: int, *, timeout: float = 600.0) -> Simulation:
        """Blocks until the simulation has reached `step`, or has stopped short of it (paused,
        finished, diverged: check `state` and `step`), and returns it as then seen.

        The companion of step() and ``apply(id, commands.run_until(k))``, which return as soon
        as the run is under way: after them it returns the run PAUSED at that step. It watches
        the run's state changes and its loss at multiples of `step` rather than polling, so it
        returns within a frame's latency. Raises TimeoutError after `timeout` s (10 minutes by
        default: a run shares the server's workers with every other playing run, so its pace
        is not its own); NotFoundError if the simulation is (or gets) deleted.
        """
        deadline = time.monotonic() + timeout
        goal = f"step {step} not reached within {timeout} s"
        sim = self._watch_until(
            id, step, deadline, goal, lambda s: s.step >= step or s.state not in _UNDER_WAY
        )
        if sim.state == "RUNNING" and sim.step == step:
            # Exactly there and still running: about to pause there, or playing on? The next
            # frame (every step now) tells.
            sim = self._watch_until(
                id, 1, deadline, goal, lambda s: s.step > step or s.state not in _UNDER_WAY
            )
        return sim

    def _watch_until(
        self, id: str, every_steps: int, deadline: float, goal: str, done: Callable[[Simulation], bool]
    ) -> Simulation:
        """Reads the run after each frame of a watch of its state and loss (every_steps) until
        `done` holds for it; TimeoutError saying `goal` at `deadline` (time.monotonic())."""
        request = service_pb2.WatchRequest(
            id=id, observables=["state", "loss"], every_steps=min(max(every_steps, 1), _MAX_EVERY_STEPS)
        )
        timeout = max(deadline - time.monotonic(), 0.001)
        sim = None
        try:
            with Watch(self._stub.Watch(request, timeout=timeout)) as frames:
                for _ in frames:  # first the current state, so the watch stands; then changes
                    sim = self.get(id)
                    if done(sim):
                        return sim
        except DeadlineExceededError:
            seen = f"last seen {sim.state} at step {sim.step}" if sim else "no frame received"
            raise TimeoutError(f"simulation {id}: {goal}; {seen}") from None
        return self.get(id)  # the stream ended: deleted (NotFoundError), or as it stands

    # -- steering --------------------------------------------------------------------------

    def apply(self, id: str, command: types_pb2.Command) -> ControlResult:
        """Applies a steering command (see eiscope.commands) at the next step boundary.

        Returns the simulation and the step at which the command took effect; a command that
        does not fit the simulation raises InvalidArgumentError naming the field. After
        ``commands.run_until(k)`` the run is under way: ``wait_for_step(id, k)`` blocks until
        it got there.
        """
        request = service_pb2.ApplyCommandRequest(id=id, command=command)
        response = self._call(self._stub.ApplyCommand, request)
        return ControlResult(Simulation.from_proto(response.simulation), response.effective_step)

    def intervention_log(self, id: str) -> builtins.list[tuple[int, types_pb2.Command]]:
        """The commands applied so far, in order, as (effective step, Command)."""
        response = self._call(self._stub.GetInterventionLog, service_pb2.GetInterventionLogRequest(id=id))
        return [(i.step, i.command) for i in response.interventions]

    def fork(self, id: str, step: Optional[int] = None) -> Simulation:
        """A paused copy of the simulation in its exact current state (parent_id, fork_step).

        With `step`, a past step the run passed: the copy starts in the state the run held
        there (fork_step = step), with the run's log up to it; OutOfRangeError if the run has
        not got there yet. See reconstruct() for a step far from any checkpoint.
        """
        request = service_pb2.ForkSimulationRequest(id=id)
        if step is not None:
            request.step = step
        return Simulation.from_proto(self._call(self._stub.ForkSimulation, request).simulation)

    def session(self) -> Session:
        """Opens a Session call: subscribe, unsubscribe, command and control on one stream."""
        return Session(self._stub.Session)

    # -- data ------------------------------------------------------------------------------

    def parameters(
        self,
        id: str,
        names: Optional[Iterable[str]] = None,
        step: Optional[int] = None,
        *,
        max_rows: int = 0,
        max_cols: int = 0,
        change_since_start: bool = False,
    ) -> dict[str, np.ndarray]:
        """Parameter name -> float32 array of its shape (weights are [n_out, n_in]).

        `names` restricts the answer to those parameters (None: all), and may name effective
        matrices (``sim.effective_matrices``, e.g. "layer0": a DANN's Wex - Wei Wix, a column
        E/I layer's W_pos D), which None leaves out. The arrays are copies.
        `step`: the values the run held at that past step (after the commands that took effect
        there), rebuilt bit for bit; None: the current ones. OutOfRangeError if the run has not
        got there yet; see reconstruct() for a step far from any checkpoint.

        For a heatmap: `max_rows` / `max_cols` (0: all) shrink each parameter on the server to
        at most that many rows / columns, each block of the full matrix (row block i covers rows
        ``i*R//r`` to ``(i+1)*R//r``) giving its value of largest magnitude, sign kept; a vector
        counts as one row. `change_since_start`: each value minus its initial value.
        """
        request = service_pb2.GetParametersRequest(
            id=id,
            names=as_names(names),
            max_rows=max_rows,
            max_cols=max_cols,
            change_since_start=change_since_start,
        )
        if step is not None:
            request.step = step
        response = self._call(self._stub.GetParameters, request)
        return {p.name: tensor_to_array(p.tensor) for p in response.parameters}

    def watch(
        self,
        id: str,
        observables: Optional[Iterable[str]] = None,
        layers: Optional[Iterable[str]] = None,
        every_steps: int = 0,
        max_hz: float = 0,
        *,
        from_step: Optional[int] = None,
        until_paused: bool = False,
        timeout: Optional[float] = None,
    ) -> Watch:
        """Streams frames: the current value of each chosen observable at once, then live.

        `observables` None/empty: every cheap scalar and state events. `layers` restricts
        per-layer observables. `every_steps`: at most one sample per that many steps (0 or 1:
        every step); `max_hz`: latest-wins observables at most that often per second (0: no
        limit). `timeout` bounds the whole stream (None: until cancelled).

        `from_step`: instead of the current values, first every recorded scalar and event of
        the chosen observables from that step on (``from_step=0``: the whole curve so far),
        then live frames, with no gap and no duplicate.

        `until_paused`: the iteration ends by itself once the run is no longer running
        (paused, finished, diverged, deleted), after the frames of the step where it stopped;
        at once, after the current values, if it is not running. Without `from_step` it then
        starts from the current step's recorded values. The run's "state" events tell it when;
        they are yielded only if asked for (observables None, or naming "state").
        """
        wanted = as_names(observables)
        hidden: tuple[str, ...] = ()
        ends_after = None
        if until_paused:
            if wanted and "state" not in wanted:
                wanted.append("state")
                hidden = ("state",)
            if from_step is None:
                from_step = self.get(id).step
            ends_after = self._stopped_at(id)
        request = service_pb2.WatchRequest(
            id=id, observables=wanted, layers=as_names(layers), every_steps=every_steps, max_hz=max_hz
        )
        stub = self._live_stub
        if from_step is not None:  # every value from that step: no lag bound, the full window
            request.from_step = from_step
            stub = self._stub
        elif self._live_unread is not None:
            call = ReadConfirmingStream(stub.Session, request, self._live_unread, timeout)
            return Watch(call, ends_after=ends_after, hidden=hidden)
        return Watch(stub.Watch(request, timeout=timeout), ends_after=ends_after, hidden=hidden)

    # -- plumbing --------------------------------------------------------------------------

    def close(self) -> None:
        """Closes the channels if this client opened them; open Watch streams end."""
        if self._owns_channel:
            self._channel.close()
            if self._live_channel is not None:
                self._live_channel.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _stopped_at(self, id: str) -> Callable[[Frame], bool]:
        """Whether a frame is the state event of the stop the run is in now: a state other
        than RUNNING or QUEUED at the run's current step (a recorded one of an earlier step is not)."""

        def stopped_at(frame: Frame) -> bool:
            if frame.kind != "event" or frame.observable != "state" or frame.value[0] in _UNDER_WAY:
                return False
            try:
                sim = self.get(id)
            except NotFoundError:
                return True
            return sim.state not in _UNDER_WAY and sim.step <= frame.step

        return stopped_at

    def _control(self, id: str, action: service_pb2.ControlAction.ValueType, steps: int = 0) -> ControlResult:
        request = service_pb2.ControlRequest(id=id, action=action, steps=steps)
        response = self._call(self._stub.Control, request)
        return ControlResult(Simulation.from_proto(response.simulation), response.effective_step)
