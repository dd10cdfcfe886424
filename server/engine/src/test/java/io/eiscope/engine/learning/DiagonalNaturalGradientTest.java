package io.eiscope.engine.learning;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.model.Dann;
import io.eiscope.engine.model.FeedForwardNet;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.model.SoftmaxCrossEntropy;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.Params;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * d-NGD (Cornford et al. 2021, science.md §1.4.4) against a direct computation written here: the
 * targets sampled from the softmax by inverse CDF on the stream {@code Rng.derive(seed, "fisher")},
 * each example's gradient from a backward pass of its own (the batch's gradient with every other
 * row of dL/dlogits zero), times B, squared, times f_lambda, averaged; the update in closed form.
 */
class DiagonalNaturalGradientTest {
    private static final int D = 6, CLASSES = 3, BATCH = 7;

    /** A small DANN (one inhibitory unit per layer) with gains and biases moved off their initial 1 and 0. */
    private static FeedForwardNet net(long seed) {
        Rng rng = new Rng(seed);
        FeedForwardNet net = Dann.create(
                D, new int[] {5, 4}, new int[] {1, 1}, CLASSES, Dann.Inhibition.SUBTRACTIVE_DIVISIVE, Blas.best(), rng);
        for (Parameter p : net.parameters()) {
            String n = p.name();
            if (n.endsWith(".g"))
                for (int i = 0; i < p.value().size(); i++) p.value().set(i, (float) (0.5 + rng.nextDouble()));
            if (n.endsWith(".b"))
                for (int i = 0; i < p.value().size(); i++) p.value().set(i, (float) (0.2 * rng.nextDouble() - 0.1));
        }
        return net;
    }

    private static Matrix inputs(Rng rng) {
        Matrix x = Matrix.zeros(BATCH, D);
        for (int i = 0; i < x.size(); i++) x.set(i, (float) rng.nextDouble());
        return x;
    }

