package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.Scalar;
import io.eiscope.api.v1.WatchResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A live subscriber's lag bound on a real event loop, with a writer whose transport the test fills and drains. */
class SubscriberLagTest {
    static final long MAX_LAG_MILLIS = 100;

    Vertx vertx;
    Context context;
    final Writer writer = new Writer();

    /** Records what the subscriber sends; full while the test says so, draining when it says so. */
    static final class Writer implements FrameWriter {
        final BlockingQueue<Frame> sent = new LinkedBlockingQueue<>();
        volatile boolean full;
        Runnable onDrain;

        @Override
        public boolean writeQueueFull() {
            return full;
        }

        @Override
        public Future<Void> write(WatchResponse batch) {
            try {
                sent.addAll(WatchResponse.parseFrom(batch.toByteString()).getFramesList());
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
            return Future.succeededFuture();
        }

        @Override
        public void onDrain(Runnable action) {
            onDrain = action;
        }

        @Override
        public void end() {}

        @Override
        public void abort(String why) {}
    }

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        context = vertx.getOrCreateContext();
    }

    @AfterEach
    void stop() {
        vertx.close().await();
    }

    Subscriber subscriber() {
        return new Subscriber(
                new WatchFilter(Set.of("loss"), Set.of(), 1, 0),
                writer,
                context,
                vertx,
                10_000,
                0,
                MAX_LAG_MILLIS,
                () -> {});
    }

    static Frame loss(long step) {
        return Frame.newBuilder()
                .setObservable("loss")
                .setStep(step)
                .setScalar(Scalar.newBuilder().setValue((double) step).setMergedCount(1))
                .build();
    }

    void onEventLoop(Runnable r) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        context.runOnContext(v -> {
            r.run();
            done.countDown();
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    }

    /** The frames sent until the one of {@code lastStep}, in order (each waited for up to 10 s). */
    List<Frame> sentUntil(long lastStep) throws InterruptedException {
        List<Frame> frames = new ArrayList<>();
        while (frames.isEmpty() || frames.get(frames.size() - 1).getStep() != lastStep) {
            Frame f = writer.sent.poll(10, TimeUnit.SECONDS);
            assertThat(f).as("a frame up to step %d", lastStep).isNotNull();
            frames.add(f);
        }
        return frames;
    }

    @Test
    void samplesThatWaitedPastTheBoundForABusyEventLoopAreMergedIntoTheNewest() throws Exception {
        Subscriber s = subscriber();
        CountDownLatch busy = new CountDownLatch(1);
        // The event loop is busy for 400 ms (other streams, a machine whose cores are taken):
        // the 60 steps that come meanwhile wait longer than the 100 ms bound.
        context.runOnContext(v -> {
            busy.countDown();
            try {
                Thread.sleep(400);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
        for (int step = 1; step <= 60; step++) s.offer(loss(step));
        List<Frame> sent = sentUntil(60);
        assertThat(sent).as("what waited past 100 ms went out as one frame").hasSize(1);
        assertThat(sent.get(0).getScalar().getMergedCount()).isEqualTo(60);
        assertThat(sent.get(0).getScalar().getValue()).isEqualTo(30.5); // the mean of 1..60
    }

    @Test
    void theFirstMessageAfterAFullTransportCarriesEachObservablesNewestSampleWithItsCount() throws Exception {
        Subscriber s = subscriber();
        writer.full = true; // the client's window is full: nothing can be written
        for (int step = 1; step <= 20; step++) s.offer(loss(step)); // well within the 100 ms bound
        onEventLoop(() -> {}); // the pumps the offers asked for have run, and found the transport full
        assertThat(writer.sent).isEmpty();
        onEventLoop(() -> {
            writer.full = false;
            writer.onDrain.run();
        });
        List<Frame> sent = sentUntil(20);
        assertThat(sent)
                .as("the client could not keep up: it reads the present, not twenty samples one by one")
                .hasSize(1);
        assertThat(sent.get(0).getScalar().getMergedCount()).isEqualTo(20);
        assertThat(sent.get(0).getScalar().getValue()).isEqualTo(10.5); // the mean of 1..20

        for (int step = 21; step <= 25; step++) s.offer(loss(step)); // a client keeping up gets each sample
        assertThat(sentUntil(25)).extracting(Frame::getStep).containsExactly(21L, 22L, 23L, 24L, 25L);
    }
}
