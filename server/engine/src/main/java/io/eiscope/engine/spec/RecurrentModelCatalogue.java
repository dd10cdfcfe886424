package io.eiscope.engine.spec;

import io.eiscope.engine.model.Activation;
import io.eiscope.engine.model.ColumnEiRnn;
import io.eiscope.engine.model.Ctrnn;
import io.eiscope.engine.model.DannRnn;
import io.eiscope.engine.model.Rnn;
import io.eiscope.engine.model.WeightInit;
import io.eiscope.engine.spec.Catalogue.Entry;
import io.eiscope.engine.spec.Catalogue.ModelFactory;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The recurrent models of the catalogue and their initialisations: the standard RNN (with the
 * spectral-radius sweep, the spectrum transplants and sign freezing), the column-E/I and DANN
 * RNNs of Li et al. 2023 and the rank-controlled CTRNN of Liu et al. 2024. On a static task a
 * recurrent model runs one step over the whole input.
 */
final class RecurrentModelCatalogue {
    private RecurrentModelCatalogue() {}

    static final ParamDescriptor RADIUS_NUMERATOR = ParamDescriptor.number(
            "radius_numerator",
            1.0 / 3,
            1e-6,
            100,
            "uniform_radius: num, W ~ U(+-sqrt(3 num/n_h)), Var = num/n_h, spectral radius about sqrt(num); 1/3 is PyTorch's "
                    + "1/sqrt(n_h) bound. (The paper's sweep scripts set num = (rad/2)^2.)");
    static final ParamDescriptor TRANSPLANT_RATIO = ParamDescriptor.integer(
            "transplant_ei_ratio",
            9,
            1,
            1000,
            "Spectrum transplants: E:I ratio r of the column-E/I source, ni = max(1, n // (r + 1)) inhibitory columns.");
    static final ParamDescriptor TRANSPLANT_RADIUS = ParamDescriptor.number(
            "transplant_radius",
            1.5,
            1e-6,
            100,
            "Spectrum transplants: spectral radius of the column-E/I recurrent source (no zero diagonal); sets its singular values.");
    static final ParamDescriptor COLEI_RADIUS = ParamDescriptor.number(
            "radius",
            1.5,
            1e-6,
            100,
            "Spectral radius max|lambda| each initial recurrent matrix is rescaled to, exactly (1.5 in all of Li et al.'s main runs).");
    static final ParamDescriptor ZERO_DIAGONAL = ParamDescriptor.flag(
            "zero_diagonal", true, "No self-connections in the initial recurrent matrix (before the radius rescale).");
    static final ParamDescriptor ABLATE_II = ParamDescriptor.flag(
            "ablate_ii", false, "Zero the I->I block of the initial recurrent matrix (before the radius rescale).");
    static final ParamDescriptor DANN_NUMERATOR = ParamDescriptor.number(
            "init_numerator",
            1.0 / 3,
            1e-6,
            100,
            "Variance numerator of the cells: Wex ~ Exp(sqrt((ne/(ne-1)) num/ne)), so W has variance about num/ne and spectral "
                    + "radius about sqrt(num) (1/3: PyTorch's variance; the spectral-radius sweeps vary it).");
    static final ParamDescriptor CTRNN_GAIN = ParamDescriptor.number(
            "init_gain",
            1.25,
            1e-6,
            100,
            "g of the base recurrent matrix W0 = g Z / sqrt(N), Z ~ N(0, 1) (W0sig, 1.25 in the paper).");
    static final ParamDescriptor CTRNN_RANK = ParamDescriptor.integer(
            "init_rank",
            0,
            0,
            4096,
            "Rank r of the initial W_rec: the top-r SVD part of W0 rescaled to ||W0||_F; 0 (or hidden) for W0 itself. The same "
                    + "seed gives the same W0 for every rank (the paper sweeps 1, 30, 100, N).");

