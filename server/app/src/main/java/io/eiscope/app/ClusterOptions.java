package io.eiscope.app;

import java.util.List;

/**
 * How a server joins a cluster of eiscope servers ({@code --cluster}): Vert.x clustered over Hazelcast, members
 * found by a TCP/IP list (no multicast, no auto-detection), all sharing one PostgreSQL record and one data directory.
 *
 * @param host the address Hazelcast binds and peers reach this server at (its gRPC port too)
 * @param port Hazelcast's port on {@code host}
 * @param members the members to join, {@code host:port} each (this one may be among them)
 * @param name the cluster's name: servers with another name never join it
 */
public record ClusterOptions(String host, int port, List<String> members, String name) {
    public static final int DEFAULT_PORT = 5701;
    public static final String DEFAULT_NAME = "eiscope";

    public ClusterOptions {
        if (host == null || host.isBlank())
            throw new IllegalArgumentException("--cluster-host must name this server's address, e.g. 127.0.0.1");
        if (port < 1 || port > 65535)
            throw new IllegalArgumentException("--cluster-port must be in [1, 65535], got " + port);
        members = List.copyOf(members);
        for (String m : members) {
            int colon = m.lastIndexOf(':');
            boolean ok = colon > 0;
            if (ok) {
                try {
                    int p = Integer.parseInt(m.substring(colon + 1));
                    ok = p >= 1 && p <= 65535;
                } catch (NumberFormatException e) {
                    ok = false;
                }
            }
            if (!ok)
                throw new IllegalArgumentException("--cluster-members takes host:port entries separated by commas (e.g."
                        + " 127.0.0.1:5701,127.0.0.1:5702), got '" + m + "'");
        }
        if (name == null || name.isBlank()) throw new IllegalArgumentException("--cluster-name must not be empty");
    }
}
