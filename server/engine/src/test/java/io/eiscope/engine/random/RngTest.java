package io.eiscope.engine.random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class RngTest {

    @Test
    void sameSeedAndNameGiveTheSameStreamAndOtherNamesDiffer() {
        Rng a = Rng.derive(42, "init"), b = Rng.derive(42, "init"), c = Rng.derive(42, "data");
        long a1 = a.nextLong();
        assertThat(a1).isEqualTo(b.nextLong());
        assertThat(a1).isNotEqualTo(c.nextLong());
    }

    @Test
    void aCopyContinuesIdentically() {
        Rng a = new Rng(3);
        a.nextLong();
        Rng b = a.copy();
        for (int i = 0; i < 100; i++) assertThat(a.nextGaussian()).isEqualTo(b.nextGaussian());
    }

    @Test
    void gaussianHasZeroMeanAndUnitVariance() {
        Rng r = new Rng(11);
        int n = 200_000;
        double s = 0, s2 = 0;
        for (int i = 0; i < n; i++) {
            double g = r.nextGaussian();
            s += g;
            s2 += g * g;
        }
        assertThat(s / n).isCloseTo(0, offset(0.01));
        assertThat(s2 / n).isCloseTo(1, offset(0.01));
    }

    @Test
    void nextIntStaysInBoundsAndCoversIt() {
        Rng r = new Rng(5);
        int[] counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[r.nextInt(7)]++;
        for (int c : counts) assertThat(c).isBetween(9_500, 10_500);
    }
}
