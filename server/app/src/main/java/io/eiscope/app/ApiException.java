package io.eiscope.app;

import io.vertx.grpc.common.GrpcStatus;

/** A request error with the gRPC status it maps to and a message that says what to fix. */
public final class ApiException extends RuntimeException {
    private final GrpcStatus status;

    public ApiException(GrpcStatus status, String message) {
        super(message, null, false, false);
        this.status = status;
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
        while ((c instanceof java.util.concurrent.CompletionException || c instanceof java.util.concurrent.ExecutionException)
                && c.getCause() != null) c = c.getCause();
        if (c instanceof ApiException a) return a;
        if (c instanceof IllegalArgumentException) return new ApiException(GrpcStatus.INVALID_ARGUMENT, c.getMessage());
        if (c instanceof IllegalStateException) return new ApiException(GrpcStatus.FAILED_PRECONDITION, c.getMessage());
        if (c instanceof io.eiscope.engine.sim.MemoryEstimate.TooLarge) return new ApiException(GrpcStatus.RESOURCE_EXHAUSTED, c.getMessage());
        if (c instanceof OutOfMemoryError)
            return new ApiException(GrpcStatus.RESOURCE_EXHAUSTED, "the server ran out of memory for this request (heap "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB, shared by all runs): use a smaller model, batch or request,"
                    + " delete runs you no longer need, or start the server with a larger heap (java -Xmx...)");
        return new ApiException(GrpcStatus.INTERNAL, "internal error: " + c.getClass().getSimpleName());
    }
}
