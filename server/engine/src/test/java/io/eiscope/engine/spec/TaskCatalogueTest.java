package io.eiscope.engine.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.TestData;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.StateDict;
import io.eiscope.engine.task.Objective;
import io.eiscope.engine.task.Task;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Matrix;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Contract suite run against every task of the catalogue, with small sizes where the defaults are large. */
class TaskCatalogueTest {
    static final Catalogue CATALOGUE = Catalogue.standard();
    static final EngineContext CONTEXT = EngineContext.of(TestData.dataDir());

    record Case(String kind, Map<String, Object> params) {
        @Override
        public String toString() {
            return kind;
        }
    }

    static final List<Case> CASES = List.of(
            new Case("fashion_mnist", Map.of()),
            new Case("mnist", Map.of()),
            new Case("r_of_k", Map.of("inputs", 200L, "train_size", 2_000L, "held_out_size", 200L)),
            new Case("linear_regression", Map.of("dimension", 100L)),
            new Case("seq_mnist", Map.of()),
            new Case("seq_fashion_mnist", Map.of()),
            new Case("adding", Map.of("train_size", 2_000L, "test_size", 300L)),
            new Case("perceptual_decision_making", Map.of()),
            new Case("delayed_match_to_sample", Map.of()),
            new Case("context_decision_making", Map.of("test_size", 300L)),
            new Case("mod_cog", Map.of("tasks", "go, dm1, dms", "seq_len", 60L, "test_size", 16L)));

    static Stream<Case> cases() {
        return CASES.stream();
    }

    static Task build(String kind, Map<String, Object> params, long seed) {
        var entry = Catalogue.find("task", CATALOGUE.tasks(), kind);
        return entry.factory().create(Params.resolve("task", entry.descriptor(), params), seed, CONTEXT);
    }

    @Test
    void everyTaskOfTheCatalogueHasACaseHereAndEveryParameterADocAndAValidDefault() {
        assertThat(CATALOGUE.tasks().stream().map(Catalogue.Entry::kind))
                .containsExactlyInAnyOrderElementsOf(
                        CASES.stream().map(Case::kind).toList());
        for (var e : CATALOGUE.tasks()) {
            assertThat(e.descriptor().doc()).as(e.kind()).isNotBlank();
            for (ParamDescriptor p : e.descriptor().params()) {
                assertThat(p.doc()).as(e.kind() + "." + p.name()).isNotBlank();
                assertThat(p.validate("task." + p.name(), p.defaultValue())).isEqualTo(p.defaultValue());
            }
        }
    }

