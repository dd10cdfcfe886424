package io.eiscope.engine.sim;

import io.eiscope.engine.model.Model;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.model.Parameter.Role;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Matrix;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The state that steering commands leave on a simulation's parameters: lesion masks (rows or
 * columns kept at zero), frozen parameters (values held fixed) and the "noise" random stream.
 * {@link #constrain} enforces masks and frozen values after every update (after the model's
 * projection) and after every command. Confined to the simulation's thread; {@link #save} and
 * {@link #read} give and take it as named arrays, for snapshots, forks and checkpoints.
 *
 * <p>Freezing holds the values, not the optimiser: a frozen parameter's momentum or Adam
 * moments keep evolving from its gradients, and its update is undone after each step.
 */
final class Steering {
    /** Row {@code index} (a unit's incoming weights) or column {@code index} (its outgoing weights) of a parameter. */
    record Mask(String parameter, boolean row, int index) {}

    private static final Set<Role> FEEDFORWARD = EnumSet.of(Role.WEIGHT, Role.EXCITATORY);
    /** One line of the {@code lesions} entry of a state dict. */
    private static final Pattern LESION = Pattern.compile("(\\S+) (row|column) (\\d{1,9})");

    private final Rng noise;
    private final List<Mask> masks;
    private final Map<String, float[]> frozen; // name -> held values
    private double inputNoiseStd; // 0: off
    private final Map<String, Map<Integer, Float>> clamps = new LinkedHashMap<>(); // layer -> unit -> value

    Steering(long seed) {
        this(Rng.derive(seed, "noise"), new ArrayList<>(), new LinkedHashMap<>());
    }

    private Steering(Rng noise, List<Mask> masks, Map<String, float[]> frozen) {
        this.noise = noise;
        this.masks = masks;
        this.frozen = frozen;
    }

    /**
     * Writes this state as entries named {@code prefix + ...}: {@code noise_rng_state} (int64
     * {@code [1]}), {@code input_noise_std} (float64 {@code [1]}), {@code lesions} (text, one
     * {@code <parameter> row|column <index>} line per lesion mask, in order), {@code frozen/<parameter>}
     * (float32, the parameter's shape: the held values of each frozen parameter) and, per layer with
     * clamped units, {@code clamp/<layer>/units} (int32 {@code [k]}) and {@code clamp/<layer>/values}
     * (float32 {@code [k]}). Copies; nothing is modified.
     *
     * @param byName the simulation's parameters, for the shapes of frozen values
     */
    void save(StateDict dict, String prefix, Map<String, Parameter> byName) {
        dict.putLongs(prefix + "noise_rng_state", new long[] {noise.state()});
        dict.putDoubles(prefix + "input_noise_std", new double[] {inputNoiseStd});
        StringBuilder lesions = new StringBuilder();
        for (Mask m : masks)
            lesions.append(m.parameter())
                    .append(m.row() ? " row " : " column ")
                    .append(m.index())
                    .append('\n');
        dict.putText(prefix + "lesions", lesions.toString());
        frozen.forEach((name, held) -> {
            Matrix v = byName.get(name).value();
            dict.putFloats(prefix + "frozen/" + name, held.clone(), v.rows, v.cols);
        });
        clamps.forEach((layer, units) -> {
            int[] index = new int[units.size()];
            float[] value = new float[units.size()];
            int k = 0;
            for (Map.Entry<Integer, Float> e : units.entrySet()) {
                index[k] = e.getKey();
                value[k++] = e.getValue();
            }
            dict.putInts(prefix + "clamp/" + layer + "/units", index);
            dict.putFloats(prefix + "clamp/" + layer + "/values", value);
        });
    }

    /**
     * The steering state that {@link #save} wrote, checked against {@code byName} (clamps are
     * checked by the model when {@link #installClamps installed}); copies, nothing is kept.
     *
     * @throws IllegalArgumentException naming the entry that is missing or does not fit the parameters
     */
    static Steering read(StateDict dict, String prefix, Map<String, Parameter> byName) {
        Steering s = new Steering(
                new Rng(dict.longValue(prefix + "noise_rng_state")),
                readLesions(dict, prefix + "lesions", byName),
                new LinkedHashMap<>());
        double[] std = dict.doubles(prefix + "input_noise_std");
        dict.requireShape(prefix + "input_noise_std", 1);
        if (!(std[0] >= 0) || !Double.isFinite(std[0]))
            throw new IllegalArgumentException(
                    "checkpoint entry '" + prefix + "input_noise_std' must be finite and >= 0, got " + std[0]);
        s.inputNoiseStd = std[0];
        for (StateDict.Array a : dict.arrays()) {
            String name = a.name();
            if (name.startsWith(prefix + "frozen/")) {
                Parameter p = byName.get(name.substring((prefix + "frozen/").length()));
                if (p == null)
                    throw new IllegalArgumentException(
                            "checkpoint entry '" + name + "' names no parameter of this model");
                dict.requireShape(name, p.value().rows, p.value().cols);
                s.frozen.put(p.name(), dict.floats(name).clone());
            } else if (name.startsWith(prefix + "clamp/")) {
                String layer = name.substring((prefix + "clamp/").length()).replaceFirst("/(units|values)$", "");
                String units = prefix + "clamp/" + layer + "/units", values = prefix + "clamp/" + layer + "/values";
                if (!name.equals(units) && !name.equals(values))
                    throw new IllegalArgumentException(
                            "checkpoint entry '" + name + "' is neither the units nor the values of a clamp");
                if (s.clamps.containsKey(layer)) continue; // read with its partner
                int[] index = dict.ints(units);
                float[] value = dict.floats(values);
                dict.requireShape(units, index.length);
                dict.requireShape(values, index.length);
                Map<Integer, Float> byUnit = new LinkedHashMap<>();
                for (int k = 0; k < index.length; k++) byUnit.put(index[k], value[k]);
                s.clamps.put(layer, byUnit);
            }
        }
        return s;
    }

    private static List<Mask> readLesions(StateDict dict, String name, Map<String, Parameter> byName) {
        List<Mask> out = new ArrayList<>();
        for (String line : dict.text(name).split("\n", -1)) {
            if (line.isEmpty()) continue;
            Matcher m = LESION.matcher(line);
            Parameter p = m.matches() ? byName.get(m.group(1)) : null;
            boolean row = p != null && m.group(2).equals("row");
            int index = p == null ? -1 : Integer.parseInt(m.group(3));
            if (p == null || index >= (row ? p.value().rows : p.value().cols))
                throw new IllegalArgumentException("checkpoint entry '" + name + "': '" + line
                        + "' is not '<parameter> row|column <index>' for a parameter and index of this model");
            out.add(new Mask(p.name(), row, index));
        }
        return out;
    }

    /** Clamps (or, with {@code clamped} false, releases) a unit's output, then installs all clamps in the model. */
    void clamp(io.eiscope.engine.model.Model model, Command.ClampUnit c) {
        Map<String, Map<Integer, Float>> next = new LinkedHashMap<>();
        clamps.forEach((layer, units) -> next.put(layer, new LinkedHashMap<>(units)));
        if (c.clamped())
            next.computeIfAbsent(c.layer(), l -> new LinkedHashMap<>()).put(c.unit(), c.value());
        else if (next.containsKey(c.layer())) next.get(c.layer()).remove(c.unit());
        next.values().removeIf(Map::isEmpty);
        model.clampUnits(next); // validates before anything changes here
        clamps.clear();
        clamps.putAll(next);
    }

    /** Puts this steering's clamps into {@code model} (after a restore or fork). */
    void installClamps(io.eiscope.engine.model.Model model) {
        model.clampUnits(clamps);
    }

    /** Gaussian noise of this standard deviation is added to every training input (0: none). */
    void setInputNoise(double std) {
        inputNoiseStd = std;
    }

    double inputNoise() {
        return inputNoiseStd;
    }

    /** Adds N(0, std^2) noise from the "noise" stream to a training batch (modifies {@code x}); nothing when off. */
    void perturb(io.eiscope.engine.tensor.Matrix x) {
        if (inputNoiseStd == 0) return;
        for (int i = 0, n = x.size(); i < n; i++) x.set(i, x.get(i) + (float) (inputNoiseStd * noise.nextGaussian()));
    }

    List<Mask> masks() {
        return List.copyOf(masks);
    }

    Set<String> frozen() {
        return Set.copyOf(frozen.keySet());
    }

    /** Zeroes the masked rows and columns, then puts frozen values back. */
    void constrain(Map<String, Parameter> byName) {
        applyMasks(byName);
        frozen.forEach((name, held) -> {
            Matrix v = byName.get(name).value();
            for (int i = 0; i < held.length; i++) v.set(i, held[i]);
        });
    }

    /** After a command changed values on purpose: zero the masks, then hold the frozen parameters at their new values. */
    void afterCommand(Map<String, Parameter> byName) {
        applyMasks(byName);
        frozen.replaceAll((name, held) -> byName.get(name).value().toArray());
    }

    private void applyMasks(Map<String, Parameter> byName) {
        for (Mask m : masks) {
            Matrix v = byName.get(m.parameter()).value();
            if (m.row()) for (int c = 0; c < v.cols; c++) v.set(m.index() * v.cols + c, 0f);
            else for (int r = 0; r < v.rows; r++) v.set(r * v.cols + m.index(), 0f);
        }
    }

    void addNoise(List<Parameter> targets, double std) {
        for (Parameter p : targets) {
            Matrix v = p.value();
            for (int i = 0, n = v.size(); i < n; i++) v.set(i, v.get(i) + (float) (std * noise.nextGaussian()));
        }
    }

    void freeze(List<Parameter> targets, boolean on) {
        for (Parameter p : targets) {
            if (on) frozen.put(p.name(), p.value().toArray());
            else frozen.remove(p.name());
        }
    }

    /**
     * Masks unit {@code unit} of {@code layer}: for an excitatory (or plain) unit, its row of
     * the layer's feed-forward and E&lt;-I weights and its column of the next layer's
     * feed-forward and I&lt;-input weights; for an inhibitory unit, its row of I&lt;-input and
     * its column of E&lt;-I weights.
     */
    void lesion(Model model, String layer, Command.Population population, int unit) {
        List<String> layers = model.layers();
        int at = layers.indexOf(layer);
        if (at < 0)
            throw new IllegalArgumentException("command.lesion.layer: unknown layer '" + layer + "'; one of " + layers);
        List<Parameter> own = inLayer(model, layer);
        List<Parameter> next = at + 1 < layers.size() ? inLayer(model, layers.get(at + 1)) : List.of();
        List<Mask> add = new ArrayList<>();
        boolean excitatory = population == Command.Population.EXCITATORY;
        Role incoming = excitatory ? null : Role.INHIBITORY_INPUT;
        int units = -1;
        for (Parameter p : own) {
            boolean in = excitatory
                    ? FEEDFORWARD.contains(p.role()) || p.role() == Role.INHIBITORY_OUTPUT
                    : p.role() == incoming;
            boolean out = !excitatory && p.role() == Role.INHIBITORY_OUTPUT;
            if (in) {
                if (!excitatory || FEEDFORWARD.contains(p.role())) units = p.value().rows;
                add.add(new Mask(p.name(), true, unit));
            }
            if (out) add.add(new Mask(p.name(), false, unit));
        }
        if (units < 0)
            throw new IllegalArgumentException("command.lesion.population: layer '" + layer + "' has no "
                    + population.name().toLowerCase(Locale.ROOT) + " units");
        if (unit >= units)
            throw new IllegalArgumentException("command.lesion.unit must be in [0, " + units + ") for the "
                    + population.name().toLowerCase(Locale.ROOT) + " units of '" + layer + "', got " + unit);
        if (excitatory) {
            for (Parameter p : next) {
                if (FEEDFORWARD.contains(p.role()) || p.role() == Role.INHIBITORY_INPUT)
                    add.add(new Mask(p.name(), false, unit));
            }
            for (String recurrent : model.recurrentInputs(layer))
                add.add(new Mask(recurrent, false, unit)); // its recurrent output too
        }
        for (Mask m : add) if (!masks.contains(m)) masks.add(m);
    }

    private static List<Parameter> inLayer(Model model, String layer) {
        return model.parameters().stream()
                .filter(p -> p.name().startsWith(layer + "."))
                .toList();
    }

    /** Prunes {@code model} as {@code c} says; random pruning draws from the "noise" stream. */
    void prune(io.eiscope.engine.model.Model model, Command.Prune c) {
        if (c.method() == Command.PruneMethod.MAGNITUDE)
            io.eiscope.engine.prune.Pruning.magnitude(model, c.fraction(), c.scope());
        else io.eiscope.engine.prune.Pruning.random(model, c.fraction(), c.scope(), noise);
    }
}
