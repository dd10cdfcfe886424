package io.eiscope.engine.model;

import java.util.Optional;

/**
 * How the rows (post-synaptic units) and columns (pre-synaptic units or inputs) of a weight
 * matrix split into excitatory and inhibitory units, excitatory first, as every E/I model here
 * orders them: rows {@code [0, excitatoryRows)} are excitatory, the next {@code inhibitoryRows}
 * inhibitory; likewise the columns, whose weights carry the sign of their pre-synaptic unit
 * (Dale's law). Both row counts are 0 when the rows are not units of an E/I population (a
 * column-E/I readout's outputs).
 */
public record EiPartition(int excitatoryRows, int inhibitoryRows, int excitatoryCols, int inhibitoryCols) {

    public EiPartition {
        if (excitatoryRows < 0 || inhibitoryRows < 0 || excitatoryCols < 0 || inhibitoryCols < 0)
            throw new IllegalArgumentException("E/I unit counts must be >= 0, got rows " + excitatoryRows + "/"
                    + inhibitoryRows + ", columns " + excitatoryCols + "/" + inhibitoryCols);
    }

    /** Every row and column excitatory (a DANN's effective matrix: its interneurons are folded in). */
    public static EiPartition excitatory(int rows, int cols) {
        return new EiPartition(rows, 0, cols, 0);
    }

    /**
     * A column-E/I matrix {@code W_pos D}: the last {@code inhibitoryCols} columns inhibitory, and
     * the last {@code inhibitoryRows} rows, or no row split when {@code inhibitoryRows < 0} (the
     * rows feed no E/I population, e.g. a readout).
     */
    public static EiPartition columnSigned(int rows, int inhibitoryRows, int cols, int inhibitoryCols) {
        return inhibitoryRows < 0
                ? new EiPartition(0, 0, cols - inhibitoryCols, inhibitoryCols)
                : new EiPartition(rows - inhibitoryRows, inhibitoryRows, cols - inhibitoryCols, inhibitoryCols);
    }

    /**
     * From a DANN parameter's role (Cornford et al. 2021 §1.1): {@code Wex} (E ← input) all
     * excitatory, {@code Wix} (I ← input) inhibitory rows, {@code Wei} (E ← I) inhibitory columns;
     * empty for other roles (plain weights, biases, gains, shunts).
     */
    static Optional<EiPartition> ofRole(Parameter p) {
        int rows = p.value().rows, cols = p.value().cols;
        return switch (p.role()) {
            case EXCITATORY -> Optional.of(excitatory(rows, cols));
            case INHIBITORY_INPUT -> Optional.of(new EiPartition(0, rows, cols, 0));
            case INHIBITORY_OUTPUT -> Optional.of(new EiPartition(rows, 0, 0, cols));
            default -> Optional.empty();
        };
    }
}
