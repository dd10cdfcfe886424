package io.eiscope.engine.task;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Matrix;

/**
 * Image classification on a cached dataset (Fashion-MNIST, MNIST). Pixels are divided by 255
 * with no mean/std normalisation and flattened row-major, as in Cornford et al. 2021 (§1.7).
 * The training set is reshuffled at the start of every epoch from the simulation's "data"
 * stream; a batch that crosses an epoch end continues in the next epoch's order.
 *
 * <p>The same images serve as a sequence task ({@link #rowSequential}): the row-major image is
 * already the step-major layout of {@link TaskShape}, one image row per time step, so only
 * the shape differs.
 */
public final class ImageClassification extends StoredExamples {
    private static final Objective OBJECTIVE = new Objective.SoftmaxCrossEntropy();
    private final ImageDataset data;
    private final TaskShape shape;
    /** Dataset indices of the training examples then the held-out ones, or null for the dataset's own split. */
    private final int[] subset;

    /** The flat (feed-forward) task: one step of {@code rows x cols} pixels. */
    public ImageClassification(ImageDataset data, long seed) {
        this(data, seed, TaskShape.flat(data.pixelsPerImage(), data.classes));
    }

    private ImageClassification(ImageDataset data, long seed, TaskShape shape) {
        super(seed, data.trainSize);
        this.data = data;
        this.shape = shape;
        this.subset = null;
    }

    private ImageClassification(ImageDataset data, long seed, TaskShape shape, int[] subset) {
        super(seed, subset.length);
        this.data = data;
        this.shape = shape;
        this.subset = subset;
    }

    /**
     * Row-sequential classification (sequential MNIST, Li et al. 2023 §2.5 and Liu et al. 2024
     * §5.3): {@code rows} steps of {@code cols} pixels, step t being image row t; softmax
     * cross-entropy on the logits of the last step only. Same data, split and order as the flat
     * task of the same seed.
     */
    public static ImageClassification rowSequential(ImageDataset data, long seed) {
        return new ImageClassification(data, seed, new TaskShape(data.cols, data.rows, data.classes, false));
    }

    /**
     * Row-sequential classification on a small random subset of the test images, which serve as
     * both the training set and the held-out set: the finetuning data of Pogodin et al. (2024)
     * §4.4 (a network pretrained on the training split learns {@code size} test images until it
     * fits them; what it reaches on them is its held-out accuracy). The subset is drawn from the
     * seed's "subset" stream, so the same seed gives the same images.
     */
    public static ImageClassification rowSequentialTestSubset(ImageDataset data, long seed, int size) {
        if (size < 1 || size > data.testSize)
            throw new IllegalArgumentException(
                    "test_subset must be between 1 and the " + data.testSize + " test images, got " + size);
        int[] ids = new int[data.testSize];
        for (int i = 0; i < ids.length; i++) ids[i] = data.trainSize + i;
        Rng.derive(seed, "subset").shuffle(ids);
        return new ImageClassification(
                data,
                seed,
                new TaskShape(data.cols, data.rows, data.classes, false),
                java.util.Arrays.copyOf(ids, size));
    }

    @Override
    int heldOutOffset() {
        return subset == null ? super.heldOutOffset() : 0;
    }

    @Override
    public TaskShape shape() {
        return shape;
    }

    @Override
    public int inputSize() {
        return data.pixelsPerImage();
    }

    @Override
    public int outputSize() {
        return data.classes;
    }

    @Override
    public Objective objective() {
        return OBJECTIVE;
    }

    @Override
    public int testSize() {
        return subset == null ? data.testSize : subset.length;
    }

    @Override
    void copy(int example, Matrix x, Matrix labels, int row) {
        int image = subset == null ? example : subset[example];
        int n = data.pixelsPerImage();
        int off = row * n;
        for (int p = 0; p < n; p++) x.set(off + p, data.pixel(image, p) / 255f);
        labels.set(row, data.label(image));
    }
}
