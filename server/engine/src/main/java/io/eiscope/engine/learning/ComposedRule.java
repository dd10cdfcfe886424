package io.eiscope.engine.learning;

import io.eiscope.engine.model.Model;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.sim.StateDict;
import io.eiscope.engine.task.Objective;
import io.eiscope.engine.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;

/**
 * A learning rule built from parts that each do one thing. Update {@code t} (0-based count of
 * updates since creation or reset):
 * <ol>
 *   <li>the gradient transforms, in order, rewrite the grads (cSGD corrections, clipping);</li>
 *   <li>the schedule gives the step size {@code lr = schedule.rate(t)};</li>
 *   <li>the direction turns each gradient into a direction (decay, momentum, moments) and, in
 *       the same pass, the geometry applies it to each weight (subtract, sign-frozen
 *       subtract, exponentiate, mirror-map).</li>
 * </ol>
 * The model's projection follows, outside the rule. So SGD is {@code Momentum} + gradient
 * descent, cSGD adds {@link InhibitoryCorrection}, sign-frozen SGD swaps the geometry, Adam and
 * AdamW swap the direction; exponentiated gradient and mirror descent swap the geometry.
 *
 * <p>Hyper-parameters are the immutable parts ({@link #toString} prints them all); the mutable
 * state is the direction's buffers, the transforms' state (none so far) and the update count;
 * {@link #saveState} writes it as {@code updates}, the direction's buffers
 * ({@code momentum_buffer/<parameter>}, {@code exp_avg/<parameter>}, ...) and each transform's
 * entries under {@code transform<k>/}; the schedule is a pure function of the update count.
 * Steady-state updates allocate nothing. Confined to one thread.
 */
public final class ComposedRule implements LearningRule {
    private final LearningRateSchedule schedule;
    private final List<GradientTransform> transforms;
    private final Direction direction;
    private final Geometry geometry;
    private long updates;

    /**
     * @param schedule   the step size of each update
     * @param transforms applied in list order before the direction (the list is copied)
     * @param direction  a fresh direction, owned by this rule from now on
     * @param geometry   how the direction is applied to each weight
     * @throws IllegalArgumentException if a part is missing or the direction already has state
     */
    public ComposedRule(
            LearningRateSchedule schedule, List<GradientTransform> transforms, Direction direction, Geometry geometry) {
        this(schedule, transforms, direction, geometry, 0);
        if (direction.initialised()) throw new IllegalArgumentException("the direction must be fresh (no state)");
    }

    private ComposedRule(
            LearningRateSchedule schedule,
            List<GradientTransform> transforms,
            Direction direction,
            Geometry geometry,
            long updates) {
        if (schedule == null || transforms == null || direction == null || geometry == null)
            throw new IllegalArgumentException(
                    "a learning rule needs a schedule, transforms, a direction and a geometry");
        this.schedule = schedule;
        this.transforms = List.copyOf(transforms);
        this.direction = direction;
        this.geometry = geometry;
        this.updates = updates;
    }

    @Override
    public void update(List<Parameter> parameters) {
        update(parameters, false);
    }

    /** The direction projects each element in the pass that updates it ({@link Direction#stepAndProject}). */
    @Override
    public void updateAndProject(List<Parameter> parameters) {
        update(parameters, true);
    }

    private void update(List<Parameter> parameters, boolean project) {
        if (!direction.initialised()) direction.init(parameters);
        if (direction.parameterCount() != parameters.size())
            throw new IllegalStateException("the learning rule's state is for " + direction.parameterCount()
                    + " parameters, got " + parameters.size() + "; reset it before using it on other parameters");
        for (int k = 0, n = transforms.size(); k < n; k++) transforms.get(k).apply(parameters);
        float lr = (float) schedule.rate(updates);
        long t = ++updates;
        for (int i = 0, n = parameters.size(); i < n; i++) {
            if (project) direction.stepAndProject(i, parameters.get(i), t, lr, geometry);
            else direction.step(i, parameters.get(i), t, lr, geometry);
        }
    }

    @Override
    public void checkCompatible(Model model, Objective objective) {
        for (GradientTransform tr : transforms) tr.checkCompatible(model, objective);
    }

    @Override
    public void observeBatch(Model model, Matrix logits, long seed) {
        for (int k = 0, n = transforms.size(); k < n; k++) transforms.get(k).observeBatch(model, logits, seed);
    }

    @Override
    public void reset() {
        direction.reset();
        for (int k = 0, n = transforms.size(); k < n; k++) transforms.get(k).reset();
        updates = 0;
    }

    @Override
    public ComposedRule copy() {
        List<GradientTransform> copies = new ArrayList<>(transforms.size());
        for (GradientTransform tr : transforms) copies.add(tr.copy());
        return new ComposedRule(schedule, copies, direction.copy(), geometry, updates);
    }

    /**
     * This rule's hyper-parameters continuing {@code previous}'s run: its update count (so a
     * schedule keeps its position), where the direction has the same type and buffer layout, its
     * momentum or moment buffers, and the state of each transform whose predecessor at the same
     * position has the same type (d-NGD's Fisher estimate). Neither rule is modified.
     */
    public ComposedRule continuing(ComposedRule previous) {
        List<GradientTransform> copies = new ArrayList<>(transforms.size());
        for (int k = 0; k < transforms.size(); k++) {
            GradientTransform tr = transforms.get(k);
            boolean same =
                    k < previous.transforms.size() && previous.transforms.get(k).getClass() == tr.getClass();
            copies.add(same ? tr.continuing(previous.transforms.get(k)) : tr.copy());
        }
        return new ComposedRule(
                schedule, copies, direction.withStateOf(previous.direction), geometry, previous.updates);
    }

    @Override
    public void saveState(StateDict dict, String prefix, List<Parameter> parameters) {
        dict.putLongs(prefix + "updates", new long[] {updates});
        direction.saveState(dict, prefix, parameters);
        for (int k = 0; k < transforms.size(); k++)
            transforms.get(k).saveState(dict, prefix + "transform" + k + "/", parameters);
    }

    @Override
    public void loadState(StateDict dict, String prefix, List<Parameter> parameters) {
        long count = dict.longValue(prefix + "updates");
        if (count < 0)
            throw new IllegalArgumentException("checkpoint entry '" + prefix + "updates' must be >= 0, got " + count);
        direction.checkState(dict, prefix, parameters);
        for (int k = 0; k < transforms.size(); k++)
            transforms.get(k).checkState(dict, prefix + "transform" + k + "/", parameters);
        direction.loadState(dict, prefix, parameters);
        for (int k = 0; k < transforms.size(); k++)
            transforms.get(k).loadState(dict, prefix + "transform" + k + "/", parameters);
        updates = count;
    }

    @Override
    public long updates() {
        return updates;
    }

    @Override
    public double learningRate() {
        return schedule.rate(updates);
    }

    @Override
    public boolean preservesSigns() {
        return geometry.preservesSigns();
    }

    public LearningRateSchedule schedule() {
        return schedule;
    }

    public List<GradientTransform> transforms() {
        return transforms;
    }

    public Direction direction() {
        return direction;
    }

    public Geometry geometry() {
        return geometry;
    }

    @Override
    public String toString() {
        return "ComposedRule[schedule=" + schedule + ", transforms=" + transforms + ", direction=" + direction
                + ", geometry=" + geometry + "]";
    }
}
