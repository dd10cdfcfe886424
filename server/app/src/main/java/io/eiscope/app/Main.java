package io.eiscope.app;

import java.util.concurrent.TimeUnit;

/** Command-line entry point: starts the server, prints its URL, stops cleanly on SIGTERM. */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        ServerOptions options;
        try {
            options = ServerOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("eiscope: " + e.getMessage());
            System.exit(2);
            return;
        }
        EiscopeServer server = new EiscopeServer(options);
        int port;
        try {
            port = server.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("eiscope: could not start on " + options.host() + ":" + options.port() + ": " + rootMessage(e));
            server.close();
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            System.err.println("eiscope stopped");
        }, "eiscope-shutdown"));
        System.out.println("eiscope listening on http://" + options.host() + ":" + port);
        System.out.flush();
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) t = t.getCause();
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
