package io.eiscope.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.TestData;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Products lent to spare cores ({@link IntraOp}): the same bits as on one core, and never stuck on a busy helper. */
class IntraOpTest {
    static final Blas BLAS = Blas.best();

    @BeforeEach
    void thisMachineHasASpareCoreAndTheKernelSplitsExactly() {
        assertThat(IntraOp.HELPERS)
                .as("cores besides the caller's (the test machines have 2)")
                .isPositive();
        assertThat(BLAS.name()).startsWith("openblas").doesNotContain("not split");
        IntraOp.setBacksOff(false); // every product lends, however slow the machine (the back-off has its own test)
        IntraOp.setHeedsMachineLoad(false); // and however busy (MachineLoadTest tests that)
    }

    @AfterEach
    void noMoreSpareCores() {
        IntraOp.setSpareCores(0);
        IntraOp.setBacksOff(true);
        IntraOp.setHeedsMachineLoad(true);
    }

    @Test
    void helpersThatFallBehindTimeAfterTimeStopTheLendingForAWhileAndOneHiccupDoesNot() {
        IntraOp.setBacksOff(true);
        IntraOp.setSpareCores(1);
        long backOffs = IntraOp.backOffs();
        for (int i = 1; i < IntraOp.LATE_IN_A_ROW; i++) lateHalf();
        onTimeHalf();
        for (int i = 1; i < IntraOp.LATE_IN_A_ROW; i++) lateHalf();
        assertThat(IntraOp.backOffs())
                .as("late halves with an on-time one between them: hiccups")
                .isEqualTo(backOffs);
        assertThat(IntraOp.lends()).isTrue();
        lateHalf();
        assertThat(IntraOp.backOffs())
                .as("%d late halves in a row: the spare core is busy", IntraOp.LATE_IN_A_ROW)
                .isEqualTo(backOffs + 1);
        assertThat(IntraOp.lends()).as("within the back-off").isFalse();
        long before = IntraOp.helpedHalves() + IntraOp.takenBackHalves();
        Random g = new Random(5);
        BLAS.gemm(false, true, 1f, gaussian(128, 784, g), gaussian(500, 784, g), 0f, Matrix.zeros(128, 500));
        assertThat(IntraOp.helpedHalves() + IntraOp.takenBackHalves())
                .as("a splittable product computed alone")
                .isEqualTo(before);
    }

    /** A lent half that takes 100 ms where its caller's takes almost nothing: the helper did not keep up. */
    static void lateHalf() {
        CountDownLatch started = new CountDownLatch(1);
        IntraOp.fork(() -> await(started), () -> {
            started.countDown();
            sleep(100);
        });
    }

    /** A lent half done at once while its caller's takes 20 ms. */
    static void onTimeHalf() {
        CountDownLatch started = new CountDownLatch(1);
        IntraOp.fork(
                () -> {
                    await(started);
                    sleep(20);
                },
                started::countDown);
    }

    @Test
    void spareCoresAreClampedToTheHelpers() {
        IntraOp.setSpareCores(1_000);
        assertThat(IntraOp.spareCores()).isEqualTo(IntraOp.HELPERS);
        IntraOp.setSpareCores(-3);
        assertThat(IntraOp.spareCores()).isZero();
    }

