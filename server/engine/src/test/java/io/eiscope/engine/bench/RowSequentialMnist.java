package io.eiscope.engine.bench;

import io.eiscope.engine.observe.Observable;
import io.eiscope.engine.observe.ObservableDescriptor;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentDescriptor;
import io.eiscope.engine.task.ImageClassification;
import io.eiscope.engine.task.ImageDataset;
import io.eiscope.engine.task.Objective;
import io.eiscope.engine.task.Task;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;

/**
 * Row-sequential MNIST for the benchmarks: the catalogue's MNIST images and order, seen as 28
 * steps of one 28-pixel row with the logits scored at the last step ({@code TaskShape(28, 28, 10,
 * false)}); a row-major image is already that step-major layout. This branch's catalogue has no
 * sequence task yet (the sequence-task work adds {@code ImageClassification.rowSequential}), so
 * {@link #catalogue} adds this one, as kind {@value #KIND}, to a copy of the standard catalogue.
 */
final class RowSequentialMnist implements Task {
    static final String KIND = "row_sequential_mnist";

    private final ImageClassification images;

    RowSequentialMnist(ImageClassification images) {
        this.images = images;
    }

    @Override
    public TaskShape shape() {
        return new TaskShape(28, 28, images.outputSize(), false);
    }

    @Override
    public int inputSize() {
        return images.inputSize();
    }

    @Override
    public int outputSize() {
        return images.outputSize();
    }

    @Override
    public Objective objective() {
        return images.objective();
    }

    @Override
    public int trainSize() {
        return images.trainSize();
    }

    @Override
    public int testSize() {
        return images.testSize();
    }

    @Override
    public void nextBatch(Matrix x, Matrix targets) {
        images.nextBatch(x, targets);
    }

    @Override
    public void testBatch(int from, Matrix x, Matrix targets) {
        images.testBatch(from, x, targets);
    }

    @Override
    public void reset() {
        images.reset();
    }

    @Override
    public State snapshot() {
        return images.snapshot();
    }

    @Override
    public void restore(State state) {
        images.restore(state);
    }

    /**
     * The standard catalogue plus this task and the {@code extraObservables}. Built through the
     * catalogue's private constructor by reflection (bench code only): the catalogue has no public
     * way to add entries on this branch.
     */
    static Catalogue catalogue(List<Observable> extraObservables) {
        Catalogue standard = Catalogue.standard();
        List<Catalogue.Entry<Catalogue.TaskFactory>> tasks = new ArrayList<>(standard.tasks());
        tasks.add(new Catalogue.Entry<>(new ComponentDescriptor(KIND, "Row-sequential MNIST (benchmark)",
                "MNIST, 28 steps of one image row, logits at the last step.", "", List.of()),
                (p, seed, ctx) -> new RowSequentialMnist(new ImageClassification(ImageDataset.load(ctx.dataDir(), "mnist"), seed))));
        List<ObservableDescriptor> inline = new ArrayList<>();
        List<Observable> measured = new ArrayList<>();
        for (ObservableDescriptor d : standard.observables()) {
            var m = standard.measured(d.name());
            if (m.isPresent()) measured.add(m.get());
            else inline.add(d);
        }
        measured.addAll(extraObservables);
        try {
            var ctor = Catalogue.class.getDeclaredConstructor(List.class, List.class, List.class, List.class, List.class, List.class, List.class);
            ctor.setAccessible(true);
            return ctor.newInstance(standard.models(), standard.rules(), List.copyOf(tasks), standard.initialisations(), List.copyOf(inline),
                    List.copyOf(measured), standard.presets());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot extend the catalogue", e);
        }
    }
}