    /** A batch size that fits the training and held-out sets (linear_regression has 10 examples at D = 100). */
    private static int rows(Task task) {
        return Math.min(8, Math.min(task.trainSize(), task.testSize()));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void theLayoutAgreesWithTheShapeAndTheObjective(Case c) {
        Task task = build(c.kind(), c.params(), 1);
        TaskShape shape = task.shape();
        assertThat(task.inputSize()).isEqualTo(shape.inputSize());
        assertThat(task.outputSize()).isEqualTo(shape.outputs());
        assertThat(task.targetWidth()).isEqualTo(task.objective().targetWidth(shape.outputWidth()));
        if (task.objective() instanceof Objective.SoftmaxCrossEntropy ce)
            assertThat(ce.steps()).isEqualTo(shape.scoredSteps());
        assertThat(task.trainSize()).isPositive();
        assertThat(task.testSize()).isPositive();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void theSameSeedGivesTheSameBatchesARestoredTaskResumesAndTheHeldOutSetIsFixed(Case c) {
        Task a = build(c.kind(), c.params(), 5), b = build(c.kind(), c.params(), 5);
        int n = rows(a);
        Matrix xa = Matrix.zeros(n, a.inputSize()), ya = Matrix.zeros(n, a.targetWidth());
        Matrix xb = Matrix.zeros(n, a.inputSize()), yb = Matrix.zeros(n, a.targetWidth());
        a.nextBatch(xa, ya);
        Task.State mark = a.snapshot();
        a.nextBatch(xa, ya);
        float[] second = xa.toArray(), secondTargets = ya.toArray();
        b.restore(mark);
        b.nextBatch(xb, yb);
        assertThat(xb.toArray()).containsExactly(second);
        assertThat(yb.toArray()).containsExactly(secondTargets);
        a.testBatch(0, xa, ya);
        float[] held = xa.toArray();
        for (int i = 0; i < 3; i++) a.nextBatch(xb, yb);
        a.testBatch(0, xa, ya);
        assertThat(xa.toArray()).containsExactly(held);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aPositionWrittenToAStateDictResumesInAnotherTaskOfTheSameSeed(Case c) {
        Task a = build(c.kind(), c.params(), 6), b = build(c.kind(), c.params(), 6);
        int n = rows(a);
        Matrix xa = Matrix.zeros(n, a.inputSize()), ya = Matrix.zeros(n, a.targetWidth());
        Matrix xb = Matrix.zeros(n, a.inputSize()), yb = Matrix.zeros(n, a.targetWidth());
        for (int i = 0; i < 3; i++) a.nextBatch(xa, ya);
        StateDict saved = new StateDict();
        a.snapshot().save(saved, "task/");
        assertThat(saved.longValue("task/rng_state")).isNotZero();
        b.restore(b.readState(saved, "task/"));
        for (int i = 0; i < 3; i++) {
            a.nextBatch(xa, ya);
            b.nextBatch(xb, yb);
            assertThat(xb.toArray()).containsExactly(xa.toArray());
            assertThat(yb.toArray()).containsExactly(ya.toArray());
        }
        assertThatThrownBy(() -> b.readState(new StateDict(), "task/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("checkpoint entry 'task/rng_state' is missing");
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void drawingBatchesAllocatesNothing(Case c) {
        Task task = build(c.kind(), c.params(), 3);
        Matrix x = Matrix.zeros(rows(task), task.inputSize()), y = Matrix.zeros(rows(task), task.targetWidth());
        Runnable draw = () -> {
            task.nextBatch(x, y);
            task.testBatch(0, x, y);
        };
        for (int i = 0; i < 3_000; i++) draw.run(); // the JIT settles
        long before = allocatedBytes();
        for (int i = 0; i < 100; i++) draw.run();
        long few = allocatedBytes() - before;
        before = allocatedBytes();
        for (int i = 0; i < 2_100; i++) draw.run();
        long many = allocatedBytes() - before;
        // the difference cancels the measurement's own cost; 2,000 calls of even 8 bytes would be 16 kB
        assertThat(many - few).as("bytes allocated by 2000 extra batches").isLessThan(1024);
    }

    @Test
    void badTaskParametersAreRefusedNamingTheField() {
        assertThatThrownBy(() -> build("adding", Map.of("sequence_length", 1L), 1))
                .hasMessageContaining("task.sequence_length must be an integer in [2, 1000], got 1");
        assertThatThrownBy(() -> build("adding", Map.of("sequence_length", 1000L, "train_size", 50_000L), 1))
                .hasMessageContaining("task.train_size + task.test_size times task.sequence_length");
        assertThatThrownBy(() -> build("perceptual_decision_making", Map.of("sigma", -1.0), 1))
                .hasMessageContaining("task.sigma must be a number in [0, 10], got -1");
        assertThatThrownBy(() -> build("context_decision_making", Map.of("delay", 300L), 1))
                .hasMessageContaining("task.delay is not a parameter of task 'context_decision_making'");
        assertThatThrownBy(() -> build("mod_cog", Map.of("tasks", "go, dm3"), 1))
                .hasMessageContaining("task.tasks: 'dm3' is not one of the names [go, rtgo,");
        assertThatThrownBy(() -> build("mod_cog", Map.of("tasks", " , "), 1))
                .hasMessageContaining("task.tasks must be 'all' or comma-separated names, got nothing");
        assertThatThrownBy(() -> build("mod_cog", Map.of("tasks", "go,go"), 1))
                .hasMessageContaining("task.tasks names a value twice: go,go");
    }
}
