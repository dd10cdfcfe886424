package io.eiscope.engine.observe;

import io.eiscope.engine.model.Model;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.model.RecurrentCell;
import io.eiscope.engine.model.RecurrentNet;
import io.eiscope.engine.observe.ObservableDescriptor.Cost;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The rich/lazy metrics of Liu et al. 2024 (ICLR) §5.5, against the initial network of the run
 * (after build, reset or restore): the weight change {@code ||W_t - W_0||_F} (absolute and
 * relative), the representation alignment and the tangent-kernel alignment, both on the probe
 * batch ({@link Simulation#probeInputs()}: the first {@link Simulation#PROBE_SIZE} held-out
 * examples). Closer to 1 (alignments) or smaller (change) is lazier.
 *
 * <p>The kernel alignment is a {@link DeferredObservable}: the simulation's thread copies the
 * parameter values, and the kernels are computed on a second instance of the model on the analysis
 * pool; the initial kernel {@code K_0} is computed once per run and cached.
 */
public final class LazinessObservables {
    private LazinessObservables() {}

    public static List<Observable> all() {
        return List.of(
                change(
                        "weight_change",
                        "||W_t - W_0||_F of a weight matrix (Liu et al. 2024 §5.5: the recurrent weights; larger = richer), "
                                + "W_0 its value at step 0 of the run; for effective targets (E/I layers, recurrent cells rnnK and rnnK.input) the "
                                + "effective matrix, W_0 computed from the initial parameters. O(n).",
                        false),
                change(
                        "relative_weight_change",
                        "||W_t - W_0||_F / ||W_0||_F of a weight matrix or effective target, as weight_change; "
                                + "NaN when W_0 = 0. O(n).",
                        true),
                representationAlignment(),
                new TangentKernelAlignment());
    }

    private static Observable change(String name, String doc, boolean relative) {
        ObservableDescriptor d = new ObservableDescriptor(name, ObservableKind.SCALAR, Cost.LINEAR, true, doc);
        return new Observable() {
            @Override
            public ObservableDescriptor descriptor() {
                return d;
            }

            @Override
            public List<String> targets(Simulation sim) {
                return SpectralObservables.targets(sim, false);
            }

            @Override
            public Observation.Payload measure(Simulation sim, String target) {
                Matrix w = SpectralObservables.matrix(sim, target), w0 = initialMatrix(sim, target);
                if (w == null || w0 == null) return null;
                double diff = 0, norm = 0;
                for (int i = 0, n = w.size(); i < n; i++) {
                    double v0 = w0.get(i), dv = w.get(i) - v0;
                    diff += dv * dv;
                    norm += v0 * v0;
                }
                return new Observation.Scalar(
                        relative ? (norm > 0 ? Math.sqrt(diff / norm) : Double.NaN) : Math.sqrt(diff));
            }
        };
    }

    /**
     * A parameter's initial value, or a layer's effective matrix at the initial parameters (cached
     * for the run); null otherwise. Call on the simulation's thread; the result is not to be modified.
     */
    public static Matrix initialMatrix(Simulation sim, String target) {
        if (sim.parameter(target).isPresent()) return sim.initialValue(target).orElse(null);
        Optional<Matrix> w0 = sim.runCache(
                "initial_effective_weight/" + target,
                () -> Optional.ofNullable(sim.atInitialValues(
                        () -> sim.model().effectiveWeight(target).orElse(null))));
        return w0.orElse(null);
    }

    /** Hidden layers: every layer but the output one (recurrent networks: the cells). */
    static List<String> hiddenLayers(Model model) {
        List<String> layers = model.layers();
        return layers.subList(0, layers.size() - 1);
    }

    private static Observable representationAlignment() {
        ObservableDescriptor d = new ObservableDescriptor(
                "representation_alignment",
                ObservableKind.SCALAR,
                Cost.LINEAR,
                true,
                "Representation alignment RA = <KR_t, KR_0>_F / (||KR_t||_F ||KR_0||_F) of a hidden layer (Liu et al. 2024 §5.5; closer to 1 "
                        + "= lazier), KR = H H^T with H the layer's activity on the probe batch (the first "
                        + Simulation.PROBE_SIZE
                        + " held-out examples, trials x units) at the last step for recurrent cells (Liu et al.: 320 trials at the end of the "
                        + "decision period); KR_0 from the initial parameters, computed once per run. In [0, 1]. Cost: one forward pass of "
                        + "the probe (shared with the activation observables) and a B x B Gram, O(B^2 n): well under a training step.");
        return new Observable() {
            @Override
            public ObservableDescriptor descriptor() {
                return d;
            }

            @Override
            public List<String> targets(Simulation sim) {
                return hiddenLayers(sim.model());
            }

            @Override
            public Observation.Payload measure(Simulation sim, String target) {
                if (!targets(sim).contains(target)) return null;
                Matrix h = ProbeActivations.current(sim, target), h0 = ProbeActivations.initial(sim, target);
                if (h == null || h0 == null) return null;
                Blas blas = sim.context().blas();
                Matrix kr0 = sim.runCache(
                        "initial_representation_kernel/" + target,
                        () -> KernelAlignment.representationKernel(lastStep(sim, h0), blas));
                return new Observation.Scalar(
                        KernelAlignment.alignment(KernelAlignment.representationKernel(lastStep(sim, h), blas), kr0));
            }
        };
    }

    /** The last probe-batch rows of a layer's activity: its last step (time-major), or all of it for feed-forward layers. */
    private static Matrix lastStep(Simulation sim, Matrix activity) {
        int trials = sim.probeInputs().rows;
        return activity.rowsView(activity.rows - trials, trials);
    }

    /** Kernel alignment, computed off the simulation's thread; see the descriptor's doc. */
    static final class TangentKernelAlignment implements DeferredObservable {
        private final ObservableDescriptor d = new ObservableDescriptor(
                "kernel_alignment",
                ObservableKind.SCALAR,
                Cost.EXPENSIVE,
                true,
                "Tangent-kernel alignment KA = <K_t, K_0>_F / (||K_t||_F ||K_0||_F) of a recurrent cell (Liu et al. 2024 §5.5; closer to 1 = "
                        + "lazier), K[a, a'] = <dF_a/dW, dF_a'/dW>_F with W the cell's effective recurrent matrix (DANN: Wex - Wei Wix, whose "
                        + "gradient is that of Wex; column E/I: W_pos D, the same kernel as W_pos) and F_a the output scalars of the first "
                        + "min(32, probe) probe trials: every step x trial x output for every-step readouts, last step x trial x output "
                        + "otherwise (fewer trials if that exceeds 2048 outputs); K_0 from the initial parameters, once per run. In [0, 1]. "
                        + "Computed off the training thread on a copy of the parameters, published with the step of the copy; a measurement "
                        + "due while one is running is skipped. Cost: one BPTT of the probe per output column, then 2 A^2 n^2 or A^2 T^2 n flops, "
                        + "whichever is less (A outputs, n units, T steps), measured (CPU, one core, KernelAlignmentBench): 0.13 s for 300 units, 8 steps x "
                        + "32 trials x 3 outputs at every step (A = 768), 0.05 s for 100 units, 28 steps, 32 trials x 10 outputs at the last "
                        + "step (A = 320); the training thread only copies the parameters.");

        @Override
        public ObservableDescriptor descriptor() {
            return d;
        }

        @Override
        public List<String> targets(Simulation sim) {
            return sim.model() instanceof RecurrentNet net
                    ? net.cells().stream().map(RecurrentCell::name).toList()
                    : List.of();
        }

        @Override
        public Supplier<Observation.Payload> prepare(Simulation sim, String target) {
            int cell = targets(sim).indexOf(target);
            if (cell < 0) return null;
            Analysis a = sim.runCache("kernel_alignment/" + target, () -> new Analysis(sim, cell));
            List<float[]> now =
                    sim.parameters().stream().map(p -> p.value().toArray()).toList();
            return () -> new Observation.Scalar(a.alignment(now));
        }

        /** The copies and the second model of one run and cell; its computations run one at a time, on any thread. */
        private static final class Analysis {
            private final Supplier<Model> build;
            private final List<float[]> initial;
            private final Matrix probe;
            private final int cell;
            private final Blas blas;
            private RecurrentNet shadow;
            private Matrix k0;

            Analysis(Simulation sim, int cell) {
                this.build = sim.modelBuilder();
                this.initial = sim.parameters().stream()
                        .map(p -> sim.initialValue(p.name()).orElseThrow().toArray())
                        .toList();
                RecurrentNet net = (RecurrentNet) sim.model();
                Matrix x = sim.probeInputs();
                int trials = KernelAlignment.trials(
                        net.shape(), net.cells().get(cell).units(), x.rows);
                this.probe = Matrix.of(trials, x.cols, x.rowsView(0, trials).toArray());
                this.cell = cell;
                this.blas = sim.context().blas();
            }

            synchronized double alignment(List<float[]> values) {
                if (shadow == null) shadow = (RecurrentNet) build.get();
                if (k0 == null) k0 = kernel(initial);
                return KernelAlignment.alignment(kernel(values), k0);
            }

            private Matrix kernel(List<float[]> values) {
                List<Parameter> ps = shadow.parameters();
                for (int i = 0; i < ps.size(); i++) ps.get(i).value().copyFrom(values.get(i));
                return KernelAlignment.tangentKernel(shadow, cell, probe, blas);
            }
        }
    }
}
