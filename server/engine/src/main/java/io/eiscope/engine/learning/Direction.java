package io.eiscope.engine.learning;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.sim.StateDict;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;

/**
 * The stateful half of a learning rule: it turns a gradient into a direction (weight decay,
 * momentum, Adam moments) and hands each element to a {@link Geometry}, in one fused pass per
 * parameter tensor.
 *
 * <p>State: {@link #buffersPerParameter()} buffers the shape of each parameter, kept by the
 * parameter's position in the list. Lifecycle: {@link #init} allocates zeroed buffers,
 * {@link #step} updates them, {@link #reset} drops them; {@link #copy} deep-copies them;
 * {@link #saveState} and {@link #loadState} write and read them as named arrays. Steps
 * allocate nothing. Confined to one thread.
 */
public abstract class Direction {
    private Matrix[][] state;

    /** How many buffers each parameter needs (0 for stateless directions). */
    protected abstract int buffersPerParameter();

    /**
     * The name of buffer {@code j} in state dicts: PyTorch's optimiser-state key where it has one
     * ({@code momentum_buffer}, {@code exp_avg}, {@code exp_avg_sq}).
     */
    protected abstract String bufferName(int j);

    /** A new direction with the same hyper-parameters and no state. */
    protected abstract Direction fresh();

    /**
     * Updates {@code p.value()} in place from {@code p.grad()} (not modified) and its buffers.
     *
     * @param buffers  this parameter's buffers, shaped like it (empty if none are needed)
     * @param t        the 1-based number of this update since init (for bias corrections and
     *                 the first-step rule of momentum)
     * @param lr       the step size of this update, after the schedule
     * @param geometry how the direction is applied to each weight
     */
    protected abstract void step(Parameter p, Matrix[] buffers, long t, float lr, Geometry geometry);

    /**
     * {@link #step(Parameter, Matrix[], long, float, Geometry)} and then {@link Parameter#project()},
     * with the same bits. This default makes the two passes; a direction overrides it to project
     * each element in the pass that updates it (each parameter read and written once per step).
     */
    protected void stepAndProject(Parameter p, Matrix[] buffers, long t, float lr, Geometry geometry) {
        step(p, buffers, t, lr, geometry);
        p.project();
    }

    /** Allocates zeroed buffers for {@code parameters} (their order is kept from now on). */
    public final void init(List<Parameter> parameters) {
        int k = buffersPerParameter();
        state = new Matrix[parameters.size()][k];
        for (int i = 0; i < state.length; i++) {
            Matrix v = parameters.get(i).value();
            for (int j = 0; j < k; j++) state[i][j] = Matrix.zeros(v.rows, v.cols);
        }
    }

    public final boolean initialised() {
        return state != null;
    }

    /**
     * One update of the parameter at {@code index}; see {@link #step(Parameter, Matrix[], long,
     * float, Geometry)}.
     *
     * @throws IllegalStateException if not initialised, or initialised for another shape
     */
    public final void step(int index, Parameter p, long t, float lr, Geometry geometry) {
        step(p, buffers(index, p), t, lr, geometry);
    }

    /** {@link #step(int, Parameter, long, float, Geometry)} and then {@link Parameter#project()}, fused where the direction can. */
    public final void stepAndProject(int index, Parameter p, long t, float lr, Geometry geometry) {
        stepAndProject(p, buffers(index, p), t, lr, geometry);
    }

    private Matrix[] buffers(int index, Parameter p) {
        if (state == null) throw new IllegalStateException("direction used before init");
        Matrix[] buffers = state[index];
        if (buffers.length > 0 && (buffers[0].rows != p.value().rows || buffers[0].cols != p.value().cols))
            throw new IllegalStateException("state of parameter " + index + " is " + buffers[0] + " but " + p.name()
                    + " is " + p.value() + "; reset the learning rule before using it on other parameters");
        return buffers;
    }

    /** Number of parameters the state was allocated for; 0 before init. */
    public final int parameterCount() {
        return state == null ? 0 : state.length;
    }

    /** Drops the state; the next use needs {@link #init}. */
    public final void reset() {
        state = null;
    }

    /** A deep copy, state included. */
    public final Direction copy() {
        Direction d = fresh();
        if (state != null) {
            d.state = new Matrix[state.length][];
            for (int i = 0; i < state.length; i++) {
                d.state[i] = new Matrix[state[i].length];
                for (int j = 0; j < state[i].length; j++) d.state[i][j] = state[i][j].copy();
            }
        }
        return d;
    }

    /**
     * Writes buffer {@code j} of each parameter as {@code prefix + bufferName(j) + "/" + name}
     * (float32, the parameter's shape), grouped by buffer; zeros before {@link #init}, which the
     * next step treats exactly as fresh buffers (they start at zero, and the first-update rules
     * depend on {@code t} only). Nothing is modified.
     *
     * @param parameters the list the state was (or will be) allocated for, for names and shapes
     */
    public final void saveState(StateDict dict, String prefix, List<Parameter> parameters) {
        if (state != null && state.length != parameters.size())
            throw new IllegalStateException(
                    "the direction's state is for " + state.length + " parameters, got " + parameters.size());
        for (int j = 0, k = buffersPerParameter(); j < k; j++) {
            for (int i = 0; i < parameters.size(); i++) {
                Matrix v = parameters.get(i).value();
                String name = prefix + bufferName(j) + "/" + parameters.get(i).name();
                float[] data = dict.floatBuffer(name, v.size());
                if (state == null) java.util.Arrays.fill(data, 0f);
                else state[i][j].copyTo(data);
                dict.putFloats(name, data, v.rows, v.cols);
            }
        }
    }

    /**
     * Checks the entries {@link #saveState} writes for {@code parameters}, changing nothing.
     *
     * @throws IllegalArgumentException naming the entry that is missing or has the wrong type or shape
     */
    public final void checkState(StateDict dict, String prefix, List<Parameter> parameters) {
        for (int j = 0, k = buffersPerParameter(); j < k; j++) {
            for (Parameter p : parameters) {
                String name = prefix + bufferName(j) + "/" + p.name();
                dict.floats(name);
                dict.requireShape(name, p.value().rows, p.value().cols);
            }
        }
    }

    /** Allocates buffers for {@code parameters} holding copies of what {@link #saveState} wrote, after {@link #checkState} passed. */
    public final void loadState(StateDict dict, String prefix, List<Parameter> parameters) {
        init(parameters);
        for (int j = 0, k = buffersPerParameter(); j < k; j++) {
            for (int i = 0; i < state.length; i++)
                state[i][j].copyFrom(dict.floats(
                        prefix + bufferName(j) + "/" + parameters.get(i).name()));
        }
    }

    /**
     * A copy of this direction (its hyper-parameters, no state of its own) carrying a deep copy
     * of {@code previous}'s buffers when both are the same type with the same buffer layout;
     * otherwise a fresh one. Used when a learning-rule hyper-parameter changes mid-run.
     * {@code previous} is not modified.
     */
    public final Direction withStateOf(Direction previous) {
        Direction d = fresh();
        if (previous.state == null
                || previous.getClass() != getClass()
                || previous.buffersPerParameter() != buffersPerParameter()) return d;
        Direction carried = previous.copy();
        d.state = carried.state;
        return d;
    }
}
