package io.eiscope.client;

import io.eiscope.api.v1.ControlSweepRequest;
import io.eiscope.api.v1.CreateSweepRequest;
import io.eiscope.api.v1.GetCatalogueRequest;
import io.eiscope.api.v1.GetSweepRequest;
import io.eiscope.api.v1.GetSweepResultsRequest;
import io.eiscope.api.v1.GetSweepResultsResponse;
import io.eiscope.api.v1.ListSweepsRequest;
import io.eiscope.api.v1.SimulationServiceGrpc.SimulationServiceBlockingStub;
import io.eiscope.api.v1.Sweep;
import io.eiscope.api.v1.SweepAction;
import io.eiscope.api.v1.SweepAxis;
import io.eiscope.api.v1.SweepPreset;
import io.eiscope.api.v1.SweepSpec;
import io.eiscope.api.v1.Value;
import java.util.List;

/**
 * The sweep calls of {@link EiscopeClient}: many runs of one experiment over a grid or a random
 * sample of spec values ({@link SweepSpec}: a base spec or preset, the axes, the concurrency
 * bound). The runs are ordinary runs, tagged {@code sweep:<id>} and named after their values; the
 * server plays at most the bound at a time and keeps the sweep in its run record, so it carries
 * on after a restart. A mistake fails with INVALID_ARGUMENT naming the field; errors surface as
 * {@link io.grpc.StatusRuntimeException}. Thread-safe.
 */
abstract sealed class SweepCalls extends TimeTravelCalls permits EiscopeClient {
    private final SimulationServiceBlockingStub stub;

    SweepCalls(SimulationServiceBlockingStub stub) {
        super(stub);
        this.stub = stub;
    }

    /**
     * Validates and starts a sweep.
     *
     * @param spec the base, the axes (grid or random) and the bound
     * @return the sweep with its points
     */
    public Sweep createSweep(SweepSpec spec) {
        return stub.createSweep(CreateSweepRequest.newBuilder().setSpec(spec).build())
                .getSweep();
    }

    /**
     * The papers' grids the server offers as sweeps (the NSE grid over size × E:I ratio, the
     * sequential-MNIST families, EG vs GD on r-of-k, rich vs lazy over initial rank).
     *
     * @return each a ready {@link SweepSpec}, the number of runs it makes and the metrics to read it by
     */
    public List<SweepPreset> sweepPresets() {
        return stub.getCatalogue(GetCatalogueRequest.getDefaultInstance()).getSweepPresetsList();
    }

    /**
     * Starts the paper's grid {@code name} (see {@link #sweepPresets()}), with other seeds and step
     * budget when given.
     *
     * @param name the sweep preset
     * @param seeds in place of the grid's seeds (fewer for a first look); empty: the grid's own
     * @param stepBudget every run's step budget; 0: each preset's own
     * @param concurrency at most this many runs play at once (0: the server's cores)
     * @return the sweep with its points
     * @throws IllegalArgumentException for a name the server does not offer, listing those it does
     */
    public Sweep createSweepFromPreset(String name, List<Long> seeds, long stepBudget, int concurrency) {
        List<SweepPreset> offered = sweepPresets();
        SweepPreset preset = offered.stream()
                .filter(p -> p.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no sweep preset '" + name + "'; the server offers "
                        + offered.stream().map(SweepPreset::getName).toList()));
        SweepSpec.Builder spec = preset.getSpec().toBuilder().setConcurrency(concurrency);
        if (!seeds.isEmpty()) {
            SweepAxis.Builder axis = SweepAxis.newBuilder().setField("seed");
            for (long seed : seeds) axis.addValues(Value.newBuilder().setInteger(seed));
            replaceAxis(spec, axis.build());
        }
        if (stepBudget > 0)
            replaceAxis(
                    spec,
                    SweepAxis.newBuilder()
                            .setField("step_budget")
                            .addValues(Value.newBuilder().setInteger(stepBudget))
                            .build());
        return createSweep(spec.build());
    }

    /** Puts {@code axis} in place of the spec's axis over the same field, or last when it has none. */
    private static void replaceAxis(SweepSpec.Builder spec, SweepAxis axis) {
        for (int i = 0; i < spec.getAxesCount(); i++) {
            if (spec.getAxes(i).getField().equals(axis.getField())) {
                spec.setAxes(i, axis);
                return;
            }
        }
        spec.addAxes(axis);
    }

    /**
     * The sweep with its points.
     *
     * @param sweepId its id
     * @return the sweep; NOT_FOUND for an unknown id
     */
    public Sweep sweep(String sweepId) {
        return stub.getSweep(GetSweepRequest.newBuilder().setSweepId(sweepId).build())
                .getSweep();
    }

    /**
     * Every sweep (that this token may see), oldest first, without their points.
     *
     * @return the sweeps
     */
    public List<Sweep> sweeps() {
        return stub.listSweeps(ListSweepsRequest.getDefaultInstance()).getSweepsList();
    }

    /**
     * Pauses the sweep's playing runs; no more start until {@link #resumeSweep}.
     *
     * @param sweepId its id
     * @return the sweep, PAUSED
     */
    public Sweep pauseSweep(String sweepId) {
        return control(sweepId, SweepAction.SWEEP_ACTION_PAUSE);
    }

    /**
     * Plays a paused sweep's runs again (those paused by hand too), within its bound.
     *
     * @param sweepId its id
     * @return the sweep, RUNNING
     */
    public Sweep resumeSweep(String sweepId) {
        return control(sweepId, SweepAction.SWEEP_ACTION_RESUME);
    }

    /**
     * No more runs start; those made are kept (the playing ones paused).
     *
     * @param sweepId its id
     * @return the sweep, CANCELLED
     */
    public Sweep cancelSweep(String sweepId) {
        return control(sweepId, SweepAction.SWEEP_ACTION_CANCEL);
    }

    /**
     * Per run, the final and best value of each metric; per group of runs that differ only in
     * their seed, their mean and standard error.
     *
     * @param sweepId its id
     * @param metrics scalar observables ("loss", "test_accuracy") or "observable@layer"; none: loss and accuracy
     * @return the results table
     */
    public GetSweepResultsResponse sweepResults(String sweepId, String... metrics) {
        return stub.getSweepResults(GetSweepResultsRequest.newBuilder()
                .setSweepId(sweepId)
                .addAllMetrics(List.of(metrics))
                .build());
    }

    private Sweep control(String sweepId, SweepAction action) {
        return stub.controlSweep(ControlSweepRequest.newBuilder()
                        .setSweepId(sweepId)
                        .setAction(action)
                        .build())
                .getSweep();
    }
}
