package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StateDictTest {

    @Test
    void everyTypeComesBackAsItWasPutWithItsShape() {
        float[] w = {1f, -0f, Float.NaN, 3f, 4f, 5f};
        StateDict d = new StateDict()
                .putFloats("param/layer0.W", w, 2, 3)
                .putDoubles("std", new double[] {0.1})
                .putLongs("step", new long[] {42})
                .putInts("task/permutation", new int[] {2, 0, 1})
                .putBytes("mask", new byte[] {1, 0});
        assertThat(d.floats("param/layer0.W")).isSameAs(w);
        assertThat(d.shape("param/layer0.W")).containsExactly(2, 3);
        assertThat(d.doubles("std")).containsExactly(0.1);
        assertThat(d.longValue("step")).isEqualTo(42);
        assertThat(d.ints("task/permutation")).containsExactly(2, 0, 1);
        assertThat(d.shape("task/permutation")).containsExactly(3);
        assertThat(d.bytes("mask")).containsExactly(1, 0);
        assertThat(d.has("mask")).isTrue();
        assertThat(d.has("nope")).isFalse();
    }

    @Test
    void textIsUtf8BytesOfShapeN() {
        StateDict d = new StateDict().putText("rule/kind", "adamw_eg").putText("note", "Dale – ε");
        assertThat(d.text("rule/kind")).isEqualTo("adamw_eg");
        assertThat(d.text("note")).isEqualTo("Dale – ε");
        assertThat(d.shape("note"))
                .containsExactly("Dale – ε".getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        assertThat(d.bytes("rule/kind")).hasSize(8);
    }

    @Test
    void arraysKeepInsertionOrderAndCannotBeModified() {
        StateDict d = new StateDict()
                .putLongs("b", new long[] {1})
                .putLongs("a", new long[] {2})
                .putText("c", "");
        assertThat(d.arrays()).extracting(StateDict.Array::name).containsExactly("b", "a", "c");
        assertThatThrownBy(() -> d.arrays().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aMissingEntryOrAWrongTypeIsNamed() {
        StateDict d = new StateDict().putInts("x", new int[] {1});
        assertThatThrownBy(() -> d.floats("y"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("checkpoint entry 'y' is missing");
        assertThatThrownBy(() -> d.floats("x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("checkpoint entry 'x' is int32, expected float32");
        assertThatThrownBy(() -> d.longValue("x")).hasMessage("checkpoint entry 'x' is int32, expected int64");
        assertThatThrownBy(() -> d.text("x")).hasMessage("checkpoint entry 'x' is int32, expected uint8");
        assertThatThrownBy(() -> d.shape("y")).hasMessage("checkpoint entry 'y' is missing");
    }

    @Test
    void aDuplicateNameIsAnError() {
        StateDict d = new StateDict().putLongs("step", new long[] {1});
        assertThatThrownBy(() -> d.putFloats("step", new float[] {1f}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'step'")
                .hasMessageContaining("already");
    }

    @Test
    void putRejectsShapesThatDoNotMatchTheDataAndDataOfOtherTypes() {
        StateDict d = new StateDict();
        assertThatThrownBy(() -> d.putFloats("w", new float[6], 4, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'w'")
                .hasMessageContaining("[4, 2]")
                .hasMessageContaining("6 values");
        assertThatThrownBy(() -> d.put(new StateDict.Array("s", new short[2], new int[] {2})))
                .hasMessageContaining("short[]");
        assertThatThrownBy(() -> d.put(new StateDict.Array("o", List.of(1), new int[] {1})))
                .hasMessageContaining("'o'");
        assertThatThrownBy(() -> d.put(new StateDict.Array("n", new int[0], new int[] {-1, 0})))
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> d.put(new StateDict.Array("", new int[0], new int[] {0})))
                .hasMessageContaining("name");
        assertThat(d.arrays()).isEmpty();
        d.put(new StateDict.Array("empty", new float[0], new int[] {0, 5}));
        assertThat(d.shape("empty")).containsExactly(0, 5);
    }

    @Test
    void longValueNeedsExactlyOneElementAndRequireShapeNamesBothShapes() {
        StateDict d = new StateDict().putLongs("two", new long[] {1, 2}).putFloats("w", new float[6], 2, 3);
        assertThatThrownBy(() -> d.longValue("two"))
                .hasMessageContaining("'two'")
                .hasMessageContaining("[2]");
        d.requireShape("w", 2, 3);
        assertThatThrownBy(() -> d.requireShape("w", 3, 2))
                .hasMessage("checkpoint entry 'w' has shape [2, 3], expected [3, 2]");
    }

    @Test
    void theShapeGivenToPutAndReturnedByShapeAreCopies() {
        int[] shape = {2, 3};
        StateDict d = new StateDict().putFloats("w", new float[6], shape);
        shape[0] = 6;
        d.shape("w")[1] = 9;
        assertThat(d.shape("w")).containsExactly(2, 3);
    }
}
