package io.eiscope.app;

import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.engine.sim.SimulationState;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** The runs a sweep makes and plays: on this server ({@link Local}), or on any member of a cluster. */
interface SweepRuns {
    /** The run's state, or null when it no longer exists. */
    SimulationState state(String id);

    /** The run's step as last known. */
    long step(String id);

    CompletionStage<Long> play(String id);

    CompletionStage<Long> pause(String id);

    /** Makes a run of {@code spec} for {@code owner}, tagged {@code tags}; blocking (on a worker); its id. */
    String create(SimulationSpec spec, String preset, String owner, List<String> tags);

    /** The runs of this server's registry. */
    final class Local implements SweepRuns {
        private final SimulationRegistry registry;

        Local(SimulationRegistry registry) {
            this.registry = registry;
        }

        SimulationRegistry.Entry find(String id) {
            if (id == null || id.isEmpty() || !registry.has(id)) return null;
            try {
                return registry.get(id);
            } catch (ApiException deleted) {
                return null;
            }
        }

        @Override
        public SimulationState state(String id) {
            SimulationRegistry.Entry e = find(id);
            return e == null ? null : e.runner().state();
        }

        @Override
        public long step(String id) {
            SimulationRegistry.Entry e = find(id);
            return e == null ? 0 : e.runner().step();
        }

        @Override
        public CompletionStage<Long> play(String id) {
            return registry.get(id).runner().play();
        }

        @Override
        public CompletionStage<Long> pause(String id) {
            return registry.get(id).runner().pause();
        }

        @Override
        public String create(SimulationSpec spec, String preset, String owner, List<String> tags) {
            SimulationRegistry.Entry e =
                    registry.create(ProtoMapper.toConfig(spec), preset, ProtoMapper.toPolicy(spec), owner);
            String runId = e.runner().id();
            registry.archive().store().updateRun(runId, null, tags, null);
            e.meta().update(null, tags, null);
            return runId;
        }
    }
}
