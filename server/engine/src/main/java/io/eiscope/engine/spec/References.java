package io.eiscope.engine.spec;

/** Citations of the papers the catalogue implements. */
public final class References {
    private References() {}

    public static final String CORNFORD_2021 =
            "Cornford, Kalajdzievski, Leite, Lamarquette, Kullmann, Richards (2021). "
                    + "Learning to live with Dale's principle: ANNs with separate excitatory and inhibitory units. ICLR.";
    public static final String LI_2023 =
            "Li, Cornford, Ghosh, Richards (2023). Learning better with Dale's Law: a spectral perspective. NeurIPS.";
    public static final String CORNFORD_2024 =
            "Cornford et al. (2024). Brain-like learning with exponentiated gradients. bioRxiv 10.1101/2024.10.25.620272.";
    public static final String POGODIN_2024 = "Pogodin, Cornford, Ghosh, Gidel, Lajoie, Richards (2024). "
            + "Synaptic weight distributions depend on the geometry of plasticity. ICLR.";
    public static final String LIU_2024 = "Liu, Baratin, Cornford, Mihalas, Shea-Brown, Lajoie (2024). "
            + "How connectivity structure shapes rich and lazy learning in neural circuits. ICLR.";
}
