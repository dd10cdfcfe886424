package io.eiscope.app;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.concurrent.TimeUnit;

/**
 * A clustered Vert.x over Hazelcast (Vert.x's own cluster manager), from {@link ClusterOptions}: members bind only
 * their {@code host}, find each other by the TCP/IP list alone (multicast and auto-detection off) and notice a member
 * that died within seconds.
 */
final class ClusterSetup {
    private ClusterSetup() {}

    /** The clustered Vert.x and its Hazelcast member. */
    record Joined(Vertx vertx, HazelcastInstance hazelcast) {}

    /** Starts Hazelcast and joins the cluster; blocking, up to a minute. */
    static Joined join(ClusterOptions c) {
        Config hz = ConfigUtil.loadConfig();
        hz.setClusterName(c.name());
        hz.setProperty("hazelcast.logging.type", "slf4j");
        hz.setProperty("hazelcast.phone.home.enabled", "false");
        hz.setProperty("hazelcast.socket.bind.any", "false");
        hz.setProperty("hazelcast.shutdownhook.enabled", "false"); // the server stops Vert.x, which leaves the cluster
        // A member killed outright is noticed by its closed connections, and at worst by 10 s without heartbeats.
        hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        hz.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
        hz.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
        hz.setProperty("hazelcast.wait.seconds.before.join", "1"); // the member list is given: no need to wait 5 s
        // Who owns a run is read on every call for it through another member: kept near, invalidated on change.
        hz.addMapConfig(new com.hazelcast.config.MapConfig("eiscope.owners")
                .setBackupCount(1)
                .setNearCacheConfig(new com.hazelcast.config.NearCacheConfig().setInvalidateOnChange(true)));
        NetworkConfig net = hz.getNetworkConfig();
        net.setPort(c.port()).setPortAutoIncrement(false);
        net.getInterfaces().setEnabled(true).clear().addInterface(c.host());
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(c.members());
        HazelcastClusterManager manager = new HazelcastClusterManager(hz);
        VertxOptions options = new VertxOptions();
        options.getEventBusOptions().setHost(c.host()).setPort(0);
        try {
            Vertx vertx = Vertx.builder()
                    .with(options)
                    .withClusterManager(manager)
                    .buildClustered()
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            return new Joined(vertx, manager.getHazelcastInstance());
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            throw new IllegalStateException(
                    "cannot join the cluster '" + c.name() + "' as " + c.host() + ":" + c.port() + " (members "
                            + c.members() + "): " + root.getMessage(),
                    e);
        }
    }
}
