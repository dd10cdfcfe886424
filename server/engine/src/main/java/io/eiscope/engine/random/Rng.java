package io.eiscope.engine.random;

/**
 * A small, copyable, seeded random stream (SplitMix64). Its whole state is one long, so a
 * simulation can snapshot, fork and replay it bit for bit on any JVM.
 *
 * <p>Every random draw of a simulation comes from a stream derived with {@link #derive}
 * from the simulation's seed and a stream name ("init", "data", ...), so adding draws to
 * one stream never shifts another.
 */
public final class Rng {
    private long state;

    public Rng(long seed) {
        this.state = seed;
    }

    /** The stream named {@code name} of the simulation seeded with {@code seed}. */
    public static Rng derive(long seed, String name) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < name.length(); i++) {
            h ^= name.charAt(i);
            h *= 0x100000001b3L;
        }
        return new Rng(mix(seed ^ mix(h)));
    }

    public long state() {
        return state;
    }

    public void setState(long state) {
        this.state = state;
    }

    public Rng copy() {
        return new Rng(state);
    }

    public long nextLong() {
        state += 0x9e3779b97f4a7c15L;
        return mix(state);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform integer in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
        return (int) (((nextLong() >>> 33) * bound) >>> 31);
    }

    /** Standard normal by Box-Muller, using two uniforms per draw (no cached spare, so the state stays one long). */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble(); // (0, 1]
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** Exponential with the given scale (mean). */
    public double nextExponential(double scale) {
        return -scale * Math.log(1.0 - nextDouble());
    }

    /** Fisher-Yates shuffle of {@code a} in place. */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
