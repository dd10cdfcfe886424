package io.eiscope.engine.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.tensor.Matrix;
import java.util.function.BiPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the three neurogym trial structures of science.md §5.3 share: 8 steps at dt = 100 ms,
 * labels 0 until the decision step, noise of std sigma / sqrt(dt) exactly where neurogym adds
 * it, an endless seeded training stream that snapshots and restores, and a fixed held-out set.
 */
class CognitiveTaskTest {

    /** A trial structure and where it is noisy: (step, input) -> noisy. */
    record Case(String name, CognitiveTask.Trials trials, int inputs, BiPredicate<Integer, Integer> noisy) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(new Case("2AF", new PerceptualDecisionMaking(), 3, (t, k) -> t <= 6 && k >= 1)),
                Arguments.of(new Case("DMS", new DelayedMatchToSample(), 3, (t, k) -> (t == 0 || t == 6) && k >= 1)),
                Arguments.of(new Case("CXT", new ContextDecisionMaking(), 7, (t, k) -> t <= 1)));
    }

    /** {@code n} training trials of a fresh task: inputs and labels. */
    static Matrix[] trials(CognitiveTask.Trials trials, double sigma, long seed, int n) {
        CognitiveTask task = new CognitiveTask(trials, sigma, 10, seed);
        Matrix x = Matrix.zeros(n, task.inputSize()), y = Matrix.zeros(n, task.targetWidth());
        task.nextBatch(x, y);
        return new Matrix[] {x, y};
    }

    @ParameterizedTest
    @MethodSource("cases")
    void theShapeIsEightStepsScoredAtEveryStepWithThreeClasses(Case c) {
        CognitiveTask task = new CognitiveTask(c.trials(), 1.0, 10, 1);
        assertThat(task.shape()).isEqualTo(new TaskShape(c.inputs(), 8, 3, true));
        assertThat(task.inputSize()).isEqualTo(8 * c.inputs());
        assertThat(task.outputSize()).isEqualTo(3);
        assertThat(task.targetWidth()).isEqualTo(8);
        assertThat(task.shape().outputWidth()).isEqualTo(24);
        assertThat(task.objective()).isEqualTo(new Objective.SoftmaxCrossEntropy(8));
        assertThat(task.trainSize()).isEqualTo(CognitiveTask.NOMINAL_EPOCH_TRIALS);
        assertThat(task.testSize()).isEqualTo(10);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void theLabelIsFixateUntilTheDecisionStepAndAChoiceThereWhileFixationInputIsOnUntilThen(Case c) {
        Matrix[] d = trials(c.trials(), 1.0, 2, 2_000);
        Matrix x = d[0], y = d[1];
        int[] decided = new int[3];
        for (int r = 0; r < x.rows; r++) {
            for (int t = 0; t < 7; t++) assertThat(y.get(r, t)).isZero();
            float decision = y.get(r, 7);
            assertThat(decision).isIn(1f, 2f);
            decided[(int) decision]++;
            // the fixation input is noisy only in CXT's stimulus steps
            for (int t = 2; t < 7; t++) assertThat(x.get(r, t * c.inputs())).isEqualTo(1f);
            assertThat(x.get(r, 7 * c.inputs())).isZero();
        }
        // the correct choice is uniform over {1, 2}: 2,000 trials, standard error 0.011
        assertThat(decided[1] / 2_000.0).isCloseTo(0.5, within(0.04));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void theNoiseHasStdSigmaOverSqrtDtWhereNeurogymAddsItAndNowhereElse(Case c) {
        int n = 5_000;
        Matrix clean = trials(c.trials(), 0.0, 3, n)[0];
        for (double sigma : new double[] {1.0, 2.0}) {
            Matrix noisy = trials(c.trials(), sigma, 3, n)[0];
            double sum = 0, squares = 0;
            long count = 0;
            for (int r = 0; r < n; r++)
                for (int t = 0; t < 8; t++)
                    for (int k = 0; k < c.inputs(); k++) {
                        int col = t * c.inputs() + k;
                        double e = (double) noisy.get(r, col) - clean.get(r, col);
                        if (c.noisy().test(t, k)) {
                            sum += e;
                            squares += e * e;
                            count++;
                        } else {
                            assertThat(e).as("step %d input %d", t, k).isZero();
                        }
                    }
            double mean = sum / count,
                    std = Math.sqrt(squares / count - mean * mean),
                    expected = sigma / Math.sqrt(100);
            // at least 20,000 samples: standard errors below 0.0015 for the mean, 0.001 for the std
            assertThat(mean).as("sigma %s", sigma).isCloseTo(0, within(0.006 * sigma));
            assertThat(std).as("sigma %s", sigma).isCloseTo(expected, within(0.03 * expected));
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void theSameSeedGivesIdenticalBatchesAndADifferentSeedDoesNot(Case c) {
        Matrix[] a = trials(c.trials(), 1.0, 7, 64),
                b = trials(c.trials(), 1.0, 7, 64),
                other = trials(c.trials(), 1.0, 8, 64);
        assertThat(a[0].toArray()).containsExactly(b[0].toArray());
        assertThat(a[1].toArray()).containsExactly(b[1].toArray());
        assertThat(a[0].toArray()).isNotEqualTo(other[0].toArray());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void restoreResumesTheStreamIdenticallyAndResetReplaysIt(Case c) {
        CognitiveTask task = new CognitiveTask(c.trials(), 1.0, 10, 9),
                fork = new CognitiveTask(c.trials(), 1.0, 10, 9);
        Matrix x = Matrix.zeros(16, task.inputSize()), y = Matrix.zeros(16, 8);
        task.nextBatch(x, y);
        float[] first = x.toArray();
        task.nextBatch(x, y);
        Task.State mark = task.snapshot();
        task.nextBatch(x, y);
        float[] third = x.toArray(), thirdLabels = y.toArray();
        task.nextBatch(x, y);
        assertThat(x.toArray()).isNotEqualTo(third); // fresh trials every batch
        task.restore(mark);
        task.nextBatch(x, y);
        assertThat(x.toArray()).containsExactly(third);
        assertThat(y.toArray()).containsExactly(thirdLabels);
        fork.restore(mark); // a fork: another task of the same spec and seed
        fork.nextBatch(x, y);
        assertThat(x.toArray()).containsExactly(third);
        task.reset();
        task.nextBatch(x, y);
        assertThat(x.toArray()).containsExactly(first);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void theHeldOutSetIsFixedUnaffectedByTrainingAndServedInAnyChunks(Case c) {
        CognitiveTask task = new CognitiveTask(c.trials(), 1.0, 300, 11);
        Matrix all = Matrix.zeros(300, task.inputSize()), allLabels = Matrix.zeros(300, 8);
        task.testBatch(0, all, allLabels);
        Matrix x = Matrix.zeros(64, task.inputSize()), y = Matrix.zeros(64, 8);
        for (int i = 0; i < 5; i++) task.nextBatch(x, y);
        Matrix again = Matrix.zeros(300, task.inputSize()), againLabels = Matrix.zeros(300, 8);
        task.testBatch(0, again, againLabels);
        assertThat(again.toArray()).containsExactly(all.toArray());
        assertThat(againLabels.toArray()).containsExactly(allLabels.toArray());
        Matrix chunk = Matrix.zeros(50, task.inputSize()), chunkLabels = Matrix.zeros(50, 8);
        task.testBatch(250, chunk, chunkLabels);
        for (int r = 0; r < 50; r++) {
            for (int col = 0; col < task.inputSize(); col++)
                assertThat(chunk.get(r, col)).isEqualTo(all.get(250 + r, col));
            for (int t = 0; t < 8; t++) assertThat(chunkLabels.get(r, t)).isEqualTo(allLabels.get(250 + r, t));
        }
        // the held-out stream is not the training stream
        CognitiveTask fresh = new CognitiveTask(c.trials(), 1.0, 300, 11);
        fresh.nextBatch(x, y);
        assertThat(x.get(0, 1)).isNotEqualTo(all.get(0, 1));
    }

    @Test
    void badParametersAreRefusedNamingTheField() {
        assertThatThrownBy(() -> new CognitiveTask(new PerceptualDecisionMaking(), -0.1, 10, 1))
                .hasMessageContaining("task.sigma must be >= 0");
        assertThatThrownBy(() -> new CognitiveTask(new PerceptualDecisionMaking(), 1, 0, 1))
                .hasMessageContaining("task.test_size must be >= 1");
    }
}
