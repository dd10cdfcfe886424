package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.api.v1.AddWatchpoint;
import io.eiscope.api.v1.ApplyCommandRequest;
import io.eiscope.api.v1.Command;
import io.eiscope.api.v1.ComponentSpec;
import io.eiscope.api.v1.ControlAction;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.ForkSimulationRequest;
import io.eiscope.api.v1.GetInterventionLogRequest;
import io.eiscope.api.v1.GetParametersRequest;
import io.eiscope.api.v1.GetSimulationRequest;
import io.eiscope.api.v1.IntList;
import io.eiscope.api.v1.Lesion;
import io.eiscope.api.v1.Population;
import io.eiscope.api.v1.RunUntil;
import io.eiscope.api.v1.SetRuleParams;
import io.eiscope.api.v1.SetWeight;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationServiceGrpc;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.api.v1.SimulationState;
import io.eiscope.api.v1.SwitchRule;
import io.eiscope.api.v1.Value;
import io.eiscope.api.v1.WatchCondition;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ApplyCommand, GetInterventionLog and ForkSimulation over real gRPC on 127.0.0.1, happy and error paths. */
class SteeringGrpcTest {
    static LiveServer live;
    static ManagedChannel channel;
    static SimulationServiceGrpc.SimulationServiceBlockingStub stub;

    @BeforeAll
    static void start() throws Exception {
        live = LiveServer.start();
        channel = live.channel;
        stub = live.stub();
    }

    @AfterAll
    static void stop() throws Exception {
        live.close();
    }

    static Value ints(long... v) {
        IntList.Builder b = IntList.newBuilder();
        for (long x : v) b.addValues(x);
        return Value.newBuilder().setInts(b).build();
    }

    static SimulationSpec dann(long seed) {
        return SimulationSpec.newBuilder()
                .setName("steer")
                .setSeed(seed)
                .setBatchSize(8)
                .setModel(ComponentSpec.newBuilder()
                        .setKind("dann")
                        .putParams("hidden_excitatory", ints(16))
                        .putParams("hidden_inhibitory", ints(4)))
                .setLearningRule(ComponentSpec.newBuilder()
                        .setKind("sgd")
                        .putParams(
                                "correct_inhibitory",
                                Value.newBuilder().setFlag(true).build()))
                .setTask(ComponentSpec.newBuilder().setKind("fashion_mnist"))
                .build();
    }

    static String create(long seed) {
        return stub.createSimulation(
                        CreateSimulationRequest.newBuilder().setSpec(dann(seed)).build())
                .getSimulation()
                .getId();
    }

    static long apply(String id, Command c) {
        return stub.applyCommand(
                        ApplyCommandRequest.newBuilder().setId(id).setCommand(c).build())
                .getEffectiveStep();
    }

