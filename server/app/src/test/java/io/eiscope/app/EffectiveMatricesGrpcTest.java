package io.eiscope.app;

import static io.eiscope.app.SteeringGrpcTest.ints;
import static io.eiscope.app.TimeTravelGrpcTest.component;
import static io.eiscope.app.TimeTravelGrpcTest.floats;
import static io.eiscope.app.TimeTravelGrpcTest.integer;
import static io.eiscope.app.TimeTravelGrpcTest.number;
import static io.eiscope.app.TimeTravelGrpcTest.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.EiPartition;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.GetParametersRequest;
import io.eiscope.api.v1.GetParametersResponse;
import io.eiscope.api.v1.GetSimulationRequest;
import io.eiscope.api.v1.MeasureRequest;
import io.eiscope.api.v1.NamedTensor;
import io.eiscope.api.v1.ParameterInfo;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationServiceGrpc;
import io.eiscope.api.v1.SimulationSpec;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Effective matrices over real gRPC: a run lists them with their shapes and E/I partitions (as
 * its parameters carry theirs), and GetParameters reads them by name exactly as Measure's
 * effective_weights gives them, now and at a past step, pooled for a heatmap and relative to
 * step 0; an unknown name says which names there are.
 */
class EffectiveMatricesGrpcTest {
    static LiveServer live;
    static SimulationServiceGrpc.SimulationServiceBlockingStub stub;

    @BeforeAll
    static void start() throws Exception {
        live = LiveServer.start();
        stub = live.stub();
    }

    @AfterAll
    static void stop() throws Exception {
        live.close();
    }

    /** A column-E/I MLP 784 -> 22 -> 11 -> 10 at E:I ratio 10: 20 E + 2 I, then 10 E + 1 I. */
    static SimulationSpec columnEi() {
        return spec(
                component("column_ei_mlp", "hidden", ints(22, 11), "ei_ratio", integer(10)),
                component("sgd", "learning_rate", number(0.05)),
                component("fashion_mnist"));
    }

    static Simulation create(SimulationSpec spec) {
        return stub.createSimulation(
                        CreateSimulationRequest.newBuilder().setSpec(spec).build())
                .getSimulation();
    }

    static EiPartition partition(int eRows, int iRows, int eCols, int iCols) {
        return EiPartition.newBuilder()
                .setExcitatoryRows(eRows)
                .setInhibitoryRows(iRows)
                .setExcitatoryCols(eCols)
                .setInhibitoryCols(iCols)
                .build();
    }

    static ParameterInfo info(String name, int rows, int cols, EiPartition p) {
        ParameterInfo.Builder b =
                ParameterInfo.newBuilder().setName(name).addShape(rows).addShape(cols);
        return p == null ? b.build() : b.setPartition(p).build();
    }

    static GetParametersResponse read(String id, String name, Long step, boolean change, int maxRows, int maxCols) {
        GetParametersRequest.Builder r = GetParametersRequest.newBuilder()
                .setId(id)
                .addNames(name)
                .setChangeSinceStart(change)
                .setMaxRows(maxRows)
                .setMaxCols(maxCols);
        if (step != null) r.setStep(step);
        return stub.withDeadlineAfter(120, TimeUnit.SECONDS).getParameters(r.build());
    }

    /** Measure's effective_weights of {@code layer} at {@code step}: the reference values. */
    static float[] measured(String id, String layer, long step) {
        List<Frame> frames = stub.withDeadlineAfter(120, TimeUnit.SECONDS)
                .measure(MeasureRequest.newBuilder()
                        .setId(id)
                        .addObservables("effective_weights")
                        .addLayers(layer)
                        .setStep(step)
                        .build())
                .getFramesList();
        return floats(frames.stream()
                .filter(f -> f.getLayer().equals(layer))
                .findFirst()
                .orElseThrow()
                .getTensor());
    }

    @Test
    void aColumnEiRunListsItsEffectiveMatricesWithTheirShapesAndPartitions() {
        Simulation sim = create(columnEi());
        assertThat(sim.getEffectiveMatricesList())
                .containsExactly(
                        info("layer0", 22, 784, partition(20, 2, 784, 0)),
                        info("layer1", 11, 22, partition(10, 1, 20, 2)),
                        info("layer2", 10, 11, partition(0, 0, 10, 1)));
        assertThat(sim.getParametersList())
                .contains(info("layer1.W_pos", 11, 22, partition(10, 1, 20, 2)), info("layer1.b", 1, 11, null));
        Simulation mlp = create(spec(
                component("mlp", "hidden", ints(8)),
                component("sgd", "learning_rate", number(0.05)),
                component("fashion_mnist")));
        assertThat(mlp.getEffectiveMatricesList()).isEmpty();
        assertThat(mlp.getParametersList())
                .allSatisfy(p -> assertThat(p.hasPartition()).isFalse());
    }

    @Test
    void getParametersReadsAnEffectiveMatrixAsMeasureGivesItNowAtAPastStepPooledAndSinceStart() {
        String id = create(columnEi()).getId();
        live.stepTo(id, 30);
        long now = stub.getSimulation(
                        GetSimulationRequest.newBuilder().setId(id).build())
                .getSimulation()
                .getStep();
        NamedTensor current = read(id, "layer1", null, false, 0, 0).getParameters(0);
        assertThat(current.getName()).isEqualTo("layer1");
        assertThat(current.getTensor().getShapeList()).containsExactly(11, 22);
        assertThat(floats(current.getTensor())).containsExactly(measured(id, "layer1", now));
        // At a past step: rebuilt, and what Measure rebuilds there.
        float[] at10 =
                floats(read(id, "layer1", 10L, false, 0, 0).getParameters(0).getTensor());
        assertThat(at10).containsExactly(measured(id, "layer1", 10)).isNotEqualTo(floats(current.getTensor()));
        // The change since step 0: minus the matrix the initial parameters give.
        float[] start = measured(id, "layer1", 0), now1 = floats(current.getTensor());
        float[] change =
                floats(read(id, "layer1", null, true, 0, 0).getParameters(0).getTensor());
        for (int k = 0; k < change.length; k++) assertThat(change[k]).isEqualTo(now1[k] - start[k]);
        // Pooled to 4 x 5: each block's value of largest magnitude, sign kept; full_shape the matrix's.
        float[] full = measured(id, "layer0", now);
        NamedTensor pooled = read(id, "layer0", null, false, 4, 5).getParameters(0);
        assertThat(pooled.getFullShapeList()).containsExactly(22, 784);
        float[] expected = new float[4 * 5];
        for (int bi = 0; bi < 4; bi++) {
            for (int bj = 0; bj < 5; bj++) {
                float best = 0;
                for (int i = bi * 22 / 4; i < (bi + 1) * 22 / 4; i++) {
                    for (int j = bj * 784 / 5; j < (bj + 1) * 784 / 5; j++) {
                        if (Math.abs(full[i * 784 + j]) > Math.abs(best)) best = full[i * 784 + j];
                    }
                }
                expected[bi * 5 + bj] = best;
            }
        }
        assertThat(floats(pooled.getTensor())).containsExactly(expected);
    }

    @Test
    void anUnknownNameIsRefusedNamingTheParametersAndEffectiveMatrices() {
        String id = create(columnEi()).getId();
        assertThatThrownBy(() -> read(id, "layer9", null, false, 0, 0))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription())
                            .contains("unknown parameter or effective matrix 'layer9'", "layer1", "layer1.W_pos");
                });
    }
}
