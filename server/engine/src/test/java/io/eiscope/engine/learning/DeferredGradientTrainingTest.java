package io.eiscope.engine.learning;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.model.Dann;
import io.eiscope.engine.model.Mlp;
import io.eiscope.engine.model.Model;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.model.SoftmaxCrossEntropy;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.Params;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * At batch 1 a weight gradient stays an outer product's factors until read, and the update computes each
 * chunk of it in cache ({@link Matrix#setOuterProduct}). Training that way must give the weights of
 * training with every gradient written out first (each read through {@link Matrix#data()} before the
 * update), bit for bit, for every rule that reads gradients in chunks, with and without the sign
 * projection (DANN).
 */
class DeferredGradientTrainingTest {
    /**
     * Layers of 80 x 1100 (rows longer than a chunk: read in segments), 30 x 80 (a row per chunk) and 10 x 30
     * (rows too short for vector loops: several per chunk), so every way {@link Matrix#read} has is taken.
     */
    private static final int INPUTS = 1100, CLASSES = 10, STEPS = 12;

    @ParameterizedTest(name = "{0} with {1}, momentum {2}")
    @CsvSource({
        "mlp, sgd, 0",
        "mlp, sgd, 0.9",
        "dann, sgd, 0",
        "dann, sgd, 0.9",
        "mlp, adam, -1",
        "dann, adamw, -1",
        "dann, eg, 0.9",
        "mlp, eg_unsigned, 0",
        "dann, adamw_eg, -1",
        "mlp, mirror_descent, 0",
    })
    void deferredGradientsTrainToTheBitsOfWrittenOnes(String model, String rule, double momentum) {
        LongFunction<Model> factory = model.equals("mlp")
                ? seed -> Mlp.create(INPUTS, new int[] {80, 30}, CLASSES, Blas.best(), new Rng(seed))
                : seed -> Dann.create(
                        INPUTS,
                        new int[] {80, 30},
                        new int[] {8, 3},
                        CLASSES,
                        Dann.Inhibition.SUBTRACTIVE_DIVISIVE,
                        Blas.best(),
                        new Rng(seed));
        Model deferred = factory.apply(5), written = factory.apply(5);
        LearningRule deferredRule = rule(rule, momentum), writtenRule = rule(rule, momentum);
        Rng data = new Rng(9);
        Matrix x = Matrix.zeros(1, INPUTS), dLogits = Matrix.zeros(1, CLASSES);
        int deferredSeen = 0;
        for (int step = 0; step < STEPS; step++) {
            for (int i = 0; i < INPUTS; i++) x.set(i, (float) data.nextGaussian());
            int[] label = {data.nextInt(CLASSES)};

            SoftmaxCrossEntropy.meanLoss(deferred.forward(x), label, dLogits, null);
            deferred.backward(dLogits);
            for (Parameter p : deferred.parameters()) if (p.grad().deferred()) deferredSeen++;
            deferredRule.updateAndProject(deferred.parameters());
            deferred.projectBeyondParameters();

            SoftmaxCrossEntropy.meanLoss(written.forward(x), label, dLogits, null);
            written.backward(dLogits);
            for (Parameter p : written.parameters()) p.grad().data(); // written out before the rule reads it
            writtenRule.updateAndProject(written.parameters());
            written.projectBeyondParameters();
        }
        assertThat(deferredSeen).as("gradients the rule read as factors").isGreaterThanOrEqualTo(3 * STEPS);
        List<Parameter> a = deferred.parameters(), b = written.parameters();
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i).value().toArray())
                    .as(a.get(i).name())
                    .isEqualTo(b.get(i).value().toArray());
            assertThat(a.get(i).grad().toArray())
                    .as("gradient of " + a.get(i).name())
                    .isEqualTo(b.get(i).grad().toArray());
        }
        assertThat(a.get(0).value().toArray())
                .as("the weights moved")
                .isNotEqualTo(factory.apply(5).parameters().get(0).value().toArray());
    }

    private static LearningRule rule(String name, double momentum) {
        var entry = Catalogue.find("learning_rule", Catalogue.standard().rules(), name);
        Map<String, Object> params =
                momentum >= 0 ? Map.of("learning_rate", 0.01, "momentum", momentum) : Map.of("learning_rate", 0.001);
        return entry.factory().create(Params.resolve("learning_rule", entry.descriptor(), params));
    }
}
