package io.eiscope.app;

import java.nio.file.Path;

/**
 * Settings of one eiscope server. Immutable; {@link #parse} reads command-line flags.
 *
 * @param port            TCP port; 0 picks a free one (the chosen port is printed)
 * @param webRoot         directory of the built web UI served at {@code /}
 * @param maxMessageBytes largest gRPC message accepted or sent; bounds uploads such as a spec's
 *                        initial parameter values (a larger request is RESOURCE_EXHAUSTED)
 * @param demo            create and play the demo simulation at start
 * @param watchQueueFrames scalars and events one watch stream may hold before merging samples
 */
public record ServerOptions(String host, int port, Path dataDir, Path webRoot, long maxMessageBytes, boolean demo,
                            int watchQueueFrames) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7070;
    public static final long DEFAULT_MAX_MESSAGE_BYTES = 64L * 1024 * 1024;
    public static final int DEFAULT_WATCH_QUEUE_FRAMES = 10_000;

    public static ServerOptions defaults() {
        return new ServerOptions(DEFAULT_HOST, DEFAULT_PORT, Path.of(".data"), Path.of("web-ui/dist"), DEFAULT_MAX_MESSAGE_BYTES, false,
                DEFAULT_WATCH_QUEUE_FRAMES);
    }

    public ServerOptions withPort(int p) {
        return new ServerOptions(host, p, dataDir, webRoot, maxMessageBytes, demo, watchQueueFrames);
    }

    public ServerOptions withDataDir(Path d) {
        return new ServerOptions(host, port, d, webRoot, maxMessageBytes, demo, watchQueueFrames);
    }

    public ServerOptions withMaxMessageBytes(long bytes) {
        if (bytes < 1) throw new IllegalArgumentException("the largest message must be at least 1 byte, got " + bytes);
        return new ServerOptions(host, port, dataDir, webRoot, bytes, demo, watchQueueFrames);
    }

    public ServerOptions withWatchQueueFrames(int frames) {
        if (frames < 1) throw new IllegalArgumentException("watch queue must hold at least 1 frame, got " + frames);
        return new ServerOptions(host, port, dataDir, webRoot, maxMessageBytes, demo, frames);
    }

    /** Parses {@code --host H --port P --data-dir D --web-root W --demo}; unknown flags are errors. */
    public static ServerOptions parse(String[] args) {
        ServerOptions o = defaults();
        String host = o.host();
        int port = o.port();
        Path data = o.dataDir(), web = o.webRoot();
        boolean demo = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--demo" -> demo = true;
                case "--host", "--port", "--data-dir", "--web-root" -> {
                    if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
                    String v = args[++i];
                    switch (a) {
                        case "--host" -> host = v;
                        case "--port" -> {
                            try {
                                port = Integer.parseInt(v);
                            } catch (NumberFormatException e) {
                                throw new IllegalArgumentException("--port must be a number in [0, 65535], got '" + v + "'");
                            }
                            if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be in [0, 65535], got " + port);
                        }
                        case "--data-dir" -> data = Path.of(v);
                        default -> web = Path.of(v);
                    }
                }
                default -> throw new IllegalArgumentException("unknown option '" + a
                        + "'; usage: eiscope-server [--host H] [--port P] [--data-dir D] [--web-root W] [--demo]");
            }
        }
        return new ServerOptions(host, port, data, web, o.maxMessageBytes(), demo, o.watchQueueFrames());
    }
}