    static final ParamDescriptor NONLINEARITY = ParamDescriptor.choice(
            "nonlinearity",
            "relu",
            List.of("relu", "tanh"),
            "The cells' non-linearity f in h_t = f(z_t): relu (the papers' cells) or tanh (nn.RNN's default; Pogodin et al. "
                    + "2024 finetune tanh RNNs).");

    static List<Entry<ModelFactory>> entries() {
        return List.of(rnn(), columnEiRnn(), dannRnn(), ctrnn());
    }

    /** The standard RNN's normal and log-normal cells: std = init_gain / sqrt(n_h); 1 in the EG paper's Mod-Cog runs. */
    private static final ParamDescriptor CELL_INIT_GAIN = ParamDescriptor.number(
            "init_gain",
            1.0,
            1e-6,
            100,
            "recurrent_init normal or lognormal: U and W have std init_gain / sqrt(n_h) (fan_out, as the EG paper's "
                    + "re_init_network; 1 there).");

    private static Entry<ModelFactory> rnn() {
        return new Entry<>(
                new ComponentDescriptor(
                        "rnn",
                        "Standard ReLU RNN",
                        "Stacked ReLU recurrent cells h_t = ReLU(U x_t + W h_{t-1} + b) from h = 0, unconstrained, and a dense readout at the "
                                + "last step (or every step when the task scores every step); trained by backpropagation through time. "
                                + "recurrent_init: pytorch (U, W ~ U(+-1/sqrt(n_h))), uniform_radius (W ~ U(+-sqrt(3 num/n_h))) or a spectrum "
                                + "transplant W = U_A S_B V_A^T between a column-E/I matrix and a PyTorch one (Li et al. §2.4), or, as the EG "
                                + "paper's re_init_network, U and W normal or log-normal (random signs, init_mean_std_ratio) with std "
                                + "init_gain/sqrt(n_h) (fan_out); b = 0; readout "
                                + "W ~ N(0, 2/n_h). With freeze_recurrent_signs every W keeps its initial signs (Li et al.'s sign-frozen "
                                + "condition). On a static task it runs one step.",
                        References.LI_2023,
                        List.of(
                                ParamDescriptor.intList(
                                        "hidden",
                                        List.of(100L),
                                        1,
                                        4096,
                                        "Units of each recurrent cell, input to output."),
                                ParamDescriptor.flag("bias", true, "Cells with a bias b (0 at init)."),
                                ParamDescriptor.choice(
                                        "recurrent_init",
                                        "pytorch",
                                        List.of(
                                                "pytorch",
                                                "uniform_radius",
                                                "colei_vectors_rnn_values",
                                                "rnn_vectors_colei_values",
                                                "normal",
                                                "lognormal"),
                                        "pytorch; uniform_radius (radius_numerator); colei_vectors_rnn_values: singular vectors of a column-E/I "
                                                + "matrix, singular values of a PyTorch one; rnn_vectors_colei_values: the reverse; normal or "
                                                + "lognormal: U and W with std init_gain/sqrt(n_h) (Cornford et al. 2024's Mod-Cog RNNs)."),
                                CELL_INIT_GAIN,
                                ModelCatalogue.INIT_MEAN_STD_RATIO,
                                RADIUS_NUMERATOR,
                                TRANSPLANT_RATIO,
                                TRANSPLANT_RADIUS,
                                ParamDescriptor.choice(
                                        "transplant_layers",
                                        "all",
                                        List.of("all", "recurrent"),
                                        "Spectrum transplants: all (U, W and the readout, as the paper's scripts) or recurrent (W only)."),
                                ParamDescriptor.flag(
                                        "freeze_recurrent_signs",
                                        false,
                                        "Hold the signs of every cell's W at their initial values (w <- s0 max(s0 w, 1e-9) after each update; "
                                                + "WClampMixin)."),
                                ParamDescriptor.flag(
                                        "freeze_readout_signs",
                                        false,
                                        "Hold the signs of the readout's W at their initial values too (the paper's sign-frozen and transplant "
                                                + "scripts freeze both: their readout uses the same clamping update)."),
                                NONLINEARITY)),
                (p, shape, init, ctx) -> {
                    int[] hidden = ModelCatalogue.ints(p, "hidden");
                    Rnn.Init kind = Rnn.Init.valueOf(p.text("recurrent_init").toUpperCase(Locale.ROOT));
                    if (kind == Rnn.Init.COLEI_VECTORS_RNN_VALUES || kind == Rnn.Init.RNN_VECTORS_COLEI_VALUES) {
                        for (int n : hidden) {
                            if (n < 2)
                                throw new IllegalArgumentException(
                                        "model.hidden entries must be >= 2 for a spectrum transplant "
                                                + "(its column-E/I source needs E and I units), got " + n);
                        }
                    }
                    WeightInit cellInit = switch (kind) {
                        case NORMAL -> new WeightInit.Normal(p.number("init_gain"), WeightInit.Fan.OUT);
                        case LOGNORMAL ->
                            new WeightInit.LogNormal(
                                    p.number("init_gain"), WeightInit.Fan.OUT, p.number("init_mean_std_ratio"));
                        default -> null;
                    };
                    Rnn.Options o = options(() -> new Rnn.Options(
                            p.flag("bias"),
                            kind,
                            p.number("radius_numerator"),
                            (int) p.integer("transplant_ei_ratio"),
                            p.number("transplant_radius"),
                            p.text("transplant_layers").equals("all"),
                            p.flag("freeze_recurrent_signs"),
                            p.flag("freeze_readout_signs"),
                            nonlinearity(p),
                            cellInit));
                    return Rnn.create(shape, hidden, o, ctx.blas(), init);
                });
    }

