package io.eiscope.engine.spec;

import io.eiscope.engine.learning.Adam;
import io.eiscope.engine.learning.ComposedRule;
import io.eiscope.engine.learning.DiagonalNaturalGradient;
import io.eiscope.engine.learning.Direction;
import io.eiscope.engine.learning.ExponentiatedGradient;
import io.eiscope.engine.learning.Geometry;
import io.eiscope.engine.learning.GradientClipping;
import io.eiscope.engine.learning.GradientDescent;
import io.eiscope.engine.learning.GradientTransform;
import io.eiscope.engine.learning.InhibitoryCorrection;
import io.eiscope.engine.learning.LearningRateSchedule;
import io.eiscope.engine.learning.LearningRule;
import io.eiscope.engine.learning.MirrorDescent;
import io.eiscope.engine.learning.Momentum;
import io.eiscope.engine.learning.Potential;
import io.eiscope.engine.learning.SignFrozenGradientDescent;
import io.eiscope.engine.spec.Catalogue.Entry;
import io.eiscope.engine.spec.Catalogue.RuleFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The learning rules of the catalogue: one kind per direction and geometry ({@code sgd},
 * {@code sign_frozen_sgd}, {@code adam}, {@code adamw}, {@code eg}, {@code eg_unsigned},
 * {@code adamw_eg}, {@code mirror_descent}) and the diagonal natural gradient ({@code dngd}), each with the shared options that
 * compose with any rule: {@code correct_inhibitory} (the DANN cSGD corrections, so cSGD is
 * {@code sgd} with {@code correct_inhibitory = true} rather than a kind of its own), gradient
 * clipping and a learning-rate schedule. Errors from cross-field checks name the field with
 * the {@code learning_rule.} prefix.
 */
final class RuleCatalogue {
    private RuleCatalogue() {}

    private static final String KINGMA_2015 = "Kingma, Ba (2015). Adam: a method for stochastic optimization. ICLR.";
    private static final String LOSHCHILOV_2019 =
            "Loshchilov, Hutter (2019). Decoupled weight decay regularization. ICLR.";

    static List<Entry<RuleFactory>> entries() {
        var sgd = entry(
                "sgd",
                "Stochastic gradient descent",
                "Minibatch SGD with optional (Nesterov) momentum and L2 weight decay, in PyTorch's order; with "
                        + "correct_inhibitory it is the corrected SGD (cSGD) of Dale's ANNs.",
                References.CORNFORD_2021,
                params(0.05, sgdParams()),
                p -> rule(p, momentum(p), new GradientDescent()));
        var signFrozen = entry(
                "sign_frozen_sgd",
                "Sign-constrained SGD",
                "SGD whose weights never cross zero: where a step would flip a weight's sign, the weight is set to "
                        + "theta with its old sign (freeze_gd_signs of the EG code; WClampMixin of Li et al.).",
                References.CORNFORD_2024 + " " + References.LI_2023,
                params(
                        0.05,
                        Stream.concat(
                                        sgdParams().stream(),
                                        Stream.of(
                                                ParamDescriptor.number(
                                                        "theta",
                                                        SignFrozenGradientDescent.DEFAULT_THETA,
                                                        Float.MIN_NORMAL,
                                                        1e-3,
                                                        "Magnitude a weight is set to where GD would flip its sign (1e-18 in the EG code, 1e-9 in Li et al.).")))
                                .toList()),
                p -> rule(p, momentum(p), new SignFrozenGradientDescent(p.number("theta"))));
        var adam = entry(
                "adam",
                "Adam",
                "Adam with bias correction, eps added after the square root and L2 weight decay added to the gradient "
                        + "(PyTorch's semantics).",
                KINGMA_2015,
                params(1e-3, adamParams(0.0, "L2 penalty added to the gradient.")),
                p -> rule(p, adam(p, false), new GradientDescent()));
        var adamw = entry(
                "adamw",
                "AdamW",
                "Adam with decoupled weight decay: w -= lr * weight_decay * w before each Adam step (PyTorch's semantics).",
                LOSHCHILOV_2019,
                params(1e-3, adamParams(1e-2, "Decoupled decay rate, applied as w -= lr * weight_decay * w.")),
                p -> rule(p, adam(p, true), new GradientDescent()));
        return List.of(sgd, signFrozen, adam, adamw, eg(), egUnsigned(), adamwEg(), mirrorDescent(), dngd());
    }

