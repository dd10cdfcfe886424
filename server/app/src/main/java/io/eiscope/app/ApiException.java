package io.eiscope.app;

import io.vertx.grpc.common.GrpcStatus;

/** A request error with the gRPC status it maps to and a message that says what to fix. */
public final class ApiException extends RuntimeException {
    private final GrpcStatus status;

    /**
     * Longest status message in bytes as it travels (grpc-message: UTF-8, percent-encoded). A message
     * that echoes a long value the client sent must still fit the clients' header limits (grpc-java
     * and gRPC C-core take 8 KiB of headers in all): past them the answer is reset, and the client sees
     * INTERNAL instead of the status.
     */
    public static final int MAX_MESSAGE_BYTES = 2048;

    public ApiException(GrpcStatus status, String message) {
        super(bounded(message), null, false, false);
        this.status = status;
    }

    /**
     * {@code message} when it fits {@link #MAX_MESSAGE_BYTES} on the wire; otherwise its middle is
     * cut (saying how much), so that both the echoed value's start and what follows it (what was
     * expected) remain.
     */
    static String bounded(String message) {
        if (message == null) return null;
        int[] points = message.codePoints().toArray();
        long total = 0;
        for (int cp : points) total += wireBytes(cp);
        if (total <= MAX_MESSAGE_BYTES) return message;
        int half = (MAX_MESSAGE_BYTES - 64) / 2, head = 0, tail = points.length;
        for (int used = 0; used + wireBytes(points[head]) <= half; head++) used += wireBytes(points[head]);
        for (int used = 0; used + wireBytes(points[tail - 1]) <= half; tail--) used += wireBytes(points[tail - 1]);
        return new String(points, 0, head) + " [... " + (tail - head) + " characters cut ...] "
                + new String(points, tail, points.length - tail);
    }

    /** Bytes of code point {@code cp} in grpc-message: printable ASCII as is, anything else as %XX per UTF-8 byte. */
    private static int wireBytes(int cp) {
        if (cp >= 0x20 && cp <= 0x7e && cp != '%') return 1;
        return 3 * (cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
    }

    public GrpcStatus status() {
        return status;
    }

    public static ApiException notFound(String message) {
        return new ApiException(GrpcStatus.NOT_FOUND, message);
    }

    public static ApiException invalid(String message) {
        return new ApiException(GrpcStatus.INVALID_ARGUMENT, message);
    }

    /**
     * The one mapping from exceptions to statuses: engine validation errors are
     * INVALID_ARGUMENT, illegal transitions FAILED_PRECONDITION, anything else INTERNAL
     * (with no stack trace to the client).
     */
    public static ApiException from(Throwable t) {
        Throwable c = t;
        while ((c instanceof java.util.concurrent.CompletionException
                        || c instanceof java.util.concurrent.ExecutionException)
                && c.getCause() != null) c = c.getCause();
        if (c instanceof ApiException a) return a;
        if (c instanceof IllegalArgumentException) return new ApiException(GrpcStatus.INVALID_ARGUMENT, c.getMessage());
        if (c instanceof IllegalStateException) return new ApiException(GrpcStatus.FAILED_PRECONDITION, c.getMessage());
        if (c instanceof io.eiscope.engine.sim.MemoryEstimate.TooLarge)
            return new ApiException(GrpcStatus.RESOURCE_EXHAUSTED, c.getMessage());
        if (c instanceof OutOfMemoryError)
            return new ApiException(
                    GrpcStatus.RESOURCE_EXHAUSTED,
                    "the server ran out of memory for this request (heap "
                            + (Runtime.getRuntime().maxMemory() >> 20)
                            + " MiB, shared by all runs): use a smaller model, batch or request,"
                            + " delete runs you no longer need, or start the server with a larger heap (java -Xmx...)");
        return new ApiException(
                GrpcStatus.INTERNAL, "internal error: " + c.getClass().getSimpleName());
    }
}