    @Test
    void aSplitProductHasTheBitsOfTheWholeOneInEveryLayoutAndShape() {
        Random g = new Random(11);
        int[][] shapes = {
            {128, 500, 784},
            {784, 500, 128},
            {500, 784, 128},
            {128, 40, 4000},
            {4000, 10, 512},
            {129, 333, 511},
            {500, 784, 64},
            {1000, 1000, 32} // A^T B in pieces of rows (OpenBlas.rowPiece), half of them lent
        };
        long before = IntraOp.helpedHalves() + IntraOp.takenBackHalves();
        int products = 0;
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                boolean transA = (t & 1) != 0, transB = (t & 2) != 0;
                int m = s[0], n = s[1], k = s[2];
                Matrix a = gaussian(transA ? k : m, transA ? m : k, g), b = gaussian(transB ? n : k, transB ? k : n, g);
                Matrix c0 = gaussian(m, n, g), alone = c0.copy(), lent = c0.copy();
                float alpha = 0.75f, beta = t % 2 == 0 ? 0f : 1.25f;
                IntraOp.setSpareCores(0);
                BLAS.gemm(transA, transB, alpha, a, b, beta, alone);
                IntraOp.setSpareCores(1);
                BLAS.gemm(transA, transB, alpha, a, b, beta, lent);
                products++;
                assertThat(lent.toArray())
                        .as("%dx%dx%d transA=%b transB=%b beta=%s", m, n, k, transA, transB, beta)
                        .isEqualTo(alone.toArray());
            }
        }
        assertThat(IntraOp.helpedHalves() + IntraOp.takenBackHalves() - before)
                .as("every product was large enough to split (one in slices of k lends half of each slice)")
                .isGreaterThanOrEqualTo(products);
    }

    /** A weight gradient in slices of k, each in pieces of rows ({@link OpenBlas#kSlice}): half of each slice lent. */
    @Test
    void aProductInSlicesOfKLendsHalfOfEachSliceToTheSameBits() {
        Random g = new Random(17);
        Matrix a = gaussian(864, 500, g), b = gaussian(864, 500, g), c0 = gaussian(500, 500, g);
        Matrix alone = c0.copy(), lent = c0.copy();
        IntraOp.setSpareCores(0);
        BLAS.gemm(true, false, 0.75f, a, b, 1.25f, alone);
        IntraOp.setSpareCores(1);
        long before = IntraOp.helpedHalves() + IntraOp.takenBackHalves();
        BLAS.gemm(true, false, 0.75f, a, b, 1.25f, lent);
        assertThat(IntraOp.helpedHalves() + IntraOp.takenBackHalves() - before)
                .as("one half of each of the 14 slices")
                .isEqualTo(14);
        assertThat(lent.toArray()).isEqualTo(alone.toArray());
    }

    @Test
    void productsWhoseHalvesWouldTakeTheSmallMatrixKernelsDoNotSplit() {
        assertThat(OpenBlas.splittable(96, 64, 300))
                .as("halves of 0.9M: small kernels")
                .isFalse();
        assertThat(OpenBlas.splittable(32, 10, 500)).as("an MLP's readout").isFalse();
        assertThat(OpenBlas.splittable(128, 224, 600)).as("halves of 8.6M").isTrue();
        assertThat(OpenBlas.splittable(128, 200, 600)).as("a half of 7.4M").isFalse();
        assertThat(OpenBlas.splittable(32, 500, 784))
                .as("MLP 784-500 at batch 32: halves of 6.1M")
                .isFalse();
        IntraOp.setSpareCores(1);
        long before = IntraOp.helpedHalves() + IntraOp.takenBackHalves();
        Random g = new Random(3);
        BLAS.gemm(false, false, 1f, gaussian(96, 300, g), gaussian(300, 64, g), 0f, Matrix.zeros(96, 64));
        assertThat(IntraOp.helpedHalves() + IntraOp.takenBackHalves()).isEqualTo(before);
    }

    @Test
    void aRunTrainedWithASpareCoreHasTheWeightsOfOneTrainedWithout() {
        IntraOp.setSpareCores(0);
        List<float[]> alone = train();
        IntraOp.setSpareCores(1);
        long helped = IntraOp.helpedHalves();
        List<float[]> lent = train();
        assertThat(IntraOp.helpedHalves()).as("the helper computed halves").isGreaterThan(helped);
        for (int i = 0; i < alone.size(); i++) assertThat(lent.get(i)).isEqualTo(alone.get(i));
    }

    static List<float[]> train() {
        Simulation s = new Simulation(
                new SimulationConfig(
                        "t",
                        new ComponentConfig("mlp", Map.of("hidden", List.of(500L, 500L))),
                        new ComponentConfig("sgd", Map.of("learning_rate", 0.05, "momentum", 0.9)),
                        ComponentConfig.of("fashion_mnist"),
                        5,
                        64,
                        0,
                        0),
                Catalogue.standard(),
                EngineContext.of(TestData.dataDir()));
        for (int i = 0; i < 30; i++) s.trainStep();
        return s.parameters().stream().map(p -> p.value().toArray()).toList();
    }

    @Test
    void aCallerWhoseHelperIsBusyTakesItsHalfBackInsteadOfWaiting() throws Exception {
        IntraOp.setSpareCores(IntraOp.HELPERS);
        CountDownLatch holding = new CountDownLatch(IntraOp.HELPERS), release = new CountDownLatch(1);
        Thread[] blockers = new Thread[IntraOp.HELPERS];
        for (int i = 0; i < blockers.length; i++) {
            // each blocker lends a half that holds its helper until released
            blockers[i] = new Thread(() -> IntraOp.fork(() -> await(release), () -> {
                holding.countDown();
                await(release);
            }));
            blockers[i].start();
        }
        assertThat(holding.await(10, TimeUnit.SECONDS))
                .as("every helper is held")
                .isTrue();
        IntraOp.setLendingBudget(IntraOp.HELPERS + 1); // one half more than there are helpers
        int[] ran = {0};
        long takenBack = IntraOp.takenBackHalves();
        long t0 = System.nanoTime();
        IntraOp.fork(() -> ran[0]++, () -> ran[0]++);
        assertThat(ran[0]).isEqualTo(2);
        assertThat((System.nanoTime() - t0) / 1e6)
                .as("ms, with every helper busy")
                .isLessThan(1_000);
        assertThat(IntraOp.takenBackHalves() - takenBack)
                .as("the half was lent, found no helper free and was taken back")
                .isEqualTo(1);
        release.countDown();
        for (Thread t : blockers) t.join(10_000);
    }

    @Test
    void aHalfThatFailsOnAHelperFailsItsCaller() {
        IntraOp.setSpareCores(1);
        long helped = IntraOp.helpedHalves();
        RuntimeException boom = new IllegalArgumentException("boom");
        CountDownLatch taken = new CountDownLatch(1);
        // the caller's half waits until a helper has taken the other one
        assertThatThrownBy(() -> IntraOp.fork(() -> await(taken), () -> {
                    taken.countDown();
                    throw boom;
                }))
                .hasCause(boom);
        assertThat(IntraOp.helpedHalves()).isEqualTo(helped);
    }

    @Test
    void aCallerWhoseOwnHalfFailsWaitsForTheLentHalfBeforeFailing() {
        IntraOp.setSpareCores(1);
        CountDownLatch started = new CountDownLatch(1);
        boolean[] finished = {false};
        RuntimeException boom = new IllegalStateException("own half");
        assertThatThrownBy(() -> IntraOp.fork(
                        () -> {
                            await(started);
                            throw boom;
                        },
                        () -> {
                            started.countDown();
                            sleep(200);
                            finished[0] = true;
                        }))
                .isSameAs(boom);
        assertThat(finished[0])
                .as("the helper's half ended before the failure reached the caller")
                .isTrue();
    }

    static void await(CountDownLatch l) {
        try {
            l.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Matrix gaussian(int rows, int cols, Random g) {
        Matrix m = Matrix.zeros(rows, cols);
        for (int i = 0; i < m.size(); i++) m.set(i, (float) g.nextGaussian());
        return m;
    }
}
