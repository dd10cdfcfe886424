package io.eiscope.engine.learning;

/**
 * The learning rate as a function of the number of updates already applied, {@code t = 0, 1,
 * ...} (the first update uses {@code rate(0)}). Composable with every rule: the rule counts its
 * own updates and {@link LearningRule#reset} restarts the count. Implementations are validated
 * immutable records whose {@code toString} prints every hyper-parameter; {@code rate}
 * allocates nothing.
 */
public sealed interface LearningRateSchedule {

    /** The rate of update {@code t >= 0}. */
    double rate(long t);

    /** The base (peak) learning rate. */
    double learningRate();

    /** The same rate at every update. */
    record Constant(double learningRate) implements LearningRateSchedule {
        public Constant {
            requireRate("learning_rate", learningRate);
        }

        @Override
        public double rate(long t) {
            return learningRate;
        }
    }

    /** {@code learningRate * factor^floor(t / every)}, as {@code torch.optim.lr_scheduler.StepLR}. */
    record StepDecay(double learningRate, long every, double factor) implements LearningRateSchedule {
        public StepDecay {
            requireRate("learning_rate", learningRate);
            if (every < 1) throw new IllegalArgumentException("step_every must be >= 1, got " + every);
            if (!(factor > 0 && factor <= 1))
                throw new IllegalArgumentException("step_factor must be in (0, 1], got " + factor);
        }

        @Override
        public double rate(long t) {
            long periods = t / every; // whole periods: a staircase
            return learningRate * Math.pow(factor, (double) periods);
        }
    }

    /**
     * Cosine annealing from {@code learningRate} at {@code t = 0} to {@code minLearningRate} at
     * {@code t = steps}: {@code min + (lr - min) (1 + cos(pi t / steps)) / 2}, then
     * {@code minLearningRate} for ever (PyTorch's {@code CosineAnnealingLR} without restarts).
     */
    record Cosine(double learningRate, long steps, double minLearningRate) implements LearningRateSchedule {
        public Cosine {
            requireRate("learning_rate", learningRate);
            if (steps < 1) throw new IllegalArgumentException("schedule_steps must be >= 1, got " + steps);
            requireFloor(minLearningRate, learningRate);
        }

        @Override
        public double rate(long t) {
            if (t >= steps) return minLearningRate;
            return minLearningRate + (learningRate - minLearningRate) * (1 + Math.cos(Math.PI * t / steps)) / 2;
        }
    }

    /**
     * Warm-up, constant, cool-down over {@code steps} updates: {@code lr (t + 1) / warmup} for
     * {@code t < warmup} (reaching {@code lr} at the last warm-up update); {@code lr} until the
     * last {@code cooldown} updates; then linearly down, reaching {@code minLearningRate} at
     * {@code t = steps - 1}: {@code lr - (lr - min) (t - (steps - cooldown) + 1) / cooldown};
     * {@code minLearningRate} from {@code t = steps} on. Without a cool-down, {@code lr} for ever.
     */
    record WarmupCooldown(double learningRate, long warmup, long cooldown, long steps, double minLearningRate)
            implements LearningRateSchedule {
        public WarmupCooldown {
            requireRate("learning_rate", learningRate);
            if (warmup < 0) throw new IllegalArgumentException("warmup_steps must be >= 0, got " + warmup);
            if (cooldown < 0) throw new IllegalArgumentException("cooldown_steps must be >= 0, got " + cooldown);
            if (steps < 1) throw new IllegalArgumentException("schedule_steps must be >= 1, got " + steps);
            if (warmup + cooldown > steps)
                throw new IllegalArgumentException("warmup_steps + cooldown_steps must be <= schedule_steps (" + steps
                        + "), got " + warmup + " + " + cooldown);
            requireFloor(minLearningRate, learningRate);
        }

        @Override
        public double rate(long t) {
            if (t < warmup) return learningRate * (t + 1) / warmup;
            if (cooldown == 0 || t < steps - cooldown) return learningRate;
            if (t < steps)
                return learningRate - (learningRate - minLearningRate) * (t - (steps - cooldown) + 1) / cooldown;
            return minLearningRate;
        }
    }

    private static void requireRate(String field, double rate) {
        if (!(rate > 0) || !Double.isFinite(rate))
            throw new IllegalArgumentException(field + " must be a finite number > 0, got " + rate);
    }

    private static void requireFloor(double floor, double rate) {
        if (!(floor >= 0 && floor <= rate))
            throw new IllegalArgumentException(
                    "min_learning_rate must be in [0, learning_rate = " + rate + "], got " + floor);
    }
}