    private static Entry<ModelFactory> columnEiRnn() {
        return new Entry<>(
                new ComponentDescriptor(
                        "column_ei_rnn",
                        "Column-E/I RNN (ColEI)",
                        "Stacked ReLU cells h_t = ReLU(U_pos D_U x_t + W_pos D_W h_{t-1} + b), U_pos, W_pos >= 0 by projection; each cell's "
                                + "last ceil(n/(r+1)) units are inhibitory (negative columns). W: [Exp(sigma_e) | -Exp(sigma_i)] with balanced "
                                + "scales, zero diagonal, rescaled to spectral radius exactly radius; first cell U_pos ~ Exp(sqrt(1/n_in)) "
                                + "(all-excitatory inputs); deeper cells and the column-E/I readout: the balanced rule on the previous split; "
                                + "b = 0 (the reference code's centring bias is overwritten by its bias init). Li et al. clip each tensor's "
                                + "gradient on its own: clip_scope = tensor.",
                        References.LI_2023,
                        List.of(
                                ParamDescriptor.intList(
                                        "hidden",
                                        List.of(100L),
                                        2,
                                        4096,
                                        "Units of each recurrent cell (excitatory and inhibitory together), input to output."),
                                ParamDescriptor.integer(
                                        "ei_ratio",
                                        9,
                                        1,
                                        1000,
                                        "E:I ratio r: n units split into n - ceil(n/(r+1)) excitatory and ceil(n/(r+1)) inhibitory (100 at 9: 90/10)."),
                                COLEI_RADIUS,
                                ZERO_DIAGONAL,
                                ABLATE_II,
                                ParamDescriptor.flag(
                                        "sign_constrained",
                                        true,
                                        "Project W_pos (cells and readout) onto >= 0 after every update; false is the 'clamp removed' control "
                                                + "whose signs may flip."),
                                NONLINEARITY)),
                (p, shape, init, ctx) -> ColumnEiRnn.create(
                        shape,
                        ModelCatalogue.ints(p, "hidden"),
                        options(() -> new ColumnEiRnn.Options(
                                (int) p.integer("ei_ratio"),
                                p.number("radius"),
                                p.flag("zero_diagonal"),
                                p.flag("ablate_ii"),
                                p.flag("sign_constrained"),
                                nonlinearity(p))),
                        ctx.blas(),
                        init));
    }

