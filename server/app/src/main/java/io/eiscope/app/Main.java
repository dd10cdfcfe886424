package io.eiscope.app;

import java.util.concurrent.TimeUnit;

/** Command-line entry point: starts the server, prints its URL, stops cleanly on SIGTERM. */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        ServerOptions options;
        try {
            options = ServerOptions.parse(args);
            if (options == null) return; // --help or --version
        } catch (IllegalArgumentException e) {
            System.err.println("eiscope: " + e.getMessage());
            System.exit(2);
            return;
        }
        LogSetup.apply(options.logFormat(), options.logLevel());
        EiscopeServer server = new EiscopeServer(options);
        int port;
        try {
            port = server.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            // A record that cannot be opened says so itself; a port that cannot be bound is said by its root cause.
            System.err.println(
                    e instanceof IllegalStateException
                            ? "eiscope: could not start: " + e.getMessage()
                            : "eiscope: could not start on " + options.host() + ":" + options.port() + ": "
                                    + rootMessage(e));
            server.close();
            System.exit(1);
            return;
        }
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close();
                            System.err.println("eiscope stopped");
                        },
                        "eiscope-shutdown"));
        String url = (options.tls() ? "https://" : "http://") + options.host() + ":" + port;
        if (options.auth() == ServerOptions.Auth.TOKEN) {
            if (server.generatedToken() != null) {
                System.out.println("eiscope: generated an admin token, saved in " + options.tokensFile()
                        + " (readable by you only)");
                url += "/?token=" + server.generatedToken();
            } else {
                System.out.println(
                        "eiscope: tokens from " + options.tokensFile() + "; open the page with ?token=<your token>");
            }
        }
        System.out.println("eiscope listening on " + url);
        System.out.flush();
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) t = t.getCause();
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
