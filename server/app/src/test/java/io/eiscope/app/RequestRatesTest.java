package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token bucket on a clock the test moves: bursts of two seconds' worth, refilled at the rate, per client. */
class RequestRatesTest {
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final RequestRates rates = new RequestRates(10, now::get);

    @Test
    void aBurstOfTwoSecondsWorthPassesThenTheNextWaitsOneInterval() {
        for (int i = 0; i < 20; i++)
            assertThat(rates.admit("a")).as("request %d of the burst", i).isZero();
        assertThat(rates.admit("a"))
                .as("the 21st waits for one token: 100 ms at 10/s")
                .isCloseTo(100_000_000L, within(1_000L));
        now.addAndGet(40_000_000L);
        assertThat(rates.admit("a")).as("40 ms later, 60 ms to go").isCloseTo(60_000_000L, within(1_000L));
        now.addAndGet(60_001_000L);
        assertThat(rates.admit("a")).isZero();
        assertThat(rates.admit("a")).isPositive();
    }

    @Test
    void clientsHaveBucketsOfTheirOwnAndARestRefillsUpToTheBurstOnly() {
        for (int i = 0; i < 20; i++) rates.admit("a");
        assertThat(rates.admit("a")).isPositive();
        assertThat(rates.admit("b")).as("another client is not slowed").isZero();
        now.addAndGet(3_600_000_000_000L); // an hour idle refills to 20, not 36,000
        int passed = 0;
        while (rates.admit("a") == 0) passed++;
        assertThat(passed).isEqualTo(20);
        assertThat(rates.refusal("owner 'a'", 100_000_000L))
                .contains("owner 'a'", "10 requests a second", "retry in 100 ms", "--max-requests-per-second");
    }

    @Test
    void idleClientsAreForgottenWhenThereAreMany() {
        for (int i = 0; i <= RequestRates.MAX_IDLE_CLIENTS; i++) rates.admit("client " + i);
        assertThat(rates.clients()).isEqualTo(RequestRates.MAX_IDLE_CLIENTS + 1);
        now.addAndGet(2_000_000_000L); // everyone refilled
        rates.admit("newcomer");
        assertThat(rates.clients())
                .as("full buckets dropped, the newcomer kept")
                .isEqualTo(1);
    }
}