    private static Entry<ModelFactory> dannRnn() {
        return new Entry<>(
                new ComponentDescriptor(
                        "dann_rnn",
                        "Recurrent DANN",
                        "Stacked ReLU cells h_t = ReLU((Uex - Uei Uix) x_t + (Wex - Wei Wix) h_{t-1} + b) of excitatory units with linear "
                                + "feed-forward inhibitory interneurons on the input and recurrent paths, all weights >= 0 by projection; "
                                + "readout (Wex - Wei Wix) h + b with max(n_out // 10, 1) interneurons. Init: Wex ~ Exp(s), every Wix row the "
                                + "mean row of Wex, Wei rows ~ Exp normalised to 1, so W is column-centred Wex; b = 0. Li et al. train it "
                                + "with correct_inhibitory (dUix, dWix / sqrt(ne), dUei / n_in, dWei / ne) and clip_scope = layer.",
                        References.LI_2023,
                        List.of(
                                ParamDescriptor.intList(
                                        "hidden",
                                        List.of(100L),
                                        2,
                                        4096,
                                        "Excitatory (recurrent) units ne of each cell, input to output."),
                                ParamDescriptor.integer(
                                        "ni_i2h", 0, 0, 4096, "Interneurons between x_t and h_t; 0: max(ne // 10, 1)."),
                                ParamDescriptor.integer(
                                        "ni_h2h",
                                        0,
                                        0,
                                        4096,
                                        "Interneurons between h_{t-1} and h_t; 0: max(ne // 10, 1)."),
                                DANN_NUMERATOR,
                                NONLINEARITY)),
                (p, shape, init, ctx) -> DannRnn.create(
                        shape,
                        ModelCatalogue.ints(p, "hidden"),
                        options(() -> new DannRnn.Options(
                                (int) p.integer("ni_i2h"),
                                (int) p.integer("ni_h2h"),
                                p.number("init_numerator"),
                                nonlinearity(p))),
                        ctx.blas(),
                        init));
    }

    private static Entry<ModelFactory> ctrnn() {
        return new Entry<>(
                new ComponentDescriptor(
                        "ctrnn",
                        "Continuous-time RNN, rank-controlled init",
                        "h_t = ReLU((1 - alpha) h_{t-1} + alpha (W_in x_t + W_rec h_{t-1})) from h = 0, linear readout y_t = W_out h_t, no "
                                + "biases. W_rec starts as the rank-r truncation of W0 = g Z / sqrt(N), renormalised to ||W0||_F; W_in, W_out ~ "
                                + "U(+-1/sqrt(fan_in)) (PyTorch Linear). Liu et al. train it with sgd, momentum 0.9, learning rate 0.003.",
                        References.LIU_2024,
                        List.of(
                                ParamDescriptor.integer("hidden", 300, 1, 4096, "Recurrent units N."),
                                ParamDescriptor.number(
                                        "alpha",
                                        1.0,
                                        1e-6,
                                        1.0,
                                        "dt / tau in (0, 1]; 1 in the paper (neurogym: dt = tau = 100 ms; "
                                                + "sequential MNIST: dt = None), for which h_t = ReLU(W_in x_t + W_rec h_{t-1})."),
                                CTRNN_GAIN,
                                CTRNN_RANK,
                                NONLINEARITY)),
                (p, shape, init, ctx) -> {
                    long hidden = p.integer("hidden"), rank = p.integer("init_rank");
                    if (rank > hidden)
                        throw new IllegalArgumentException("model.init_rank must be at most model.hidden (" + hidden
                                + "), or 0 for full rank, got " + rank);
                    return Ctrnn.create(
                            shape,
                            options(() -> new Ctrnn.Options(
                                    (int) hidden,
                                    p.number("alpha"),
                                    p.number("init_gain"),
                                    (int) rank,
                                    nonlinearity(p))),
                            ctx.blas(),
                            init);
                });
    }

