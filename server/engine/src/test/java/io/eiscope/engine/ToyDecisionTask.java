package io.eiscope.engine;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.sim.StateDict;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentDescriptor;
import io.eiscope.engine.task.DataOrder;
import io.eiscope.engine.task.Objective;
import io.eiscope.engine.task.Task;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;

/**
 * A tiny two-alternative decision task for tests, shaped like neurogym's 2AF of Liu et al. 2024:
 * two noisy evidence channels per step, {@code x_t = (c + n1, -c + n2)} with coherence
 * {@code c = +-U(0.1, 1)} and {@code n ~ N(0, 0.5^2)}; three outputs scored at every step: class 0
 * (fixate) before the last step, then 1 when {@code c > 0}, else 2. Examples are drawn once from
 * the seed; the training order from {@link DataOrder}.
 */
public final class ToyDecisionTask implements Task {
    public static final String KIND = "toy_decision";
    public static final int TRAIN = 512;
    public static final int TEST = 64;

    private final int steps;
    private final float[][] inputs = new float[TRAIN + TEST][];
    private final int[] choice = new int[TRAIN + TEST];
    private final long seed;
    private DataOrder order;

    public ToyDecisionTask(int steps, long seed) {
        this.steps = steps;
        this.seed = seed;
        Rng rng = Rng.derive(seed, "toy_decision");
        for (int e = 0; e < inputs.length; e++) {
            double c = (rng.nextDouble() < 0.5 ? -1 : 1) * (0.1 + 0.9 * rng.nextDouble());
            choice[e] = c > 0 ? 1 : 2;
            inputs[e] = new float[2 * steps];
            for (int t = 0; t < steps; t++) {
                inputs[e][2 * t] = (float) (c + 0.5 * rng.nextGaussian());
                inputs[e][2 * t + 1] = (float) (-c + 0.5 * rng.nextGaussian());
            }
        }
        reset();
    }

    /** The standard catalogue with this task (parameterless, {@code steps} steps) added as {@link #KIND}. */
    public static Catalogue catalogue(int steps) {
        return Catalogue.standard()
                .withTasks(List.of(new Catalogue.Entry<>(
                        new ComponentDescriptor(KIND, "Toy decision", "Tests only.", "", List.of()),
                        (p, s, ctx) -> new ToyDecisionTask(steps, s))));
    }

    @Override
    public TaskShape shape() {
        return new TaskShape(2, steps, 3, true);
    }

    @Override
    public int inputSize() {
        return 2 * steps;
    }

    @Override
    public int outputSize() {
        return 3;
    }

    @Override
    public Objective objective() {
        return new Objective.SoftmaxCrossEntropy(steps);
    }

    @Override
    public int trainSize() {
        return TRAIN;
    }

    @Override
    public int testSize() {
        return TEST;
    }

    @Override
    public void nextBatch(Matrix x, Matrix targets) {
        for (int r = 0; r < x.rows; r++) copy(order.next(), x, targets, r);
    }

    @Override
    public void testBatch(int from, Matrix x, Matrix targets) {
        for (int r = 0; r < x.rows; r++) copy(TRAIN + from + r, x, targets, r);
    }

    private void copy(int example, Matrix x, Matrix targets, int row) {
        for (int i = 0; i < 2 * steps; i++) x.set(row, i, inputs[example][i]);
        for (int t = 0; t < steps; t++) targets.set(row, t, t == steps - 1 ? choice[example] : 0);
    }

    @Override
    public void reset() {
        order = new DataOrder(seed, TRAIN);
    }

    @Override
    public State snapshot() {
        return order.snapshot();
    }

    @Override
    public State readState(StateDict dict, String prefix) {
        return order.readState(dict, prefix);
    }

    @Override
    public void restore(State state) {
        order.restore(state);
    }
}
