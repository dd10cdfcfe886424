package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fused bias/activation passes of {@link Dense} against the plain passes they replace. */
class DenseTest {

    private static Matrix random(int r, int c, Rng rng) {
        Matrix m = Matrix.zeros(r, c);
        for (int i = 0; i < m.size(); i++) m.set(i, (float) rng.nextGaussian());
        return m;
    }

    @ParameterizedTest
    @CsvSource({"RELU,1", "RELU,7", "TANH,1", "TANH,7", "IDENTITY,1", "IDENTITY,7"})
    void fusedPassesGiveTheBitsOfTheUnfusedOnes(Activation f, int batch) {
        Rng rng = new Rng(3);
        int nIn = 13, nOut = 9;
        Blas blas = Blas.best();
        Dense d = new Dense("d", nIn, nOut, f, blas);
        d.weight().value().copyFrom(random(nOut, nIn, rng));
        d.bias().value().copyFrom(random(1, nOut, rng));
        Matrix x = random(batch, nIn, rng), dh = random(batch, nOut, rng);
        for (int i = 0; i < nIn; i++) d.weight().value().set(0, i, 0f); // unit 0 sits on the kink, z = 0:
        d.bias().value().set(0, 0f); // it must be masked as z < 0 is

        // The unfused reference: gemm, bias loop, f; f' from z, column sums from row 0 down.
        Matrix z = Matrix.zeros(batch, nOut);
        blas.gemm(false, true, 1f, x, d.weight().value(), 0f, z);
        for (int r = 0; r < batch; r++)
            for (int j = 0; j < nOut; j++)
                z.set(r, j, z.get(r, j) + d.bias().value().get(j));
        Matrix h = Matrix.zeros(batch, nOut);
        f.apply(z, h);
        Matrix dz = dh.copy();
        f.backward(z, dz);
        float[] db = new float[nOut];
        for (int j = 0; j < nOut; j++) {
            float s = 0f;
            for (int r = 0; r < batch; r++) s += dz.get(r, j);
            db[j] = s;
        }
        Matrix dW = Matrix.zeros(nOut, nIn), dx = Matrix.zeros(batch, nIn);
        blas.gemm(true, false, 1f, dz, x, 0f, dW);
        blas.gemm(false, false, 1f, dz, d.weight().value(), 0f, dx);

        assertThat(d.forward(x).toArray()).isEqualTo(h.toArray());
        Matrix dxFused = d.backward(dh, true);
        assertThat(dh.toArray()).as("dz in place").isEqualTo(dz.toArray());
        assertThat(d.bias().grad().toArray()).isEqualTo(db);
        assertThat(d.weight().grad().toArray()).isEqualTo(dW.toArray());
        assertThat(dxFused.toArray()).isEqualTo(dx.toArray());
    }
}