    private static Entry<RuleFactory> eg() {
        return entry(
                "eg",
                "Exponentiated gradient (EG)",
                "w <- w exp(-lr sign(w) d): SGD's direction (coupled decay d = g + weight_decay sign(w), then momentum) applied "
                        + "multiplicatively, so signs never change, zeros stay zero and log|w| takes additive steps. Zero-initialised "
                        + "biases stay zero: use a model with split_bias.",
                References.CORNFORD_2024,
                params(
                        0.5,
                        egParams("Coupled decay added to the gradient as weight_decay * sign(w): "
                                + "shrinks |w| multiplicatively.")),
                p -> rule(p, momentum(p), new ExponentiatedGradient(true)));
    }

    private static Entry<RuleFactory> egUnsigned() {
        return entry(
                "eg_unsigned",
                "Exponentiated gradient, unsigned (ablation)",
                "w <- w exp(-lr d) without the sign(w) factor (the ablation of the EG paper): descends the loss for positive "
                        + "weights and ascends it for negative ones. Coupled decay d = g + weight_decay |sign(w)|.",
                References.CORNFORD_2024,
                params(0.5, egParams("Coupled decay added to the gradient as weight_decay * |sign(w)|.")),
                p -> rule(p, momentum(p), new ExponentiatedGradient(false)));
    }

    private static Entry<RuleFactory> adamwEg() {
        return entry(
                "adamw_eg",
                "AdamW-EG",
                "AdamW's moments with the exponentiated step: w <- w (1 - lr weight_decay), then "
                        + "w <- w exp(-lr/(1 - beta1^t) sign(w) m / (sqrt(v)/sqrt(1 - beta2^t) + eps)).",
                References.CORNFORD_2024,
                params(1e-3, adamParams(1e-2, "Decoupled decay rate, applied as w -= lr * weight_decay * w.")),
                p -> rule(p, adam(p, true), new ExponentiatedGradient(true)));
    }

    private static Entry<RuleFactory> mirrorDescent() {
        List<ParamDescriptor> own = new ArrayList<>(sgdParams());
        own.add(
                ParamDescriptor.choice(
                        "potential",
                        "p_norm",
                        List.of("p_norm", "negative_entropy"),
                        "Potential phi: p_norm (sum |w|^p / p; weights may cross zero) or negative_entropy (sum |w| log|w|; = EG, signs kept)."));
        own.add(ParamDescriptor.number(
                "p", 3.0, 1.01, 10.0, "p_norm: the exponent p > 1 (2: plain SGD, bit for bit)."));
        return entry(
                "mirror_descent",
                "Mirror descent",
                "grad phi(w') = grad phi(w) - lr d: SGD's direction (coupled decay d = g + weight_decay w, then momentum) applied "
                        + "in the dual space of the potential phi, then mapped back.",
                References.POGODIN_2024,
                params(0.05, own),
                p -> rule(
                        p,
                        momentum(p),
                        new MirrorDescent(
                                p.text("potential").equals("negative_entropy")
                                        ? new Potential.NegativeEntropy()
                                        : new Potential.PNorm(p.number("p")))));
    }

