package io.eiscope.engine.model;

import io.eiscope.engine.model.Parameter.Role;
import io.eiscope.engine.model.Parameter.Sign;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;

/**
 * How one signed connection matrix of a recurrent cell ({@code rows x cols}, post x pre) is made
 * from its parameters: a plain matrix (standard RNN), a sign-partitioned one {@code W = W_pos D}
 * (column E/I, Song et al. / Li et al. 2023) or the DANN form {@code W = Wex - Wei Wix}
 * (Li et al. 2023 §2.1). The cell computes with the effective matrix and hands back the
 * gradient with respect to it; the connectivity turns that into its parameters' gradients.
 * Confined to the simulation's thread.
 */
public sealed interface Connectivity {

    /** The parameters, in a fixed order. */
    List<Parameter> parameters();

    /** Rows (post-synaptic units). */
    int rows();

    /** Columns (pre-synaptic units or inputs). */
    int cols();

    /** Recomputes the effective matrix from the parameters; call before every forward pass. */
    void refresh(Blas blas);

    /** The effective signed matrix as of the latest {@link #refresh}; owned, not to be modified. */
    Matrix effective();

    /** Where the cell writes the gradient with respect to the effective matrix. */
    Matrix effectiveGrad();

    /** Writes the parameters' gradients from {@link #effectiveGrad()}. */
    void backward(Blas blas);

    /** A plain, unconstrained matrix {@code W}: the effective matrix is the parameter itself. */
    record Plain(Parameter w) implements Connectivity {
        public static Plain create(String name, int rows, int cols, int fanIn) {
            return new Plain(Parameter.of(name, rows, cols, Sign.FREE, Role.WEIGHT, fanIn, rows));
        }

        @Override
        public List<Parameter> parameters() {
            return List.of(w);
        }

        @Override
        public int rows() {
            return w.value().rows;
        }

        @Override
        public int cols() {
            return w.value().cols;
        }

        @Override
        public void refresh(Blas blas) {}

        @Override
        public Matrix effective() {
            return w.value();
        }

        @Override
        public Matrix effectiveGrad() {
            return w.grad();
        }

        @Override
        public void backward(Blas blas) {}
    }

    /**
     * {@code W = W_pos D} with {@code D = diag(+1 x (cols - inhibitory), -1 x inhibitory)}: the last
     * {@code inhibitory} pre-synaptic units are inhibitory, so their columns are negative.
     * {@code W_pos >= 0} by projection unless built unconstrained (the "sign not fixed" control).
     */
    final class ColumnSigned implements Connectivity {
        private final Parameter wPos;
        private final int firstInhibitory;
        private final Matrix effective;
        private final Matrix effectiveGrad;

        public ColumnSigned(
                String name,
                int rows,
                int cols,
                int inhibitory,
                boolean signConstrained,
                int fanIn,
                int excitatoryUnits) {
            if (inhibitory < 0 || inhibitory > cols)
                throw new IllegalArgumentException(
                        name + ": inhibitory columns must be in [0, " + cols + "], got " + inhibitory);
            this.wPos = Parameter.of(
                    name,
                    rows,
                    cols,
                    signConstrained ? Sign.NON_NEGATIVE : Sign.FREE,
                    Role.WEIGHT,
                    fanIn,
                    excitatoryUnits);
            this.firstInhibitory = cols - inhibitory;
            this.effective = Matrix.zeros(rows, cols);
            this.effectiveGrad = Matrix.zeros(rows, cols);
        }

        public Parameter magnitudes() {
            return wPos;
        }

        /** Inhibitory pre-synaptic units: the last columns. */
        public int inhibitory() {
            return effective.cols - firstInhibitory;
        }

        @Override
        public List<Parameter> parameters() {
            return List.of(wPos);
        }

        @Override
        public int rows() {
            return effective.rows;
        }

        @Override
        public int cols() {
            return effective.cols;
        }

        @Override
        public void refresh(Blas blas) {
            signColumns(wPos.value(), effective);
        }

        private void signColumns(Matrix from, Matrix to) {
            int c = from.cols;
            for (int r = 0, off = 0; r < from.rows; r++, off += c) {
                for (int j = 0; j < firstInhibitory; j++) to.set(off + j, from.get(off + j));
                for (int j = firstInhibitory; j < c; j++) to.set(off + j, -from.get(off + j));
            }
        }

        @Override
        public Matrix effective() {
            return effective;
        }

        @Override
        public Matrix effectiveGrad() {
            return effectiveGrad;
        }

        @Override
        public void backward(Blas blas) {
            signColumns(effectiveGrad, wPos.grad()); // dW_pos = dW D
        }
    }

    /**
     * {@code W = Wex - Wei Wix} with {@code Wex} ({@code rows x cols}), {@code Wix}
     * ({@code inhibitory x cols}) and {@code Wei} ({@code rows x inhibitory}), all kept >= 0: the
     * recurrent DANN's subtractive feed-forward inhibition (inhibitory units are linear and
     * instantaneous). Each parameter carries {@code fanIn = cols} and {@code excitatoryUnits =
     * rows}, so corrected SGD divides {@code dWix} by sqrt(rows) and {@code dWei} by cols.
     */
    final class Dann implements Connectivity {
        private final Parameter ex;
        private final Parameter ix;
        private final Parameter ei;
        private final Matrix effective;

        public Dann(String prefix, int rows, int cols, int inhibitory) {
            if (inhibitory < 1)
                throw new IllegalArgumentException(
                        prefix + ": a DANN block needs at least 1 inhibitory unit, got " + inhibitory);
            this.ex = Parameter.of(prefix + "ex", rows, cols, Sign.NON_NEGATIVE, Role.EXCITATORY, cols, rows);
            this.ix =
                    Parameter.of(prefix + "ix", inhibitory, cols, Sign.NON_NEGATIVE, Role.INHIBITORY_INPUT, cols, rows);
            this.ei = Parameter.of(
                    prefix + "ei", rows, inhibitory, Sign.NON_NEGATIVE, Role.INHIBITORY_OUTPUT, cols, rows);
            this.effective = Matrix.zeros(rows, cols);
        }

        public Parameter excitatory() {
            return ex;
        }

        public Parameter inhibitoryInput() {
            return ix;
        }

        public Parameter inhibitoryOutput() {
            return ei;
        }

        /** {@code Wex, Wix, Wei}. */
        @Override
        public List<Parameter> parameters() {
            return List.of(ex, ix, ei);
        }

        @Override
        public int rows() {
            return effective.rows;
        }

        @Override
        public int cols() {
            return effective.cols;
        }

        @Override
        public void refresh(Blas blas) {
            effective.copyFrom(ex.value());
            blas.gemm(false, false, -1f, ei.value(), ix.value(), 1f, effective);
        }

        @Override
        public Matrix effective() {
            return effective;
        }

        /** The gradient with respect to W is the gradient of {@code Wex}: written there directly. */
        @Override
        public Matrix effectiveGrad() {
            return ex.grad();
        }

        @Override
        public void backward(Blas blas) {
            Matrix dW = ex.grad();
            blas.gemm(false, true, -1f, dW, ix.value(), 0f, ei.grad()); // dWei = -dW Wix^T
            blas.gemm(true, false, -1f, ei.value(), dW, 0f, ix.grad()); // dWix = -Wei^T dW
        }
    }
}
