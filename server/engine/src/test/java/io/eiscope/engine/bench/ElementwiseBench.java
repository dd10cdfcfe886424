package io.eiscope.engine.bench;

import io.eiscope.engine.learning.Adam;
import io.eiscope.engine.learning.ComposedRule;
import io.eiscope.engine.learning.ExponentiatedGradient;
import io.eiscope.engine.learning.Geometry;
import io.eiscope.engine.learning.GradientDescent;
import io.eiscope.engine.learning.LearningRateSchedule;
import io.eiscope.engine.learning.Momentum;
import io.eiscope.engine.model.Activation;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Elementwise;
import io.eiscope.engine.tensor.Matrix;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH micro-benchmarks of the training step's element-wise passes at the sizes of the bench's
 * layers, next to a STREAM-like copy and triad over heap arrays of the same length (the
 * bandwidth this machine reaches with that working set). Run by {@code bench/elementwise.sh},
 * which turns each pass's time into GB/s from the bytes it must move at least (the table in
 * docs/benchmarks.md). Not a test: surefire never runs it (no {@code Test} in its name).
 *
 * <p>{@code *Scalar} are the loops of the engine before the passes went through heap chunks
 * ({@link io.eiscope.engine.tensor.Elementwise}), kept here to compare: absolute
 * {@code FloatBuffer} gets and puts, one element at a time, the geometry called through its
 * interface.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ElementwiseBench {
    /** Layer shapes of the bench's MLP (784-500-500-10) and DANN (500 E units). */
    @Param({"784x500", "500x500", "500x10"})
    public String shape;

    private static final float LR = 1e-6f; // small: repeated updates must keep the values normal

    private float[] a, b, c;
    private Matrix src, dst, z, dh, db, bias, gradColumn, gradRow;
    private float[] row, hRow, acc, biasRow;
    private final float[] chunkW0 = new float[1024], chunkD0 = new float[1024];
    private final float[] chunkW = new float[1024], chunkD = new float[1024];
    private Parameter free, nonNegative, masked;
    private List<Parameter> freeList, nonNegativeList, maskedList;
    private ComposedRule sgd, momentum, eg, egMomentum, adam, adamwEg;
    private Geometry geometry;

    @Setup
    public void setUp() {
        int x = shape.indexOf('x');
        int rows = Integer.parseInt(shape.substring(0, x)), cols = Integer.parseInt(shape.substring(x + 1));
        int n = rows * cols;
        Random rng = new Random(1);
        a = new float[n];
        b = random(rng, n);
        c = random(rng, n);
        src = Matrix.of(rows, cols, random(rng, n));
        dst = Matrix.zeros(rows, cols);
        z = Matrix.of(rows, cols, random(rng, n));
        dh = Matrix.of(rows, cols, random(rng, n));
        db = Matrix.zeros(1, cols);
        bias = Matrix.of(1, cols, random(rng, cols));
        gradColumn = Matrix.of(rows, 1, random(rng, rows));
        gradRow = Matrix.of(1, cols, random(rng, cols));
        for (int i = 0; i < chunkW0.length; i++) {
            chunkW0[i] = rng.nextFloat() + 0.1f;
            chunkD0[i] = rng.nextFloat() * 2 - 1;
        }
        row = new float[cols];
        hRow = new float[cols];
        acc = new float[cols];
        biasRow = new float[cols];
        free = parameter("free", rows, cols, Parameter.Sign.FREE, rng);
        nonNegative = parameter("nonneg", rows, cols, Parameter.Sign.NON_NEGATIVE, rng);
        masked = parameter("masked", rows, cols, Parameter.Sign.NON_NEGATIVE, rng);
        for (int i = 0; i < n; i += 10) masked.mask().prune(i, n); // 10 % pruned
        freeList = List.of(free);
        nonNegativeList = List.of(nonNegative);
        maskedList = List.of(masked);
        sgd = rule(Momentum.Hyper.plain(), new GradientDescent());
        momentum = rule(new Momentum.Hyper(0.9, 0, false, 0), new GradientDescent());
        adam = new ComposedRule(
                new LearningRateSchedule.Constant(LR), List.of(), new Adam(Adam.Hyper.adam()), new GradientDescent());
        eg = rule(Momentum.Hyper.plain(), new ExponentiatedGradient(true));
        // The EG papers' settings (science.md §3): momentum 0.925 and coupled decay; AdamW-EG.
        egMomentum = rule(new Momentum.Hyper(0.925, 0, false, 1e-6), new ExponentiatedGradient(true));
        adamwEg = new ComposedRule(
                new LearningRateSchedule.Constant(LR),
                List.of(),
                new Adam(Adam.Hyper.adamW()),
                new ExponentiatedGradient(true));
        geometry = new GradientDescent();
    }

    private static float[] random(Random rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextFloat() * 2 - 1;
        return v;
    }

    private static Parameter parameter(String name, int rows, int cols, Parameter.Sign sign, Random rng) {
        Parameter p = Parameter.of(name, rows, cols, sign, Parameter.Role.WEIGHT, cols, rows);
        float[] w = random(rng, rows * cols);
        for (int i = 0; i < w.length; i++) w[i] = Math.abs(w[i]) + 0.1f; // positive: EG keeps signs, clamps rarely act
        p.value().copyFrom(w);
        p.grad().copyFrom(random(rng, rows * cols));
        return p;
    }

    private static ComposedRule rule(Momentum.Hyper hyper, Geometry geometry) {
        return new ComposedRule(new LearningRateSchedule.Constant(LR), List.of(), new Momentum(hyper), geometry);
    }

    /** STREAM copy over heap arrays: 8 bytes an element. */
    @Benchmark
    public float[] streamCopy() {
        float[] x = a, y = b;
        for (int i = 0; i < x.length; i++) x[i] = y[i];
        return x;
    }

    /** STREAM triad over heap arrays, {@code a = b + s c}: 12 bytes an element. */
    @Benchmark
    public float[] streamTriad() {
        float[] x = a, y = b, w = c;
        float s = 3f;
        for (int i = 0; i < x.length; i++) x[i] = y[i] + s * w[i];
        return x;
    }

    /**
     * The SGD loop in place over heap arrays, {@code a = a - lr b}, with no copies: what the update would
     * cost if a parameter's values and gradient were {@code float[]} (they are off-heap, for BLAS): 12 bytes
     * an element.
     */
    @Benchmark
    public float[] sgdHeap() {
        float[] x = a, y = b;
        float lr = LR;
        for (int i = 0; i < x.length; i++) x[i] = x[i] - lr * y[i];
        return x;
    }

    /**
     * The chunk copies alone of the engine's SGD pass ({@code sgd}): value and gradient in, value out, a
     * chunk at a time through heap scratch, without the arithmetic: 12 bytes an element.
     */
    @Benchmark
    public float[] sgdCopiesOnly() {
        FloatBuffer w = free.value().data(), g = free.grad().data();
        float[][] scratch = Elementwise.scratch();
        float[] wa = scratch[0], ga = scratch[1];
        for (int off = 0, n = free.value().size(); off < n; off += Elementwise.CHUNK) {
            int len = Math.min(Elementwise.CHUNK, n - off);
            w.get(off, wa, 0, len);
            g.get(off, ga, 0, len);
            w.put(off, wa, 0, len);
        }
        return wa;
    }

    /** An off-heap bulk copy (memcpy): 8 bytes an element. */
    @Benchmark
    public Matrix offHeapCopy() {
        dst.copyFrom(src);
        return dst;
    }

    /** SGD update before: the scalar loop, {@code w - lr (g + wd w)} through the geometry interface. */
    @Benchmark
    public Matrix sgdScalar() {
        Matrix w = free.value(), g = free.grad();
        float wd = 0f;
        for (int i = 0, n = w.size(); i < n; i++) {
            float wi = w.get(i);
            w.set(i, geometry.step(wi, g.get(i) + wd * geometry.decayGradient(wi), LR));
        }
        return w;
    }

    /** SGD update then a sign projection, each a scalar pass: the step before. */
    @Benchmark
    public Matrix sgdThenProjectScalar() {
        Matrix w = sgdScalar();
        projectScalar(w);
        return w;
    }

    /** SGD update through the composed rule (chunked, vectorised): 12 bytes an element. */
    @Benchmark
    public Matrix sgd() {
        sgd.update(freeList);
        return free.value();
    }

    /**
     * SGD at batch 1: the gradient an outer product the update forms row by row ({@code Matrix.setOuterProduct},
     * written each call as the backward pass writes it): 8 bytes an element (value in and out).
     */
    @Benchmark
    public Matrix sgdBatchOne() {
        Blas.best().gemm(false, false, 1f, gradColumn, gradRow, 0f, free.grad());
        sgd.update(freeList);
        return free.value();
    }

    /** {@link #sgdBatchOne} with the sign projection: 8 bytes an element. */
    @Benchmark
    public Matrix sgdProjectedBatchOne() {
        Blas.best().gemm(false, false, 1f, gradColumn, gradRow, 0f, nonNegative.grad());
        sgd.updateAndProject(nonNegativeList);
        return nonNegative.value();
    }

    /** SGD and the sign projection fused in one pass: 12 bytes an element. */
    @Benchmark
    public Matrix sgdProjected() {
        sgd.updateAndProject(nonNegativeList);
        return nonNegative.value();
    }

    /** SGD, sign projection and a pruning mask (10 %) fused: 13 bytes an element (one mask byte). */
    @Benchmark
    public Matrix sgdProjectedMasked() {
        sgd.updateAndProject(maskedList);
        return masked.value();
    }

    /** Momentum 0.9 and the sign projection fused: 20 bytes an element (value and buffer in and out, gradient in). */
    @Benchmark
    public Matrix momentumProjected() {
        momentum.updateAndProject(nonNegativeList);
        return nonNegative.value();
    }

    /** Adam with gradient descent: 28 bytes an element (value and both moments in and out, gradient in). */
    @Benchmark
    public Matrix adam() {
        adam.update(freeList);
        return free.value();
    }

    /** Exponentiated gradient (signed) with momentum 0.925 and decay: 20 bytes an element. */
    @Benchmark
    public Matrix egMomentum() {
        egMomentum.update(freeList);
        return free.value();
    }

    /** AdamW-EG: 28 bytes an element. */
    @Benchmark
    public Matrix adamwEg() {
        adamwEg.update(freeList);
        return free.value();
    }

    /**
     * EG's map alone ({@link io.eiscope.engine.tensor.Exp#scaleByExp}) on one chunk of 1,024 fresh
     * weights and directions in [-1, 1] (two copies in first) at learning rate 1e-2: exponents below
     * 1/16, EG's usual case.
     */
    @Benchmark
    public float[] expSmall() {
        return expChunk(1e-2f);
    }

    /** {@link #expSmall} at learning rate 1: exponents up to 1 in magnitude. */
    @Benchmark
    public float[] expLarge() {
        return expChunk(1f);
    }

    private float[] expChunk(float lr) {
        System.arraycopy(chunkW0, 0, chunkW, 0, chunkW.length);
        System.arraycopy(chunkD0, 0, chunkD, 0, chunkD.length);
        io.eiscope.engine.tensor.Exp.scaleByExp(chunkW, chunkD, chunkW.length, lr, true);
        return chunkW;
    }

    /** Exponentiated gradient (signed), one exp an element: 12 bytes an element. */
    @Benchmark
    public Matrix egUpdate() {
        eg.update(freeList);
        return free.value();
    }

    /** The sign projection before: a scalar pass, 8 bytes an element. */
    @Benchmark
    public Matrix projectScalar() {
        projectScalar(nonNegative.value());
        return nonNegative.value();
    }

    private static void projectScalar(Matrix v) {
        for (int i = 0, n = v.size(); i < n; i++) {
            if (v.get(i) < 0f) v.set(i, 0f);
        }
    }

    /** The sign projection alone ({@link Parameter#project()}): 8 bytes an element. */
    @Benchmark
    public Matrix project() {
        nonNegative.project();
        return nonNegative.value();
    }

    /** The cSGD gradient correction, {@code g / c} (c = 1: exact, so the values never drift): 8 bytes an element. */
    @Benchmark
    public Matrix divide() {
        Elementwise.divide(dh, 1f);
        return dh;
    }

    /** The server's per-step divergence check ({@code Simulation.parameterTrouble}): 4 bytes an element. */
    @Benchmark
    public boolean divergenceCheck() {
        return src.allWithin(1e6f);
    }

    /** ReLU forward with the bias ({@code h = max(z + b, 0)}, z to h): 8 bytes an element. */
    @Benchmark
    public Matrix reluForward() {
        Activation.RELU.addBiasAndApply(z, bias, dst, row, biasRow);
        return dst;
    }

    /** ReLU backward with the bias gradient ({@code dh *= h > 0}, {@code db = sum dh}): 12 bytes an element. */
    @Benchmark
    public Matrix reluBackward() {
        Activation.RELU.backwardWithBiasGrad(z, dh, db, row, hRow, acc);
        return db;
    }
}