    private static Entry<RuleFactory> dngd() {
        List<ParamDescriptor> own = List.of(
                ParamDescriptor.number(
                        "f_lambda",
                        2.5e-5,
                        1e-12,
                        1e3,
                        "Scale of the Fisher estimate against the 1e-8 added before inverting: F_new = f_lambda * the batch mean of "
                                + "(B * each example's gradient)^2 (the reference's 'Fisher learning rate')."),
                ParamDescriptor.number(
                        "f_ma_scale",
                        0.02,
                        1e-6,
                        1.0,
                        "Weight c of the new estimate in the moving average F <- (1 - c) F + c F_new; F starts at the first F_new."),
                ParamDescriptor.flag(
                        "scale_finv_by_norm_wex",
                        true,
                        "Divide each layer's inverse Fisher by the L2 norm of its Wex block (the config's "
                                + "scale_finv_by_norm_wex_finv, true)."));
        return entry(
                "dngd",
                "Diagonal natural gradient (d-NGD)",
                "Projected SGD on F^-1 g, F the diagonal Fisher of each layer estimated from targets sampled from the model's own "
                        + "softmax (a second backward pass per step) as a moving average. For Dale's ANNs (model dann) with one "
                        + "inhibitory unit per layer, on classification tasks; the paper's config: lr 300, batch 250, "
                        + "f_lambda 2.5e-5, f_ma_scale 0.02.",
                References.CORNFORD_2021,
                params(300, own),
                p -> {
                    if (p.flag("correct_inhibitory"))
                        throw new IllegalArgumentException(
                                "correct_inhibitory: d-NGD replaces the cSGD corrections (the "
                                        + "reference refuses both together); set it to false");
                    List<GradientTransform> transforms = new ArrayList<>();
                    transforms.add(new DiagonalNaturalGradient(
                            p.number("f_lambda"), p.number("f_ma_scale"), p.flag("scale_finv_by_norm_wex")));
                    addClipping(p, transforms);
                    return new ComposedRule(
                            schedule(p),
                            transforms,
                            new Momentum(new Momentum.Hyper(0, 0, false, 0)),
                            new GradientDescent());
                });
    }

    private static List<ParamDescriptor> egParams(String weightDecayDoc) {
        return List.of(
                ParamDescriptor.number(
                        "momentum", 0.0, 0.0, 0.999, "Momentum coefficient in [0, 1) (0.925 in the EG Mod-Cog runs)."),
                ParamDescriptor.number("dampening", 0.0, 0.0, 0.999, "Momentum dampening in [0, 1); 0 with Nesterov."),
                ParamDescriptor.flag("nesterov", false, "Nesterov momentum (needs momentum > 0)."),
                ParamDescriptor.number("weight_decay", 0.0, 0.0, 1.0, weightDecayDoc));
    }

    private static List<ParamDescriptor> sgdParams() {
        return List.of(
                ParamDescriptor.number("momentum", 0.0, 0.0, 0.999, "Momentum coefficient in [0, 1)."),
                ParamDescriptor.number("dampening", 0.0, 0.0, 0.999, "Momentum dampening in [0, 1); 0 with Nesterov."),
                ParamDescriptor.flag("nesterov", false, "Nesterov momentum (needs momentum > 0)."),
                ParamDescriptor.number("weight_decay", 0.0, 0.0, 1.0, "L2 penalty added to the gradient."));
    }

    private static List<ParamDescriptor> adamParams(double weightDecay, String weightDecayDoc) {
        return List.of(
                ParamDescriptor.number(
                        "beta1", 0.9, 0.0, 0.9999, "Decay of the first-moment (mean) estimate, in [0, 1)."),
                ParamDescriptor.number("beta2", 0.999, 0.0, 0.99999, "Decay of the second-moment estimate, in [0, 1)."),
                ParamDescriptor.number("eps", 1e-8, 1e-12, 1.0, "Added to the denominator after the square root."),
                ParamDescriptor.number("weight_decay", weightDecay, 0.0, 1.0, weightDecayDoc));
    }

