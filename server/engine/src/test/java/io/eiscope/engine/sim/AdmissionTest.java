package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The slots and the queue alone, with members that only record when they are admitted. */
class AdmissionTest {
    private final List<String> admitted = new ArrayList<>();

    private Admission.Member member(String name) {
        return () -> admitted.add(name);
    }

    @Test
    void runsBeyondTheSlotsQueueInArrivalOrderAndTakeFreedSlotsFirstComeFirstServed() {
        Admission a = new Admission(2);
        var r1 = member("r1");
        var r2 = member("r2");
        var r3 = member("r3");
        var r4 = member("r4");
        assertThat(a.enter(r1)).isTrue();
        assertThat(a.enter(r2)).isTrue();
        assertThat(a.enter(r3)).isFalse();
        assertThat(a.enter(r4)).isFalse();
        assertThat(List.of(a.position(r1), a.position(r2), a.position(r3), a.position(r4)))
                .containsExactly(0, 0, 1, 2);
        assertThat(a.enter(r3)).as("asking again keeps the place").isFalse();
        assertThat(a.position(r3)).isEqualTo(1);

        a.leave(r2);
        assertThat(admitted).containsExactly("r3");
        assertThat(a.holdsSlot(r3)).isTrue();
        assertThat(a.position(r4)).isEqualTo(1);
        a.leave(r1);
        assertThat(admitted).containsExactly("r3", "r4");
        assertThat(a.queuedCount()).isZero();
        assertThat(a.completedWaits()).isEqualTo(2);
        assertThat(a.waitedNanos()).isPositive();
    }

    @Test
    void leavingTheQueueFreesNoSlotAndMovesTheOthersUp() {
        Admission a = new Admission(1);
        var r1 = member("r1");
        var r2 = member("r2");
        var r3 = member("r3");
        a.enter(r1);
        a.enter(r2);
        a.enter(r3);
        a.leave(r2);
        assertThat(admitted).isEmpty();
        assertThat(a.position(r2)).isZero();
        assertThat(a.position(r3)).isEqualTo(1);
        a.leave(r2); // neither playing nor queued: nothing
        assertThat(admitted).isEmpty();
        a.leave(r1);
        assertThat(admitted).containsExactly("r3");
    }

    @Test
    void withoutABoundEveryRunPlaysAndNothingIsQueued() {
        Admission a = new Admission(0);
        for (int i = 0; i < 100; i++) assertThat(a.enter(member("r" + i))).isTrue();
        assertThat(a.queuedCount()).isZero();
        assertThatThrownBy(() -> new Admission(-1)).hasMessageContaining("slots must be >= 0");
    }
}
