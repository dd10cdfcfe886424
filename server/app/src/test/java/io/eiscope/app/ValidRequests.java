package io.eiscope.app;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.eiscope.api.v1.AddWatchpoint;
import io.eiscope.api.v1.AddWeightNoise;
import io.eiscope.api.v1.ApplyCommandRequest;
import io.eiscope.api.v1.Catalogue;
import io.eiscope.api.v1.CheckpointPolicy;
import io.eiscope.api.v1.ClampUnit;
import io.eiscope.api.v1.Command;
import io.eiscope.api.v1.ComponentSpec;
import io.eiscope.api.v1.ControlAction;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.DeleteSimulationRequest;
import io.eiscope.api.v1.ForkSimulationRequest;
import io.eiscope.api.v1.Freeze;
import io.eiscope.api.v1.GetCheckpointRequest;
import io.eiscope.api.v1.GetEventsRequest;
import io.eiscope.api.v1.GetHistoryRequest;
import io.eiscope.api.v1.GetLatestRequest;
import io.eiscope.api.v1.GetParametersRequest;
import io.eiscope.api.v1.Lesion;
import io.eiscope.api.v1.ListSimulationsRequest;
import io.eiscope.api.v1.MeasureRequest;
import io.eiscope.api.v1.ParameterInfo;
import io.eiscope.api.v1.PinCheckpointRequest;
import io.eiscope.api.v1.Population;
import io.eiscope.api.v1.Preset;
import io.eiscope.api.v1.Prune;
import io.eiscope.api.v1.PruneMethod;
import io.eiscope.api.v1.PruneScope;
import io.eiscope.api.v1.ReconstructRequest;
import io.eiscope.api.v1.RemoveWatchpoint;
import io.eiscope.api.v1.RunUntil;
import io.eiscope.api.v1.SaveCheckpointRequest;
import io.eiscope.api.v1.SessionRequest;
import io.eiscope.api.v1.SetInputNoise;
import io.eiscope.api.v1.SetRuleParams;
import io.eiscope.api.v1.SetWeight;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.api.v1.SwitchRule;
import io.eiscope.api.v1.Tensor;
import io.eiscope.api.v1.UpdateRunRequest;
import io.eiscope.api.v1.Value;
import io.eiscope.api.v1.WatchCondition;
import io.eiscope.api.v1.WatchRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Valid requests of the SimulationService methods, the bases the field fuzz mutates. Reads name
 * {@code run}, a DANN stepped past {@code pastStep} with a checkpoint at {@code checkpointStep};
 * steering and deleting names the current {@code victim}, so that the run read from stays put.
 * Runs created here have a small step budget. A method without an entry here gets the default
 * request with its {@code id} set ({@link #of}).
 */
record ValidRequests(
        String run, Supplier<String> victim, Simulation info, Catalogue catalogue, long pastStep, long checkpointStep) {
    /** Step budget of the runs the fuzz creates: a mutated RunUntil, STEP or reconstruction cannot make a call long. */
    static final long STEP_BUDGET = 300;

    /** The valid bases of {@code method}: several where its request has a oneof or modes. */
    List<Message> of(com.google.protobuf.Descriptors.MethodDescriptor method) {
        String victim = this.victim.get();
        String layer = info.getLayers(0), parameter = info.getParameters(0).getName();
        return switch (method.getName()) {
            case "CreateSimulation" -> creations();
            case "ListSimulations" ->
                List.of(
                        ListSimulationsRequest.newBuilder().setPageSize(10).build(),
                        ListSimulationsRequest.newBuilder()
                                .setPageSize(1)
                                .setPageToken("0/")
                                .build());
            case "DeleteSimulation" ->
                List.of(DeleteSimulationRequest.newBuilder().setId(victim).build());
            case "Control" ->
                List.of(
                        control(victim, ControlAction.CONTROL_ACTION_STEP, 3),
                        control(victim, ControlAction.CONTROL_ACTION_PAUSE, 0),
                        control(victim, ControlAction.CONTROL_ACTION_RESET, 0),
                        control(victim, ControlAction.CONTROL_ACTION_PLAY, 0));
            case "GetParameters" ->
                List.of(
                        GetParametersRequest.newBuilder()
                                .setId(run)
                                .addNames(parameter)
                                .setStep(pastStep)
                                .build(),
                        GetParametersRequest.newBuilder().setId(run).build());
            case "Watch" ->
                List.of(
                        WatchRequest.newBuilder()
                                .setId(run)
                                .addObservables("loss")
                                .addObservables("state")
                                .setEverySteps(1)
                                .setMaxHz(10)
                                .build(),
                        WatchRequest.newBuilder()
                                .setId(run)
                                .addObservables("weight_histogram")
                                .addLayers(layer)
                                .setFromStep(pastStep)
                                .build());
            case "ApplyCommand" ->
                commands().stream()
                        .map(c -> (Message) ApplyCommandRequest.newBuilder()
                                .setId(victim)
                                .setCommand(c)
                                .build())
                        .toList();
            case "ForkSimulation" ->
                List.of(
                        ForkSimulationRequest.newBuilder()
                                .setId(run)
                                .setStep(pastStep)
                                .build(),
                        ForkSimulationRequest.newBuilder().setId(run).build());
            case "Session" -> session(victim);
            case "GetHistory" ->
                List.of(GetHistoryRequest.newBuilder()
                        .setId(run)
                        .addObservables("loss")
                        .setFromStep(1)
                        .setToStep(pastStep)
                        .setMaxPoints(8)
                        .build());
            case "GetLatest" ->
                List.of(GetLatestRequest.newBuilder()
                        .setId(run)
                        .addObservables("loss")
                        .build());
            case "GetEvents" ->
                List.of(GetEventsRequest.newBuilder()
                        .setId(run)
                        .setFromStep(0)
                        .setToStep(pastStep * 2)
                        .build());
            case "UpdateRun" ->
                List.of(
                        UpdateRunRequest.newBuilder()
                                .setId(run)
                                .setName("fuzzed")
                                .addTags("fuzz")
                                .setNotes("notes")
                                .build(),
                        UpdateRunRequest.newBuilder()
                                .setId(run)
                                .setClearTags(true)
                                .build());
            case "SaveCheckpoint" ->
                List.of(
                        SaveCheckpointRequest.newBuilder().setId(run).build(),
                        SaveCheckpointRequest.newBuilder()
                                .setId(run)
                                .setStep(pastStep)
                                .build());
            case "PinCheckpoint" ->
                List.of(PinCheckpointRequest.newBuilder()
                        .setId(run)
                        .setStep(checkpointStep)
                        .setPinned(true)
                        .build());
            case "GetCheckpoint" ->
                List.of(
                        GetCheckpointRequest.newBuilder()
                                .setId(run)
                                .setStep(checkpointStep)
                                .addNames(parameter)
                                .build(),
                        GetCheckpointRequest.newBuilder()
                                .setId(run)
                                .setLatest(true)
                                .setIncludeNpz(true)
                                .build());
            case "Measure" ->
                List.of(
                        MeasureRequest.newBuilder()
                                .setId(run)
                                .addObservables("weight_histogram")
                                .addLayers(layer)
                                .setStep(pastStep)
                                .build(),
                        MeasureRequest.newBuilder()
                                .setId(run)
                                .addObservables("weight_histogram")
                                .build());
            case "Reconstruct" ->
                List.of(ReconstructRequest.newBuilder()
                        .setId(run)
                        .setStep(pastStep)
                        .build());
            default -> List.of(withId(method));
        };
    }

    /** The method's default request, with the run's id when it takes one. */
    private Message withId(com.google.protobuf.Descriptors.MethodDescriptor method) {
        Message prototype = com.google.protobuf.DynamicMessage.getDefaultInstance(method.getInputType());
        var id = method.getInputType().findFieldByName("id");
        return id == null ? prototype : prototype.toBuilder().setField(id, run).build();
    }

    static SimulationSpec tiny(long seed) {
        return SteeringGrpcTest.dann(seed).toBuilder()
                .setStepBudget(STEP_BUDGET)
                .build();
    }

    private List<Message> creations() {
        List<Message> out = new ArrayList<>();
        out.add(CreateSimulationRequest.newBuilder().setSpec(tiny(3)).build());
        ParameterInfo smallest = info.getParametersList().stream()
                .min(java.util.Comparator.comparingInt(p -> p.getShape(0) * p.getShape(1)))
                .orElseThrow();
        Tensor zeros = Tensor.newBuilder()
                .addAllShape(smallest.getShapeList())
                .setData(ByteString.copyFrom(new byte[4 * smallest.getShape(0) * smallest.getShape(1)]))
                .build();
        out.add(CreateSimulationRequest.newBuilder()
                .setSpec(tiny(4).toBuilder()
                        .putInitialParameters(smallest.getName(), zeros)
                        .setCheckpoints(
                                CheckpointPolicy.newBuilder().setEverySteps(100).setEverySeconds(60)))
                .build());
        // One preset's spec per model kind (building the papers' models costs: not every preset), and the first preset
        // by name.
        java.util.Set<String> kinds = new java.util.HashSet<>();
        for (Preset p : catalogue.getPresetsList()) {
            if (kinds.add(p.getSpec().getModel().getKind()))
                out.add(CreateSimulationRequest.newBuilder()
                        .setSpec(p.getSpec().toBuilder().setStepBudget(STEP_BUDGET))
                        .build());
        }
        out.add(CreateSimulationRequest.newBuilder()
                .setPreset(catalogue.getPresets(0).getName())
                .setSpec(SimulationSpec.newBuilder().setSeed(5))
                .build());
        return out;
    }

    private List<Command> commands() {
        String layer = info.getLayers(0), parameter = info.getParameters(0).getName();
        Value lr = Value.newBuilder().setNumber(0.01).build();
        return List.of(
                Command.newBuilder()
                        .setSetRuleParams(SetRuleParams.newBuilder().putParams("learning_rate", lr))
                        .build(),
                Command.newBuilder()
                        .setSwitchRule(SwitchRule.newBuilder()
                                .setRule(
                                        ComponentSpec.newBuilder().setKind("eg").putParams("learning_rate", lr)))
                        .build(),
                Command.newBuilder()
                        .setRunUntil(RunUntil.newBuilder().setStep(5))
                        .build(),
                Command.newBuilder()
                        .setAddWeightNoise(
                                AddWeightNoise.newBuilder().setTarget(layer).setStd(0.01))
                        .build(),
                Command.newBuilder()
                        .setSetWeight(SetWeight.newBuilder()
                                .setParameter(parameter)
                                .setRow(1)
                                .setCol(2)
                                .setValue(0.1))
                        .build(),
                Command.newBuilder()
                        .setFreeze(Freeze.newBuilder().setTarget(parameter).setFrozen(true))
                        .build(),
                Command.newBuilder()
                        .setLesion(Lesion.newBuilder()
                                .setLayer(layer)
                                .setPopulation(Population.POPULATION_INHIBITORY)
                                .setUnit(1))
                        .build(),
                Command.newBuilder()
                        .setAddWatchpoint(AddWatchpoint.newBuilder()
                                .setName("w")
                                .setObservable("loss")
                                .setCondition(WatchCondition.WATCH_CONDITION_ABOVE)
                                .setThreshold(100))
                        .build(),
                Command.newBuilder()
                        .setAddWatchpoint(AddWatchpoint.newBuilder()
                                .setName("n")
                                .setObservable("nse")
                                .setLayer(parameter)
                                .setCondition(WatchCondition.WATCH_CONDITION_BELOW)
                                .setThreshold(-1)
                                .setEverySteps(5))
                        .build(),
                Command.newBuilder()
                        .setRemoveWatchpoint(RemoveWatchpoint.newBuilder().setName("w"))
                        .build(),
                Command.newBuilder()
                        .setPrune(Prune.newBuilder()
                                .setMethod(PruneMethod.PRUNE_METHOD_MAGNITUDE)
                                .setFraction(0.1)
                                .setScope(PruneScope.PRUNE_SCOPE_PER_LAYER))
                        .build(),
                Command.newBuilder()
                        .setSetInputNoise(SetInputNoise.newBuilder().setStd(0.1))
                        .build(),
                Command.newBuilder()
                        .setClampUnit(ClampUnit.newBuilder()
                                .setLayer(layer)
                                .setUnit(0)
                                .setClamped(true)
                                .setValue(1))
                        .build());
    }

    private List<Message> session(String victim) {
        List<Message> out = new ArrayList<>();
        out.add(SessionRequest.newBuilder()
                .setRequestId(1)
                .setSubscribe(WatchRequest.newBuilder()
                        .setId(run)
                        .addObservables("loss")
                        .addObservables("state"))
                .build());
        out.add(SessionRequest.newBuilder().setRequestId(2).setUnsubscribe(1).build());
        out.add(SessionRequest.newBuilder()
                .setRequestId(3)
                .setControl(control(victim, ControlAction.CONTROL_ACTION_STEP, 2))
                .build());
        for (Command c : commands())
            out.add(SessionRequest.newBuilder()
                    .setRequestId(4)
                    .setCommand(ApplyCommandRequest.newBuilder().setId(victim).setCommand(c))
                    .build());
        return out;
    }

    private static ControlRequest control(String id, ControlAction action, long steps) {
        return ControlRequest.newBuilder()
                .setId(id)
                .setAction(action)
                .setSteps(steps)
                .build();
    }
}