    /** The learning rate first, the rule's own parameters, then the options shared by every rule. */
    private static List<ParamDescriptor> params(double learningRate, List<ParamDescriptor> own) {
        List<ParamDescriptor> all = new ArrayList<>();
        all.add(ParamDescriptor.number(
                "learning_rate", learningRate, 1e-9, 1e4, "Step size (peak rate of a schedule); > 0."));
        all.addAll(own);
        all.addAll(List.of(
                ParamDescriptor.flag(
                        "correct_inhibitory",
                        false,
                        "DANN cSGD corrections: divide the gradients of Wix by "
                                + "sqrt(ne), of Wei by d and of alpha by sqrt(ne)*d before the step (Cornford et al. 2021); in a recurrent "
                                + "DANN, Uix and Wix by sqrt(ne), Uei by n_in and Wei by ne (Li et al. 2023)."),
                ParamDescriptor.number(
                        "clip_norm",
                        0.0,
                        0.0,
                        1e6,
                        "Rescale gradients whose L2 norm exceeds this to "
                                + "norm clip_norm (0: no clipping); groups per clip_scope."),
                ParamDescriptor.choice(
                        "clip_scope",
                        "global",
                        List.of("tensor", "layer", "global"),
                        "What clip_norm bounds: each tensor, each layer (names before the first '.') or all parameters."),
                ParamDescriptor.choice(
                        "schedule",
                        "constant",
                        List.of("constant", "step", "cosine", "warmup_cooldown"),
                        "Learning-rate schedule over the rule's updates."),
                ParamDescriptor.integer(
                        "schedule_steps",
                        10_000,
                        1,
                        1_000_000_000L,
                        "Length N in updates of the cosine and warmup_cooldown schedules."),
                ParamDescriptor.integer(
                        "warmup_steps",
                        0,
                        0,
                        1_000_000_000L,
                        "warmup_cooldown: linear warm-up from 0 over this many updates."),
                ParamDescriptor.integer(
                        "cooldown_steps",
                        0,
                        0,
                        1_000_000_000L,
                        "warmup_cooldown: linear cool-down to min_learning_rate over the last updates of schedule_steps."),
                ParamDescriptor.integer(
                        "step_every",
                        1000,
                        1,
                        1_000_000_000L,
                        "step: multiply the rate by step_factor every this many updates."),
                ParamDescriptor.number("step_factor", 0.1, 1e-6, 1.0, "step: factor applied every step_every updates."),
                ParamDescriptor.number(
                        "min_learning_rate",
                        0.0,
                        0.0,
                        1e4,
                        "cosine and warmup_cooldown: the rate at the end of the schedule; <= learning_rate.")));
        return all;
    }

    private static Entry<RuleFactory> entry(
            String kind,
            String title,
            String doc,
            String citation,
            List<ParamDescriptor> params,
            Function<Params, LearningRule> build) {
        return new Entry<>(new ComponentDescriptor(kind, title, doc, citation, params), p -> {
            try {
                return build.apply(p);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("learning_rule." + e.getMessage(), e);
            }
        });
    }

    private static Direction momentum(Params p) {
        return new Momentum(new Momentum.Hyper(
                p.number("momentum"), p.number("dampening"), p.flag("nesterov"), p.number("weight_decay")));
    }

    private static Direction adam(Params p, boolean decoupled) {
        return new Adam(new Adam.Hyper(
                p.number("beta1"), p.number("beta2"), p.number("eps"), p.number("weight_decay"), decoupled));
    }

    private static LearningRule rule(Params p, Direction direction, Geometry geometry) {
        List<GradientTransform> transforms = new ArrayList<>();
        if (p.flag("correct_inhibitory")) transforms.add(new InhibitoryCorrection());
        addClipping(p, transforms);
        return new ComposedRule(schedule(p), transforms, direction, geometry);
    }

    private static void addClipping(Params p, List<GradientTransform> transforms) {
        if (p.number("clip_norm") > 0)
            transforms.add(new GradientClipping(
                    p.number("clip_norm"),
                    GradientClipping.Scope.valueOf(p.text("clip_scope").toUpperCase(Locale.ROOT))));
    }

    private static LearningRateSchedule schedule(Params p) {
        double lr = p.number("learning_rate"), min = p.number("min_learning_rate");
        return switch (p.text("schedule")) {
            case "constant" -> new LearningRateSchedule.Constant(lr);
            case "step" -> new LearningRateSchedule.StepDecay(lr, p.integer("step_every"), p.number("step_factor"));
            case "cosine" -> new LearningRateSchedule.Cosine(lr, p.integer("schedule_steps"), min);
            case "warmup_cooldown" ->
                new LearningRateSchedule.WarmupCooldown(
                        lr, p.integer("warmup_steps"), p.integer("cooldown_steps"), p.integer("schedule_steps"), min);
            default ->
                throw new IllegalArgumentException(
                        "schedule must be one of constant, step, cosine, warmup_cooldown, got '" + p.text("schedule")
                                + "'");
        };
    }
}
