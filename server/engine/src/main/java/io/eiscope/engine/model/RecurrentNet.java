package io.eiscope.engine.model;

import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Elementwise;
import io.eiscope.engine.tensor.Matrix;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Stacked recurrent cells and a readout (Li et al. 2023 §2.1, Liu et al. 2024 §5.1): at every time
 * step each cell's hidden state is the next cell's input, and the readout (a feed-forward
 * {@link Layer}: dense, column-E/I or DANN) maps the top cell's state to outputs, at the last step
 * or at every step as the task's {@link TaskShape} asks. The hidden state starts at 0 for every
 * batch. Training is backpropagation through the whole sequence.
 *
 * <p>Inputs are batch-first and step-major ({@code B x T*stepInputs}, see {@link TaskShape}); the
 * network transposes them once into time-major {@code T*B x stepInputs} blocks for its cells.
 * Outputs are {@code B x outputWidth}. Layer names: {@code rnn0 .. rnn{L-1}} and {@code readout};
 * {@link #effectiveWeight} gives each cell's effective recurrent matrix under the cell's name and
 * its effective input matrix under {@code <cell>.input}. Confined to the simulation's thread.
 */
public final class RecurrentNet implements Model {
    /** Suffix of the effective-input-matrix target of a cell. */
    public static final String INPUT_SUFFIX = ".input";

    private final TaskShape shape;
    private final List<RecurrentCell> cells;
    private final Layer readout;
    private final List<Parameter> parameters = new ArrayList<>();
    private final List<Parameter> parameterView =
            Collections.unmodifiableList(parameters); // one view: parameters() runs every step
    private final List<String> layerNames = new ArrayList<>();
    private final List<Parameter> frozenSigns = new ArrayList<>();
    private final Map<Parameter, float[]> initialSigns = new HashMap<>();
    private final Map<Integer, Buffers> buffers = new HashMap<>();
    private Buffers last;
    private Matrix readoutOut; // the readout's output in the latest forward (owned by the readout)

    /**
     * Per batch size: the time-major input, the readout's outputs in both layouts and row scratch for the layout
     * changes.
     */
    private static final class Buffers {
        final int batch;
        final Matrix xTime;
        final Matrix outTime; // every-step readout: (T B) x k
        final Matrix out; // every-step readout: B x (T k)
        final float[] row; // one batch-first row: T * max(stepInputs, outputs)
        Matrix topHidden; // the top cell's hidden states for this batch size, and their last step
        Matrix topLast;

        Buffers(int batch, Matrix xTime, Matrix outTime, Matrix out, float[] row) {
            this.batch = batch;
            this.xTime = xTime;
            this.outTime = outTime;
            this.out = out;
            this.row = row;
        }
    }

    /**
     * @param shape   the task's layout; {@code cells.get(0).inputSize()} must be its step inputs and the
     *                readout's output size its outputs per step
     * @param readout takes the top cell's units
     */
    public RecurrentNet(TaskShape shape, List<RecurrentCell> cells, Layer readout) {
        if (cells.isEmpty()) throw new IllegalArgumentException("a recurrent network needs at least one cell");
        if (cells.get(0).inputSize() != shape.stepInputs())
            throw new IllegalArgumentException(cells.get(0).name() + " takes "
                    + cells.get(0).inputSize() + " inputs per step but the task gives " + shape.stepInputs());
        for (int i = 1; i < cells.size(); i++) {
            if (cells.get(i).inputSize() != cells.get(i - 1).units())
                throw new IllegalArgumentException(cells.get(i).name() + " takes "
                        + cells.get(i).inputSize() + " inputs but "
                        + cells.get(i - 1).name() + " has " + cells.get(i - 1).units() + " units");
        }
        RecurrentCell top = cells.get(cells.size() - 1);
        if (readout.inputSize() != top.units() || readout.outputSize() != shape.outputs())
            throw new IllegalArgumentException(readout.name() + " maps " + readout.inputSize() + " -> "
                    + readout.outputSize() + ", need " + top.units() + " -> " + shape.outputs());
        this.shape = shape;
        this.cells = List.copyOf(cells);
        this.readout = readout;
        for (RecurrentCell c : cells) {
            layerNames.add(c.name());
            parameters.addAll(c.parameters());
        }
        layerNames.add(readout.name());
        parameters.addAll(readout.parameters());
    }

    public TaskShape shape() {
        return shape;
    }

    public List<RecurrentCell> cells() {
        return cells;
    }

    public Layer readout() {
        return readout;
    }

    @Override
    public List<Parameter> parameters() {
        return parameterView;
    }

    @Override
    public List<String> layers() {
        return Collections.unmodifiableList(layerNames);
    }

    /**
     * Freezes the signs of {@code p} at their current values (Li et al. 2023 {@code WClampMixin}):
     * after every update {@link #project()} sets {@code w <- s0 max(s0 w, 1e-9)} with {@code s0} the
     * frozen sign (zero entries count as positive).
     */
    public void freezeSigns(Parameter p) {
        if (!parameters.contains(p))
            throw new IllegalArgumentException(p.name() + " is not a parameter of this network");
        float[] signs = new float[p.value().size()];
        for (int i = 0; i < signs.length; i++) signs[i] = p.value().get(i) < 0f ? -1f : 1f;
        if (!initialSigns.containsKey(p)) frozenSigns.add(p);
        initialSigns.put(p, signs);
    }

    /** Magnitude kept by a frozen sign: Li et al.'s clamp floor. */
    public static final float SIGN_FLOOR = 1e-9f;

    private Buffers buffersFor(int batch) {
        if (last != null && last.batch == batch) return last;
        return buffers.computeIfAbsent(batch, b -> {
            int t = shape.steps(), k = shape.outputs();
            Matrix outTime = shape.everyStep() ? Matrix.zeros(t * b, k) : null;
            return new Buffers(
                    b,
                    Matrix.zeros(t * b, shape.stepInputs()),
                    outTime,
                    shape.everyStep() ? Matrix.zeros(b, t * k) : null,
                    new float[t * Math.max(shape.stepInputs(), k)]);
        });
    }

    @Override
    public Matrix forward(Matrix x) {
        int t = shape.steps(), d = shape.stepInputs();
        if (x.cols != shape.inputSize())
            throw new IllegalArgumentException(
                    "the network takes " + shape.inputSize() + " inputs per row, got " + x.cols);
        Buffers buf = buffersFor(x.rows);
        int b = x.rows;
        FloatBuffer xt = buf.xTime.data();
        float[] row = buf.row;
        for (int r = 0; r < b; r++) { // B x (T d) step-major -> (T B) x d time-major
            x.data().get(r * x.cols, row, 0, t * d);
            for (int s = 0; s < t; s++) xt.put((s * b + r) * d, row, s * d, d);
        }
        Matrix h = buf.xTime;
        for (int i = 0; i < cells.size(); i++) h = cells.get(i).forward(h, t);
        last = buf;
        if (!shape.everyStep()) {
            if (buf.topHidden != h) { // the top cell keeps one buffer per batch size: view its last step once
                buf.topHidden = h;
                buf.topLast = h.rowsView((t - 1) * b, b);
            }
            readoutOut = readout.forward(buf.topLast);
            return readoutOut;
        }
        readoutOut = readout.forward(h);
        Matrix y = readoutOut, out = buf.out;
        int k = shape.outputs();
        for (int r = 0; r < b; r++) { // (T B) x k -> B x (T k)
            for (int s = 0; s < t; s++) y.data().get((s * b + r) * k, row, s * k, k);
            out.data().put(r * t * k, row, 0, t * k);
        }
        return out;
    }

    @Override
    public void backward(Matrix dOut) {
        Buffers buf = last;
        int t = shape.steps(), b = buf.batch, k = shape.outputs();
        RecurrentCell top = cells.get(cells.size() - 1);
        Matrix d;
        if (shape.everyStep()) {
            FloatBuffer dy = buf.outTime.data();
            float[] row = buf.row;
            for (int r = 0; r < b; r++) { // B x (T k) -> (T B) x k
                dOut.data().get(r * t * k, row, 0, t * k);
                for (int s = 0; s < t; s++) dy.put((s * b + r) * k, row, s * k, k);
            }
            d = top.backward(readout.backward(buf.outTime, true), cells.size() > 1);
        } else { // only the last step carries gradient: the cell skips the zeros of the others
            d = top.backwardFromLast(readout.backward(dOut, true), cells.size() > 1);
        }
        for (int i = cells.size() - 2; i >= 0; i--) d = cells.get(i).backward(d, i > 0);
    }

    @Override
    public void project() {
        for (int i = 0; i < parameters.size(); i++) parameters.get(i).project();
        projectBeyondParameters();
    }

    /**
     * The frozen signs ({@link #freezeSigns}), after the parameters' own projections: a chunk at a time
     * through heap scratch ({@link Elementwise}), a loop C2 vectorises.
     */
    @Override
    public void projectBeyondParameters() {
        float[] a = Elementwise.scratch()[0];
        for (int i = 0; i < frozenSigns.size(); i++) {
            Parameter p = frozenSigns.get(i);
            float[] s0 = initialSigns.get(p);
            FloatBuffer v = p.value().data();
            for (int off = 0; off < s0.length; off += Elementwise.CHUNK) {
                int len = Math.min(Elementwise.CHUNK, s0.length - off);
                v.get(off, a, 0, len);
                for (int j = 0; j < len; j++) a[j] = s0[off + j] * Math.max(s0[off + j] * a[j], SIGN_FLOOR);
                v.put(off, a, 0, len);
            }
        }
    }

    /**
     * A cell's hidden states ({@code T*B x n}, time-major); the readout's outputs: {@code B x k} when
     * read out at the last step, {@code T*B x k} time-major when at every step.
     */
    @Override
    public Optional<Matrix> activations(String layer) {
        for (RecurrentCell c : cells) {
            if (c.name().equals(layer)) return Optional.ofNullable(c.hidden());
        }
        return layer.equals(readout.name()) ? Optional.ofNullable(readoutOut) : Optional.empty();
    }

    /**
     * {@code <cell>}: the cell's effective recurrent matrix; {@code <cell>.input}: its effective input
     * matrix; {@code readout}: the readout's effective matrix when it is an E/I layer. New matrices.
     */
    @Override
    public Optional<Matrix> effectiveWeight(String target) {
        for (RecurrentCell c : cells) {
            if (target.equals(c.name())) return Optional.of(c.effectiveRecurrent());
            if (target.equals(c.name() + INPUT_SUFFIX)) return Optional.of(c.effectiveInput());
        }
        return target.equals(readout.name()) ? readout.effectiveWeight() : Optional.empty();
    }

    @Override
    public Optional<String> effectiveWeightParameter(String target) {
        for (RecurrentCell c : cells) {
            Connectivity conn =
                    target.equals(c.name()) ? c.recurrent() : target.equals(c.name() + INPUT_SUFFIX) ? c.input() : null;
            if (conn instanceof Connectivity.Plain plain)
                return Optional.of(plain.w().name());
        }
        return Optional.empty();
    }

    /** The targets {@link #effectiveWeight} answers for: every cell, its input matrix and an E/I readout. */
    @Override
    public List<String> effectiveWeightTargets() {
        List<String> out = new ArrayList<>();
        for (RecurrentCell c : cells) {
            out.add(c.name());
            out.add(c.name() + INPUT_SUFFIX);
        }
        if (readout.effectiveWeight().isPresent()) out.add(readout.name());
        return out;
    }

    /**
     * A cell's column-E/I matrices ({@code <cell>}, {@code <cell>.input}, their {@code W_pos},
     * {@code U_pos}): columns split by their signs, rows by the cell's own units (the last ones
     * inhibitory, as its recurrent columns); a DANN cell's effective matrices: all excitatory; a
     * column-E/I readout: columns split, outputs not; else by role.
     */
    @Override
    public Optional<EiPartition> partition(String target) {
        for (RecurrentCell c : cells) {
            int unitsInhibitory = c.recurrent() instanceof Connectivity.ColumnSigned r ? r.inhibitory() : -1;
            for (Connectivity conn : List.of(c.recurrent(), c.input())) {
                String effective = conn == c.recurrent() ? c.name() : c.name() + INPUT_SUFFIX;
                if (conn instanceof Connectivity.ColumnSigned s
                        && (target.equals(effective)
                                || target.equals(s.magnitudes().name())))
                    return Optional.of(EiPartition.columnSigned(s.rows(), unitsInhibitory, s.cols(), s.inhibitory()));
                if (conn instanceof Connectivity.Dann && target.equals(effective))
                    return Optional.of(EiPartition.excitatory(conn.rows(), conn.cols()));
            }
        }
        if (readout instanceof ColumnEiDense c
                && (target.equals(c.name()) || target.equals(c.weight().name())))
            return Optional.of(EiPartition.columnSigned(c.outputSize(), -1, c.inputSize(), c.inhibitoryInputs()));
        if ((readout instanceof DannLayer || readout instanceof EiDense) && target.equals(readout.name()))
            return Optional.of(EiPartition.excitatory(readout.outputSize(), readout.inputSize()));
        return Model.super.partition(target);
    }

    /** Parameter names whose columns are the outputs of {@code layer}'s own units (its recurrent connections). */
    @Override
    public List<String> recurrentInputs(String layer) {
        for (RecurrentCell c : cells) {
            if (c.name().equals(layer))
                return c.recurrent().parameters().stream()
                        .filter(p -> p.role() != Parameter.Role.INHIBITORY_OUTPUT)
                        .map(Parameter::name)
                        .toList();
        }
        return List.of();
    }
}