    private static double[] softmax(Matrix logits, int r) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        double[] p = new double[logits.cols];
        for (int j = 0; j < p.length; j++) max = Math.max(max, logits.get(r, j));
        for (int j = 0; j < p.length; j++) {
            p[j] = Math.exp(logits.get(r, j) - max);
            sum += p[j];
        }
        for (int j = 0; j < p.length; j++) p[j] /= sum;
        return p;
    }

    /** Inverse-CDF sampling, one uniform per example. */
    private static int[] sample(Matrix logits, Rng rng) {
        int[] y = new int[logits.rows];
        for (int r = 0; r < logits.rows; r++) {
            double[] p = softmax(logits, r);
            double u = rng.nextDouble(), c = 0;
            y[r] = p.length - 1;
            for (int j = 0; j < p.length; j++) {
                c += p[j];
                if (u < c) {
                    y[r] = j;
                    break;
                }
            }
        }
        return y;
    }

    /** f_lambda * mean_n (B g_n)², each g_n from its own backward pass (the net's forward caches are this batch's). */
    private static List<double[]> directFisher(FeedForwardNet net, Matrix logits, int[] y, double fLambda) {
        List<double[]> f = new ArrayList<>();
        for (Parameter p : net.parameters()) f.add(new double[p.value().size()]);
        for (int n = 0; n < BATCH; n++) {
            Matrix d = Matrix.zeros(BATCH, CLASSES);
            double[] p = softmax(logits, n);
            for (int j = 0; j < CLASSES; j++) d.set(n, j, (float) ((p[j] - (j == y[n] ? 1 : 0)) / BATCH));
            net.backward(d);
            for (int i = 0; i < f.size(); i++) {
                Matrix g = net.parameters().get(i).grad();
                for (int j = 0; j < g.size(); j++) {
                    double e = BATCH * (double) g.get(j);
                    f.get(i)[j] += fLambda * e * e / BATCH;
                }
            }
        }
        return f;
    }

    private static List<float[]> grads(FeedForwardNet net) {
        return net.parameters().stream().map(p -> p.grad().toArray()).toList();
    }

    /** The ordinary gradient of the true labels' mean cross-entropy, as the simulation computes it. */
    private static void trueGradient(FeedForwardNet net, Matrix logits, int[] labels) {
        Matrix d = Matrix.zeros(BATCH, CLASSES);
        SoftmaxCrossEntropy.compute(logits, labels, d);
        net.backward(d);
    }

    private static void assertClose(String what, float actual, double expected, double scale) {
        assertThat((double) actual)
                .as(what)
                .isCloseTo(expected, Offset.offset(1e-4 * Math.abs(expected) + 1e-6 * scale));
    }

    @Test
    void theFisherIsTheMeanOfSquaredPerExampleGradientsAndTheGradientBecomesItsInverseTimesTheGradient() {
        FeedForwardNet net = net(11);
        Rng data = new Rng(12);
        Matrix x = inputs(data);
        int[] labels = {0, 1, 2, 2, 1, 0, 1};
        Matrix logits = net.forward(x).copy();
        List<double[]> expected = directFisher(net, logits, sample(logits, Rng.derive(5, "fisher")), 0.01);
        trueGradient(net, logits, labels);
        List<float[]> g = grads(net);

        DiagonalNaturalGradient ngd = new DiagonalNaturalGradient(0.01, 0.3, false);
        ngd.observeBatch(net, net.forward(x), 5);
        ngd.apply(net.parameters());

        for (int i = 0; i < expected.size(); i++) {
            Parameter p = net.parameters().get(i);
            double[] f = expected.get(i);
            double largest = java.util.Arrays.stream(f).max().orElse(0);
            assertThat(largest).as("%s has a non-zero Fisher", p.name()).isPositive();
            Matrix fisher = ngd.fisher(i);
            for (int j = 0; j < f.length; j++) {
                assertClose(p.name() + " F[" + j + "]", fisher.get(j), f[j], largest);
                double natural = g.get(i)[j] / (f[j] + 1e-8);
                assertThat((double) p.grad().get(j))
                        .as("%s natural gradient [%d]", p.name(), j)
                        .isCloseTo(natural, Offset.offset(2e-4 * Math.abs(natural) + 1e-9));
            }
        }
    }

    private static double[] flat(List<double[]> f, int from, int to) {
        return f.subList(from, to).stream()
                .flatMapToDouble(java.util.Arrays::stream)
                .toArray();
    }

    /**
     * Two updates of the catalogue's rule (lr 0.5, f_lambda 0.01, f_ma_scale 0.3, inverse Fisher
     * scaled by each layer's Wex-block norm): each weight moves by exactly
     * {@code -lr ĝ / (F + 1e-8) / ‖1/(F_Wex + 1e-8)‖}, with {@code F} the moving average of the direct
     * estimates, before the projection.
     */
    @Test
    void theUpdateIsTheScaledNaturalGradientStepWithAMovingAverageFisher() {
        var entry = Catalogue.find("learning_rule", Catalogue.standard().rules(), "dngd");
        LearningRule rule = entry.factory()
                .create(Params.resolve(
                        "learning_rule",
                        entry.descriptor(),
                        Map.of("learning_rate", 0.5, "f_lambda", 0.01, "f_ma_scale", 0.3)));
        FeedForwardNet net = net(21);
        Rng data = new Rng(22), fisherStream = Rng.derive(9, "fisher");
        List<double[]> average = null;
        for (int step = 0; step < 2; step++) {
            Matrix x = inputs(data);
            int[] labels = {1, 1, 0, 2, 0, 2, 1};
            Matrix logits = net.forward(x).copy();
            List<double[]> fresh = directFisher(net, logits, sample(logits, fisherStream), 0.01);
            if (average == null) average = fresh;
            else
                for (int i = 0; i < fresh.size(); i++)
                    for (int j = 0; j < fresh.get(i).length; j++)
                        average.get(i)[j] = 0.7 * average.get(i)[j] + 0.3 * fresh.get(i)[j];
            trueGradient(net, logits, labels);
            List<float[]> g = grads(net);
            List<float[]> before =
                    net.parameters().stream().map(p -> p.value().toArray()).toList();
            rule.observeBatch(net, net.forward(x), 9);
            rule.update(net.parameters());
            int perLayer = 6; // Wex, Wix, Wei, alpha, g, b
            for (int layer = 0; layer < 3; layer++) {
                double norm = 0;
                for (double f : flat(average, layer * perLayer, layer * perLayer + 1))
                    norm += 1 / ((f + 1e-8) * (f + 1e-8));
                norm = Math.sqrt(norm);
                for (int i = layer * perLayer; i < (layer + 1) * perLayer; i++) {
                    Parameter p = net.parameters().get(i);
                    for (int j = 0; j < p.value().size(); j++) {
                        double step1 = 0.5 * g.get(i)[j] / (average.get(i)[j] + 1e-8) / norm;
                        assertThat((double) p.value().get(j))
                                .as("step %d, %s[%d]", step + 1, p.name(), j)
                                .isCloseTo(
                                        before.get(i)[j] - step1,
                                        Offset.offset(
                                                3e-4 * Math.abs(step1) + 1e-6 * Math.abs(before.get(i)[j]) + 1e-7));
                    }
                }
            }
            net.project();
        }
        assertThat(rule.updates()).isEqualTo(2);
    }

    @Test
    void aCopyContinuesBitForBitAndResetStartsTheEstimateAfresh() {
        DiagonalNaturalGradient a = new DiagonalNaturalGradient(0.01, 0.3, true);
        FeedForwardNet netA = net(31), netB = net(31);
        Matrix x = inputs(new Rng(32));
        int[] labels = {0, 0, 1, 1, 2, 2, 0};
        trueGradient(netA, netA.forward(x), labels);
        a.observeBatch(netA, netA.forward(x), 4);
        a.apply(netA.parameters()); // changes grads only: netA and netB keep equal values
        DiagonalNaturalGradient b = a.copy();
        trueGradient(netA, netA.forward(x), labels);
        a.observeBatch(netA, netA.forward(x), 4);
        a.apply(netA.parameters());
        trueGradient(netB, netB.forward(x), labels);
        b.observeBatch(netB, netB.forward(x), 4);
        b.apply(netB.parameters());
        assertThat(grads(netB)).containsExactlyElementsOf(grads(netA));
        for (int i = 0; i < netA.parameters().size(); i++)
            assertThat(b.fisher(i).toArray()).containsExactly(a.fisher(i).toArray());
        a.reset();
        assertThat(a.fisher(0)).isNull();
    }
}
