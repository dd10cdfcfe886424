package io.eiscope.client;

import io.eiscope.api.v1.ControlSweepRequest;
import io.eiscope.api.v1.CreateSweepRequest;
import io.eiscope.api.v1.GetSweepRequest;
import io.eiscope.api.v1.GetSweepResultsRequest;
import io.eiscope.api.v1.GetSweepResultsResponse;
import io.eiscope.api.v1.ListSweepsRequest;
import io.eiscope.api.v1.SimulationServiceGrpc.SimulationServiceBlockingStub;
import io.eiscope.api.v1.Sweep;
import io.eiscope.api.v1.SweepAction;
import io.eiscope.api.v1.SweepSpec;
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
