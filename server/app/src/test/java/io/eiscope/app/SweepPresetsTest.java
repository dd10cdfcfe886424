package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.api.v1.SweepPreset;
import io.eiscope.api.v1.SweepSpec;
import io.eiscope.api.v1.Value;
import io.eiscope.engine.spec.Catalogue;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The papers' grids: every point of every sweep preset passes the sweep's own validation (the
 * checks CreateSweep makes), the counts are the papers' (science.md §2.5, §3.3c, §5), and the
 * points' specs carry the values the papers name.
 */
class SweepPresetsTest {
    private static final Catalogue CATALOGUE = Catalogue.standard();

    private static SweepPreset named(String name) {
        return SweepPresets.all().stream()
                .filter(p -> p.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void everyPointOfEveryPresetIsAValidRunAndTheCountIsWhatItSays() {
        Set<String> names = new HashSet<>();
        for (SweepPreset p : SweepPresets.all()) {
            assertThat(names.add(p.getName())).as("unique name " + p.getName()).isTrue();
            assertThat(p.getTitle()).isNotBlank();
            assertThat(p.getDoc()).contains(p.getRuns() + " runs");
            assertThat(p.getCitation()).isNotBlank();
            assertThat(p.getMetricsList()).isNotEmpty();
            List<Map<String, Value>> points = SweepPoints.expand(p.getSpec(), CATALOGUE);
            assertThat(points).as(p.getName()).hasSize(p.getRuns());
            Set<String> runNames = new HashSet<>();
            for (Map<String, Value> point : points)
                runNames.add(
                        SweepPoints.runOf(p.getSpec(), point, CATALOGUE).spec().getName());
            assertThat(runNames)
                    .as("each run of " + p.getName() + " named apart")
                    .hasSize(p.getRuns());
        }
    }

    @Test
    void theSizeByRatioGridIsTheFiveHundredRunsOfTheNseFigure() {
        SweepSpec s = named("li2023-size-ei-grid").getSpec();
        List<Map<String, Value>> points = SweepPoints.expand(s, CATALOGUE);
        assertThat(points).hasSize(10 * 10 * 5);
        var last =
                SweepPoints.runOf(s, points.get(points.size() - 1), CATALOGUE).spec();
        assertThat(last.getModel().getKind()).isEqualTo("column_ei_rnn");
        assertThat(last.getModel().getParamsMap().get("hidden").getInts().getValuesList())
                .containsExactly(1000L);
        assertThat(last.getModel().getParamsMap().get("ei_ratio").getInteger()).isEqualTo(1); // 50 % inhibitory
        assertThat(last.getLearningRule().getParamsMap().get("clip_norm").getNumber())
                .isEqualTo(5.0);
        assertThat(last.getLearningRule().getParamsMap().get("learning_rate").getNumber())
                .isEqualTo(0.01);
        assertThat(last.getTask().getKind()).isEqualTo("seq_mnist");
        assertThat(last.getSeed()).isEqualTo(5);
    }

    @Test
    void theRofKGridsAreTheSizesAndLearningRatesOfTheSweep() {
        var eg = SweepPoints.expand(named("cornford2024-rofk-eg").getSpec(), CATALOGUE);
        var gd = SweepPoints.expand(named("cornford2024-rofk-gd").getSpec(), CATALOGUE);
        assertThat(eg).hasSize(3 * 5 * 3);
        assertThat(gd).hasSize(3 * 6 * 3);
        var p = SweepPoints.runOf(named("cornford2024-rofk-gd").getSpec(), gd.get(gd.size() - 1), CATALOGUE)
                .spec();
        assertThat(p.getLearningRule().getKind()).isEqualTo("sgd");
        assertThat(p.getLearningRule().getParamsMap().get("learning_rate").getNumber())
                .isEqualTo(1.0);
        assertThat(p.getTask().getParamsMap().get("inputs").getInteger()).isEqualTo(20_000);
    }
}