    private static Activation nonlinearity(Params p) {
        return Activation.valueOf(p.text("nonlinearity").toUpperCase(Locale.ROOT));
    }

    /** Builds model options, prefixing the field named by their validation error with {@code model.}. */
    private static <T> T options(Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model." + e.getMessage(), e);
        }
    }

    static List<ComponentDescriptor> initialisations() {
        return List.of(
                new ComponentDescriptor(
                        "rnn_pytorch",
                        "PyTorch RNN (model rnn)",
                        "U, W ~ U(-1/sqrt(n_h), 1/sqrt(n_h)) (n_h for the input weights too, as PyTorch's RNN), b = 0; readout "
                                + "W ~ N(0, 2/n_h). Model rnn, recurrent_init = pytorch.",
                        References.LI_2023,
                        List.of()),
                new ComponentDescriptor(
                        "uniform_radius",
                        "Uniform, spectral-radius sweep (model rnn)",
                        "W ~ U(-sqrt(3 num/n_h), sqrt(3 num/n_h)): variance num/n_h, spectral radius about sqrt(num) (circular law). "
                                + "Model rnn, recurrent_init = uniform_radius.",
                        References.LI_2023,
                        List.of(RADIUS_NUMERATOR)),
                new ComponentDescriptor(
                        "spectrum_transplant",
                        "Spectrum transplant (model rnn)",
                        "W = U_A diag(S_B) V_A^T: singular vectors of A, singular values of B, between a column-E/I matrix (ratio r, "
                                + "radius rho, no zero diagonal) and a U(+-1/sqrt(n_h)) one; input: Exp(sqrt(1/n_in)) vs U(+-1/sqrt(n_h)); "
                                + "readout: column-E/I dense vs N(0, 2/n_h). Model rnn, recurrent_init = colei_vectors_rnn_values or "
                                + "rnn_vectors_colei_values.",
                        References.LI_2023,
                        List.of(TRANSPLANT_RATIO, TRANSPLANT_RADIUS)),
                new ComponentDescriptor(
                        "column_ei_rnn",
                        "Column-E/I recurrent (model column_ei_rnn)",
                        "W = [Exp(sigma_e) | -Exp(sigma_i)], sigma_e = sqrt(1/denom), denom = ((2 pi - 1)/(2 pi)) (ne + ne^2/ni), sigma_i "
                                + "= (ne/ni) sigma_e; zero diagonal; W <- W rho / max|lambda(W)|; W_pos = |W|. First-cell U_pos ~ "
                                + "Exp(sqrt(1/n_in)); b = 0.",
                        References.LI_2023,
                        List.of(COLEI_RADIUS, ZERO_DIAGONAL, ABLATE_II)),
                new ComponentDescriptor(
                        "dann_rnn",
                        "Recurrent DANN (model dann_rnn)",
                        "Uex, Wex ~ Exp(s), s = sqrt((ne/(ne-1)) num/ne); every Uix/Wix row = the mean row of Uex/Wex; Uei/Wei ~ "
                                + "Exp(s sqrt(ne/ni)) with rows normalised to sum 1; b = 0. W = Wex - 1 mean_rows(Wex): radius about "
                                + "sqrt(num). Readout: numerator 2.",
                        References.LI_2023,
                        List.of(DANN_NUMERATOR)),
                new ComponentDescriptor(
                        "low_rank_gaussian",
                        "Rank-r Gaussian (model ctrnn)",
                        "W0 = g Z / sqrt(N), Z ~ N(0, 1); W_rec = U[:, :r] diag(S[:r]) V[:, :r]^T of the SVD of W0, rescaled to "
                                + "||W0||_F (W0 at full rank).",
                        References.LIU_2024,
                        List.of(CTRNN_GAIN, CTRNN_RANK)));
    }
}
