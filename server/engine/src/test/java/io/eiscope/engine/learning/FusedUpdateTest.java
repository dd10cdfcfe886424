package io.eiscope.engine.learning;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.model.Parameter.Role;
import io.eiscope.engine.model.Parameter.Sign;
import io.eiscope.engine.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The chunked, fused update ({@link LearningRule#updateAndProject}: the direction, the geometry,
 * the sign projection and the pruning mask in one pass) against a scalar reference written here
 * from the formulas of science.md and the classes' comments, bit for bit: every rule, both sign
 * constraints, with and without a mask, over a tensor of 2.5 chunks (so the tail chunk is
 * checked too) holding negatives, zeros, {@code -0.0} and values the projection clamps.
 */
class FusedUpdateTest {
    private static final int ROWS = 5, COLS = 512; // 2560 elements: two full chunks and a partial one
    private static final float LR = 0.05f;

    /** One rule of the catalogue's families, and its per-element reference. */
    private record Case(String name, ComposedRule rule, Reference reference) {}

    /** The reference's state for one tensor: weights and the momentum buffer. */
    private interface Reference {
        void step(float[] w, float[] g, float[] buf, int t);
    }

    private static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        out.add(new Case("sgd", rule(Momentum.Hyper.plain(), new GradientDescent()), momentum(0, 0, false, 0, GD)));
        out.add(new Case(
                "sgd, weight decay",
                rule(new Momentum.Hyper(0, 0, false, 0.1), new GradientDescent()),
                momentum(0, 0, false, 0.1f, GD)));
        out.add(new Case(
                "heavy ball, dampening",
                rule(new Momentum.Hyper(0.9, 0.25, false, 0.01), new GradientDescent()),
                momentum(0.9f, 0.25f, false, 0.01f, GD)));
        out.add(new Case(
                "nesterov",
                rule(new Momentum.Hyper(0.5, 0, true, 0), new GradientDescent()),
                momentum(0.5f, 0, true, 0, GD)));
        out.add(new Case(
                "signed EG, decay",
                rule(new Momentum.Hyper(0, 0, false, 0.1), new ExponentiatedGradient(true)),
                momentum(0, 0, false, 0.1f, EG_SIGNED)));
        out.add(new Case(
                "unsigned EG, momentum",
                rule(new Momentum.Hyper(0.9, 0, false, 0), new ExponentiatedGradient(false)),
                momentum(0.9f, 0, false, 0, EG_UNSIGNED)));
        out.add(new Case(
                "sign-frozen GD",
                rule(Momentum.Hyper.plain(), new SignFrozenGradientDescent(1e-9)),
                momentum(0, 0, false, 0, SIGN_FROZEN)));
        return out;
    }

    private static ComposedRule rule(Momentum.Hyper hyper, Geometry geometry) {
        return new ComposedRule(new LearningRateSchedule.Constant(LR), List.of(), new Momentum(hyper), geometry);
    }

    /** How a geometry moves one weight, and its weight-decay gradient, written out. */
    private interface Step {
        float apply(float w, float d);

        default float decay(float w) {
            return w;
        }
    }

    private static final Step GD = (w, d) -> w - LR * d;
    private static final Step EG_SIGNED = new Step() {
        @Override
        public float apply(float w, float d) {
            return w * (float) Math.exp(-LR * Math.signum(w) * d);
        }

        @Override
        public float decay(float w) {
            return Math.signum(w);
        }
    };
    private static final Step EG_UNSIGNED = new Step() {
        @Override
        public float apply(float w, float d) {
            return w * (float) Math.exp(-LR * d);
        }

        @Override
        public float decay(float w) {
            return Math.abs(Math.signum(w));
        }
    };
    private static final Step SIGN_FROZEN = (w, d) -> {
        float s = Math.signum(w), next = w - LR * d;
        return s * next < 0f ? 1e-9f * s : next;
    };

    /** PyTorch's SGD per element (Momentum's class comment), buffers flushed below the smallest normal. */
    private static Reference momentum(float mu, float dampening, boolean nesterov, float wd, Step step) {
        return (w, g, buf, t) -> {
            for (int i = 0; i < w.length; i++) {
                float d = g[i] + wd * step.decay(w[i]);
                if (mu > 0) {
                    float b = t == 1 ? d : mu * buf[i] + (1 - dampening) * d;
                    buf[i] = Math.abs(b) < Float.MIN_NORMAL ? 0f : b;
                    d = nesterov ? d + mu * buf[i] : buf[i];
                }
                w[i] = step.apply(w[i], d);
            }
        };
    }

    /** The projection: pruned elements to +0, and for non-negative tensors everything not above 0 (NaN aside) to +0. */
    private static void project(float[] w, Sign sign, boolean[] pruned) {
        for (int i = 0; i < w.length; i++) {
            if (pruned[i]) w[i] = 0f;
            else if (sign == Sign.NON_NEGATIVE && !(w[i] > 0f) && !Float.isNaN(w[i])) w[i] = 0f;
        }
    }

    private static float[] values(Random rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian() * 0.1f;
        v[3] = 0f;
        v[4] = -0f;
        v[5] = -1e-3f; // clamped by a sign constraint
        v[n - 1] = -0.5f; // in the tail chunk
        return v;
    }

    @Test
    void fusedUpdateEqualsTheScalarReferenceForEveryRuleConstraintAndMask() {
        int checked = 0;
        for (Sign sign : Sign.values()) {
            for (boolean withMask : new boolean[] {false, true}) {
                for (Case c : cases()) {
                    Random rng = new Random(7);
                    int n = ROWS * COLS;
                    float[] w = values(rng, n);
                    boolean[] pruned = new boolean[n];
                    Parameter p = new Parameter(
                            "layer0.W",
                            Matrix.of(ROWS, COLS, w),
                            Matrix.zeros(ROWS, COLS),
                            sign,
                            Role.WEIGHT,
                            COLS,
                            ROWS);
                    if (withMask) {
                        for (int i = 1; i < n; i += 7) {
                            p.mask().prune(i, n);
                            pruned[i] = true;
                        }
                    }
                    float[] ref = w.clone(), buf = new float[n];
                    project(ref, sign, pruned); // the model's state is projected before the first update
                    p.project();
                    assertThat(bits(p.value().toArray())).isEqualTo(bits(ref));
                    for (int t = 1; t <= 3; t++) {
                        float[] g = values(rng, n);
                        p.grad().copyFrom(g);
                        c.rule().updateAndProject(List.of(p));
                        c.reference().step(ref, g, buf, t);
                        project(ref, sign, pruned);
                        assertThat(bits(p.value().toArray()))
                                .as("%s, %s, mask %s, update %d", c.name(), sign, withMask, t)
                                .isEqualTo(bits(ref));
                        checked++;
                    }
                }
            }
        }
        assertThat(checked).isEqualTo(2 * 2 * cases().size() * 3);
    }

    @Test
    void updateAndProjectGiveTheBitsOfUpdateThenProjectionForEveryDirection() {
        List<Direction> directions = List.of(
                new Momentum(new Momentum.Hyper(0.9, 0, true, 0.01)),
                new Adam(Adam.Hyper.adamW()),
                new Adam(Adam.Hyper.adam()));
        for (Direction direction : directions) {
            Random rng = new Random(3);
            int n = ROWS * COLS;
            Parameter fused = new Parameter(
                    "w",
                    Matrix.of(ROWS, COLS, values(rng, n)),
                    Matrix.zeros(ROWS, COLS),
                    Sign.NON_NEGATIVE,
                    Role.WEIGHT,
                    COLS,
                    ROWS);
            Parameter twoPass = new Parameter(
                    "w", fused.value().copy(), Matrix.zeros(ROWS, COLS), Sign.NON_NEGATIVE, Role.WEIGHT, COLS, ROWS);
            for (int i = 0; i < n; i += 5) {
                fused.mask().prune(i, n);
                twoPass.mask().prune(i, n);
            }
            var a = new ComposedRule(
                    new LearningRateSchedule.Constant(LR), List.of(), direction, new GradientDescent());
            var b = a.copy();
            for (int t = 0; t < 3; t++) {
                float[] g = values(rng, n);
                fused.grad().copyFrom(g);
                twoPass.grad().copyFrom(g);
                a.updateAndProject(List.of(fused));
                b.update(List.of(twoPass));
                twoPass.project();
                assertThat(bits(fused.value().toArray()))
                        .as("%s, update %d", direction, t)
                        .isEqualTo(bits(twoPass.value().toArray()));
            }
        }
    }

    @Test
    void theProjectionMakesNegativeZeroPositiveAndKeepsNaN() {
        Parameter p = new Parameter(
                "w",
                Matrix.of(1, 4, new float[] {-0f, -2f, Float.NaN, 3f}),
                Matrix.zeros(1, 4),
                Sign.NON_NEGATIVE,
                Role.WEIGHT,
                4,
                1);
        p.project();
        assertThat(bits(p.value().toArray())).isEqualTo(bits(new float[] {0f, 0f, Float.NaN, 3f}));
    }

    private static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Float.floatToRawIntBits(v[i]);
        return out;
    }
}
