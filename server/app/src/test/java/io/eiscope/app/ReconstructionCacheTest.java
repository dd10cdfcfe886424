package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Reconstruction;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reconstruction cache: nearest entry at or before a step, one borrower at a time, LRU within the budget, resets. */
class ReconstructionCacheTest {
    static final SimulationConfig CONFIG = new SimulationConfig(
            "cache",
            new ComponentConfig("mlp", Map.of("hidden", List.of(8L))),
            new ComponentConfig("sgd", Map.of()),
            new ComponentConfig(
                    "r_of_k",
                    Map.of("inputs", 12L, "relevant", 6L, "threshold", 3L, "train_size", 32L, "held_out_size", 8L)),
            3,
            4,
            0,
            0);

    static Reconstruction at(long step) {
        Reconstruction r = Reconstruction.fromStart(CONFIG, Catalogue.standard(), EngineContext.of(Path.of(".data")));
        r.advance(List.of(), step, s -> {});
        return r;
    }

    @Test
    void lendsTheNearestEntryAtOrBeforeAStepToOneBorrowerAtATime() {
        Reconstruction r10 = at(10), r20 = at(20);
        long each = 2 * r10.stateBytes();
        ReconstructionCache cache = new ReconstructionCache(10 * each);
        cache.put("a", 0, r10);
        cache.put("a", 0, r20);
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.bytes()).isEqualTo(2 * each);
        assertThat(cache.borrow("a", 0, 5)).as("nothing at or before step 5").isNull();
        assertThat(cache.borrow("b", 0, 30)).as("another run").isNull();
        assertThat(cache.borrow("a", 1, 30)).as("the run was reset since").isNull();
        ReconstructionCache.Lease lease = cache.borrow("a", 0, 25);
        assertThat(lease.state()).isSameAs(r20);
        assertThat(cache.borrow("a", 0, 25).state())
                .as("20 is lent: the next best")
                .isSameAs(r10);
        cache.giveBack(lease);
        assertThat(cache.borrow("a", 0, 20).state()).isSameAs(r20);
    }

    @Test
    void evictsTheLeastRecentlyUsedBeyondTheBudgetButNeverALentOne() {
        Reconstruction r1 = at(1), r2 = at(2), r3 = at(3);
        long each = 2 * r1.stateBytes();
        ReconstructionCache cache = new ReconstructionCache(2 * each);
        cache.put("a", 0, r1);
        cache.put("a", 0, r2);
        cache.giveBack(cache.borrow("a", 0, 1)); // 1 used more recently than 2
        ReconstructionCache.Lease lent = cache.borrow("a", 0, 1);
        cache.put("a", 0, r3); // over budget: 2 goes (least recently used and not lent)
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.bytes()).isLessThanOrEqualTo(2 * each);
        cache.giveBack(lent);
        assertThat(cache.borrow("a", 0, 2).state())
                .as("2 was evicted; 1 is the nearest")
                .isSameAs(r1);
        assertThat(new ReconstructionCache(each - 1)).satisfies(small -> {
            small.put("a", 0, r1);
            assertThat(small.size())
                    .as("larger than the whole budget: not kept")
                    .isZero();
        });
    }

    @Test
    void aResetRunsOldEntriesGoWhenANewOneArrivesAndForgetDropsARun() {
        ReconstructionCache cache = new ReconstructionCache(1L << 30);
        cache.put("a", 0, at(5));
        cache.put("b", 0, at(5));
        cache.put("a", 1, at(3));
        assertThat(cache.size()).as("a's entry from before its reset went").isEqualTo(2);
        assertThat(cache.borrow("a", 0, 10)).isNull();
        cache.forget("b");
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.borrow("b", 0, 10)).isNull();
        assertThat(cache.borrow("a", 1, 10).state().step()).isEqualTo(3);
    }
}
