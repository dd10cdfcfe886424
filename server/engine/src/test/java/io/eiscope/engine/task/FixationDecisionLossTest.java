package io.eiscope.engine.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Matrix;
import org.junit.jupiter.api.Test;

/**
 * The EG paper's combined Mod-Cog loss against closed forms, against PyTorch's definitions
 * written out here (MSELoss on the non-decision steps to the one-hot fixation target, plus
 * CrossEntropyLoss(label_smoothing) on the decision steps), its gradient against central finite
 * differences, and acc / dec_acc on outputs built by hand.
 */
class FixationDecisionLossTest {

    /** Targets of one row: labels then decision flags. */
    private static Matrix targets(int[][] labels, int[][] decision) {
        int b = labels.length, t = labels[0].length;
        Matrix y = Matrix.zeros(b, 2 * t);
        for (int r = 0; r < b; r++)
            for (int s = 0; s < t; s++) {
                y.set(r, s, labels[r][s]);
                y.set(r, t + s, decision[r][s]);
            }
        return y;
    }

    @Test
    void zeroOutputsCostOneOverKOnAFixationStepAndLogKOnADecisionStep() {
        Matrix z = Matrix.zeros(1, 2 * 4);
        Matrix y = targets(new int[][] {{0, 2}}, new int[][] {{0, 1}});
        var r = new FixationDecisionLoss(2, 0.1).compute(z, y, null);
        // MSE of (0,0,0,0) against (1,0,0,0) is 1/4; a uniform softmax costs log 4 whatever the smoothing
        assertThat(r.loss()).isCloseTo(0.25 + Math.log(4), within(1e-12));
    }

    @Test
    void theLossIsPyTorchsMseOnFixationStepsPlusSmoothedCrossEntropyOnDecisionSteps() {
        int b = 3, t = 5, k = 17;
        Matrix z = randomOutputs(b, t, k, 11);
        int[][] labels = {{0, 0, 4, 5, 6}, {0, 0, 0, 0, 0}, {0, 9, 0, 16, 1}};
        int[][] decision = {{0, 0, 1, 1, 1}, {0, 0, 0, 1, 1}, {0, 1, 0, 1, 1}};
        Matrix y = targets(labels, decision);
        double eps = 0.1, mse = 0, ce = 0;
        int nf = 0, nd = 0;
        for (int r = 0; r < b; r++)
            for (int s = 0; s < t; s++) {
                if (decision[r][s] == 0) {
                    for (int j = 0; j < k; j++) mse += Math.pow(z.get(r, s * k + j) - (j == 0 ? 1 : 0), 2);
                    nf++;
                    continue;
                }
                double lse = 0;
                for (int j = 0; j < k; j++) lse += Math.exp(z.get(r, s * k + j));
                lse = Math.log(lse);
                // PyTorch: (1 - eps) * nll(y) + eps * mean_j(-log p_j)
                double nll = lse - z.get(r, s * k + labels[r][s]), uniform = 0;
                for (int j = 0; j < k; j++) uniform += (lse - z.get(r, s * k + j)) / k;
                ce += (1 - eps) * nll + eps * uniform;
                nd++;
            }
        var result = new FixationDecisionLoss(t, eps).compute(z, y, null);
        assertThat(result.loss()).isCloseTo(mse / (nf * k) + ce / nd, within(1e-9));
    }

    @Test
    void theGradientMatchesCentralFiniteDifferences() {
        int b = 3, t = 4, k = 17;
        Matrix z = randomOutputs(b, t, k, 3);
        Matrix y = targets(
                new int[][] {{0, 3, 3, 0}, {0, 0, 12, 13}, {0, 0, 0, 0}},
                new int[][] {{0, 1, 1, 1}, {0, 0, 1, 1}, {0, 0, 0, 1}});
        var loss = new FixationDecisionLoss(t, 0.1);
        Matrix d = Matrix.zeros(b, t * k);
        loss.compute(z, y, d);
        for (int i = 0; i < z.size(); i++) {
            float v = z.get(i), h = 1e-2f;
            z.set(i, v + h);
            float up = z.get(i);
            double plus = loss.compute(z, y, null).loss();
            z.set(i, v - h);
            float down = z.get(i);
            double minus = loss.compute(z, y, null).loss();
            z.set(i, v);
            assertThat((double) d.get(i)).as("dL/dz[%d]", i).isCloseTo((plus - minus) / (up - down), within(2e-5));
        }
    }

    @Test
    void accCountsEveryStepAndDecAccOnlyTheDecisionSteps() {
        int k = 4;
        // argmax per step: 0, 2, 3, 1 against labels 0, 0, 3, 0 with decisions at steps 2 and 3
        Matrix z = Matrix.of(1, 4 * k, new float[] {5, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 5, 0, 5, 0, 0});
        Matrix y = targets(new int[][] {{0, 0, 3, 0}}, new int[][] {{0, 0, 1, 1}});
        var r = new FixationDecisionLoss(4, 0.1).compute(z, y, null);
        assertThat(r.accuracy()).isEqualTo(0.5); // steps 0 and 2 of 4
        assertThat(r.decisionAccuracy()).isEqualTo(0.5); // step 2 of the decision steps 2 and 3
        // without decision steps there is no dec_acc, and the loss is the MSE alone
        Matrix none = targets(new int[][] {{0, 0, 0, 0}}, new int[][] {{0, 0, 0, 0}});
        var f = new FixationDecisionLoss(4, 0.1).compute(z, none, null);
        assertThat(f.decisionAccuracy()).isNaN();
        assertThat(f.accuracy()).isEqualTo(0.25);
        assertThat(f.loss()).isCloseTo((16.0 + 26 + 26 + 26) / 16, within(1e-9));
    }

    @Test
    void aTieInTheOutputsCountsAsTheLowerClassLikeTorchArgmax() {
        Matrix z = Matrix.of(1, 3, new float[] {1, 1, 0});
        Matrix y = targets(new int[][] {{1}}, new int[][] {{1}});
        assertThat(new FixationDecisionLoss(1, 0.1).compute(z, y, null).decisionAccuracy())
                .isZero();
    }

    private static Matrix randomOutputs(int b, int t, int k, long seed) {
        Rng rng = new Rng(seed);
        Matrix z = Matrix.zeros(b, t * k);
        for (int i = 0; i < z.size(); i++) z.set(i, (float) rng.nextGaussian());
        return z;
    }
}