    static Simulation awaitPaused(String id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Simulation s = stub.getSimulation(
                            GetSimulationRequest.newBuilder().setId(id).build())
                    .getSimulation();
            if (s.getState() != SimulationState.SIMULATION_STATE_RUNNING) return s;
            assertThat(System.nanoTime())
                    .as("still running at step " + s.getStep())
                    .isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    static Status.Code code(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
        throw new AssertionError("the call succeeded");
    }

    static Command lr(double rate) {
        return Command.newBuilder()
                .setSetRuleParams(SetRuleParams.newBuilder()
                        .putParams(
                                "learning_rate",
                                Value.newBuilder().setNumber(rate).build()))
                .build();
    }

    @Test
    void commandsTakeEffectAtAStepAndAreLogged() throws Exception {
        String id = create(1);
        assertThat(apply(
                        id,
                        Command.newBuilder()
                                .setRunUntil(RunUntil.newBuilder().setStep(5))
                                .build()))
                .isZero();
        assertThat(awaitPaused(id).getStep()).isEqualTo(5);
        assertThat(apply(id, lr(0.01))).isEqualTo(5);
        Simulation s = stub.getSimulation(
                        GetSimulationRequest.newBuilder().setId(id).build())
                .getSimulation();
        assertThat(s.getLearningRule().getParamsMap().get("learning_rate").getNumber())
                .isEqualTo(0.01);
        var log = stub.getInterventionLog(
                        GetInterventionLogRequest.newBuilder().setId(id).build())
                .getInterventionsList();
        assertThat(log).hasSize(2);
        assertThat(log.get(1).getStep()).isEqualTo(5);
        assertThat(log.get(1).getCommand()).isEqualTo(lr(0.01));
        assertThat(log)
                .extracting(i -> i.getDescription())
                .containsExactly("run until step 5", "set learning_rate = 0.01");
    }

    @Test
    void badCommandsAreRejectedWithTheFieldNamed() {
        String id = create(2);
        StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
                StatusRuntimeException.class,
                () -> apply(
                        id,
                        Command.newBuilder()
                                .setSetWeight(SetWeight.newBuilder()
                                        .setParameter("layer0.Wex")
                                        .setRow(99))
                                .build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).contains("command.set_weight.row");
        assertThat(code(() -> apply(id, Command.getDefaultInstance()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(code(() -> apply(
                        id,
                        Command.newBuilder()
                                .setLesion(Lesion.newBuilder().setLayer("layer0"))
                                .build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(code(() -> apply("sim-nope", lr(0.1)))).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(code(() -> stub.getInterventionLog(
                        GetInterventionLogRequest.newBuilder().setId("sim-nope").build())))
                .isEqualTo(Status.Code.NOT_FOUND);
        assertThat(stub.getInterventionLog(
                                GetInterventionLogRequest.newBuilder().setId(id).build())
                        .getInterventionsCount())
                .isZero();
    }

    @Test
    void pruningZeroesTheRequestedFractionAndAnUnspecifiedMethodIsInvalid() throws Exception {
        String id = create(7);
        Command prune = Command.newBuilder()
                .setPrune(io.eiscope.api.v1.Prune.newBuilder()
                        .setFraction(0.5)
                        .setMethod(io.eiscope.api.v1.PruneMethod.PRUNE_METHOD_MAGNITUDE)
                        .setScope(io.eiscope.api.v1.PruneScope.PRUNE_SCOPE_PER_LAYER))
                .build();
        assertThat(apply(id, prune)).isZero();
        var params = stub.getParameters(io.eiscope.api.v1.GetParametersRequest.newBuilder()
                .setId(id)
                .addNames("layer0.Wex")
                .build());
        java.nio.FloatBuffer w = params.getParameters(0)
                .getTensor()
                .getData()
                .asReadOnlyByteBuffer()
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer();
        int zeros = 0;
        for (int i = 0; i < w.limit(); i++) if (w.get(i) == 0f) zeros++;
        assertThat((double) zeros / w.limit()).isGreaterThanOrEqualTo(0.5);
        StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
                StatusRuntimeException.class,
                () -> apply(
                        id,
                        Command.newBuilder()
                                .setPrune(io.eiscope.api.v1.Prune.newBuilder()
                                        .setFraction(0.5)
                                        .setScope(io.eiscope.api.v1.PruneScope.PRUNE_SCOPE_GLOBAL))
                                .build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).contains("command.prune.method");
    }

    @Test
    void inputNoiseIsLoggedAndANegativeStdIsInvalid() throws Exception {
        String id = create(8);
        Command noise = Command.newBuilder()
                .setSetInputNoise(io.eiscope.api.v1.SetInputNoise.newBuilder().setStd(0.1))
                .build();
        assertThat(apply(id, noise)).isZero();
        assertThat(stub.getInterventionLog(io.eiscope.api.v1.GetInterventionLogRequest.newBuilder()
                                .setId(id)
                                .build())
                        .getInterventionsList())
                .anySatisfy(i -> assertThat(i.getCommand()).isEqualTo(noise));
        StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
                StatusRuntimeException.class,
                () -> apply(
                        id,
                        Command.newBuilder()
                                .setSetInputNoise(io.eiscope.api.v1.SetInputNoise.newBuilder()
                                        .setStd(-0.1))
                                .build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).contains("command.set_input_noise.std");
    }

    @Test
    void clampingAUnitIsLoggedAndAnUnknownLayerIsInvalid() throws Exception {
        String id = create(9);
        Command clamp = Command.newBuilder()
                .setClampUnit(io.eiscope.api.v1.ClampUnit.newBuilder()
                        .setLayer("layer0")
                        .setUnit(1)
                        .setClamped(true)
                        .setValue(0.5f))
                .build();
        assertThat(apply(id, clamp)).isZero();
        assertThat(stub.getInterventionLog(io.eiscope.api.v1.GetInterventionLogRequest.newBuilder()
                                .setId(id)
                                .build())
                        .getInterventionsList())
                .anySatisfy(i -> assertThat(i.getCommand()).isEqualTo(clamp));
        StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
                StatusRuntimeException.class,
                () -> apply(
                        id,
                        Command.newBuilder()
                                .setClampUnit(io.eiscope.api.v1.ClampUnit.newBuilder()
                                        .setLayer("cortex")
                                        .setUnit(1)
                                        .setClamped(true))
                                .build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).contains("command.clamp_unit.layer");
    }

    @Test
    void runUntilOnAFinishedSimulationIsAFailedPrecondition() throws Exception {
        SimulationSpec spec = dann(3).toBuilder().setStepBudget(3).build();
        String id = stub.createSimulation(
                        CreateSimulationRequest.newBuilder().setSpec(spec).build())
                .getSimulation()
                .getId();
        stub.control(ControlRequest.newBuilder()
                .setId(id)
                .setAction(ControlAction.CONTROL_ACTION_PLAY)
                .build());
        assertThat(awaitPaused(id).getState()).isEqualTo(SimulationState.SIMULATION_STATE_FINISHED);
        assertThat(code(() -> apply(
                        id,
                        Command.newBuilder()
                                .setRunUntil(RunUntil.newBuilder().setStep(10))
                                .build())))
                .isEqualTo(Status.Code.FAILED_PRECONDITION);
    }

    @Test
    void aWatchpointPausesAndSaysWhy() throws Exception {
        String id = create(4);
        apply(
                id,
                Command.newBuilder()
                        .setAddWatchpoint(AddWatchpoint.newBuilder()
                                .setName("acc")
                                .setObservable("accuracy")
                                .setCondition(WatchCondition.WATCH_CONDITION_ABOVE)
                                .setThreshold(0.0))
                        .build());
        stub.control(ControlRequest.newBuilder()
                .setId(id)
                .setAction(ControlAction.CONTROL_ACTION_PLAY)
                .build());
        Simulation s = awaitPaused(id);
        assertThat(s.getState()).isEqualTo(SimulationState.SIMULATION_STATE_PAUSED);
        assertThat(s.getStatusMessage()).contains("watchpoint 'acc'").contains("accuracy");
    }

    @Test
    void aForkShowsItsParentAndStaysIdenticalUnderTheSameCommands() throws Exception {
        String parent = create(5);
        apply(
                parent,
                Command.newBuilder()
                        .setRunUntil(RunUntil.newBuilder().setStep(6))
                        .build());
        awaitPaused(parent);
        Simulation child = stub.forkSimulation(
                        ForkSimulationRequest.newBuilder().setId(parent).build())
                .getSimulation();
        assertThat(child.getParentId()).isEqualTo(parent);
        assertThat(child.getForkStep()).isEqualTo(6);
        assertThat(child.getStep()).isEqualTo(6);
        assertThat(child.getSpec().getName())
                .as("named for its parent and step until renamed")
                .isEqualTo("steer · fork @ step 6");
        assertThat(stub.getSimulation(io.eiscope.api.v1.GetSimulationRequest.newBuilder()
                                .setId(parent)
                                .build())
                        .getSimulation()
                        .getSpec()
                        .getName())
                .as("the parent keeps its name")
                .isEqualTo("steer");
        Command toAdam = Command.newBuilder()
                .setSwitchRule(SwitchRule.newBuilder()
                        .setRule(ComponentSpec.newBuilder().setKind("adam")))
                .build();
        Command lesion = Command.newBuilder()
                .setLesion(Lesion.newBuilder()
                        .setLayer("layer0")
                        .setPopulation(Population.POPULATION_INHIBITORY)
                        .setUnit(1))
                .build();
        for (String id : new String[] {parent, child.getId()}) {
            apply(id, toAdam);
            apply(id, lesion);
            apply(
                    id,
                    Command.newBuilder()
                            .setRunUntil(RunUntil.newBuilder().setStep(12))
                            .build());
        }
        awaitPaused(parent);
        awaitPaused(child.getId());
        var a = stub.getParameters(
                GetParametersRequest.newBuilder().setId(parent).build());
        var b = stub.getParameters(
                GetParametersRequest.newBuilder().setId(child.getId()).build());
        assertThat(a.getStep()).isEqualTo(12);
        assertThat(stub.forkSimulation(ForkSimulationRequest.newBuilder()
                                .setId(child.getId())
                                .build())
                        .getSimulation()
                        .getSpec()
                        .getName())
                .as("a fork of a fork: the root's name, the new step")
                .isEqualTo("steer · fork @ step 12");
        stub.updateRun(io.eiscope.api.v1.UpdateRunRequest.newBuilder()
                .setId(parent)
                .setName("baseline")
                .build());
        assertThat(stub.forkSimulation(
                                ForkSimulationRequest.newBuilder().setId(parent).build())
                        .getSimulation()
                        .getSpec()
                        .getName())
                .as("the parent as it is called now")
                .isEqualTo("baseline · fork @ step 12");
        assertThat(b.getParametersList()).isEqualTo(a.getParametersList());
        assertThat(code(() -> stub.forkSimulation(
                        ForkSimulationRequest.newBuilder().setId("sim-nope").build())))
                .isEqualTo(Status.Code.NOT_FOUND);
        assertThat(code(() -> stub.forkSimulation(ForkSimulationRequest.getDefaultInstance())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
}
