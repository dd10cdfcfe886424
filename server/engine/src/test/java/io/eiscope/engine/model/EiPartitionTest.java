package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.model.Dann.Inhibition;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which rows and columns of each matrix are excitatory and inhibitory units (what a heatmap
 * separates and a histogram colours): the counts for each E/I family, and Dale's law on the
 * effective matrices as the check that the columns called excitatory are the positive ones.
 */
class EiPartitionTest {
    private static final TaskShape SEQUENCE = new TaskShape(28, 4, 10, false);

    /** Every excitatory column of {@code w} is >= 0 and every inhibitory one <= 0. */
    static void assertDale(Matrix w, EiPartition p, String what) {
        assertThat(p.excitatoryCols() + p.inhibitoryCols())
                .as("%s columns", what)
                .isEqualTo(w.cols);
        for (int i = 0; i < w.rows; i++) {
            for (int j = 0; j < w.cols; j++) {
                if (j < p.excitatoryCols())
                    assertThat(w.get(i, j)).as("%s[%d, %d] (E)", what, i, j).isGreaterThanOrEqualTo(0f);
                else assertThat(w.get(i, j)).as("%s[%d, %d] (I)", what, i, j).isLessThanOrEqualTo(0f);
            }
        }
    }

    @Test
    void aColumnEiMlpSplitsColumnsByItsSignsAndRowsByTheNextLayers() {
        // 22 units at ratio 10: 20 E, 2 I; 11 units: 10 E, 1 I (ColumnEiMlp.split).
        FeedForwardNet net = ColumnEiMlp.create(784, new int[] {22, 11}, 10, 10, 0.13, Blas.best(), new Rng(1));
        assertThat(net.partition("layer0")).contains(new EiPartition(20, 2, 784, 0));
        assertThat(net.partition("layer1")).contains(new EiPartition(10, 1, 20, 2));
        assertThat(net.partition("layer2")).as("outputs are no E/I population").contains(new EiPartition(0, 0, 10, 1));
        for (String layer : new String[] {"layer0", "layer1", "layer2"}) {
            assertThat(net.partition(layer + ".W_pos")).isEqualTo(net.partition(layer));
            assertDale(
                    net.effectiveWeight(layer).orElseThrow(),
                    net.partition(layer).orElseThrow(),
                    layer);
        }
        assertThat(net.partition("layer1.b")).isEmpty();
    }

    @Test
    void aDannsEffectiveMatrixIsAllExcitatoryAndItsParametersFollowTheirRoles() {
        FeedForwardNet net = Dann.create(
                300, new int[] {20}, new int[] {4}, 10, Inhibition.SUBTRACTIVE_DIVISIVE, Blas.best(), new Rng(2));
        assertThat(net.partition("layer0")).contains(EiPartition.excitatory(20, 300));
        assertThat(net.partition("layer0.Wex")).contains(EiPartition.excitatory(20, 300));
        assertThat(net.partition("layer0.Wix")).contains(new EiPartition(0, 4, 300, 0));
        assertThat(net.partition("layer0.Wei")).contains(new EiPartition(20, 0, 0, 4));
        assertThat(net.partition("layer1")).contains(EiPartition.excitatory(10, 20));
        assertThat(net.partition("layer0.b")).isEmpty();
        assertThat(net.partition("layer0.alpha")).isEmpty();
    }

    @Test
    void aColumnEiRnnSplitsItsCellsUnitsAndItsReadoutsColumns() {
        RecurrentNet net =
                ColumnEiRnn.create(SEQUENCE, new int[] {100}, ColumnEiRnn.Options.defaults(), Blas.best(), new Rng(3));
        EiPartition cell = new EiPartition(90, 10, 90, 10);
        assertThat(net.partition("rnn0")).contains(cell);
        assertThat(net.partition("rnn0.W_pos")).contains(cell);
        assertThat(net.partition("rnn0.input")).as("inputs are excitatory").contains(new EiPartition(90, 10, 28, 0));
        assertThat(net.partition("readout")).contains(new EiPartition(0, 0, 90, 10));
        for (String t : new String[] {"rnn0", "rnn0.input", "readout"})
            assertDale(net.effectiveWeight(t).orElseThrow(), net.partition(t).orElseThrow(), t);
    }

    @Test
    void aDannRnnsEffectiveMatricesAreExcitatory() {
        RecurrentNet net =
                DannRnn.create(SEQUENCE, new int[] {30}, DannRnn.Options.defaults(), Blas.best(), new Rng(4));
        Matrix w = net.effectiveWeight("rnn0").orElseThrow();
        assertThat(net.partition("rnn0")).contains(EiPartition.excitatory(w.rows, w.cols));
        assertThat(net.partition("rnn0.input")).contains(EiPartition.excitatory(w.rows, 28));
    }

    @Test
    void plainNetworksHaveNoPartition() {
        FeedForwardNet mlp = Mlp.create(784, new int[] {50}, 10, Blas.best(), new Rng(5));
        RecurrentNet rnn = Rnn.create(SEQUENCE, new int[] {20}, Blas.best(), new Rng(6));
        for (String t : new String[] {"layer0.W", "layer1.W", "layer0"})
            assertThat(mlp.partition(t)).isEqualTo(Optional.empty());
        for (String t : new String[] {"rnn0", "rnn0.input", "rnn0.W", "readout"})
            assertThat(rnn.partition(t)).isEmpty();
    }
}
