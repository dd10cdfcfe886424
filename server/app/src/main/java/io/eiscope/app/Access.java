package io.eiscope.app;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.common.GrpcStatus;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who may do what, checked at the door: the bearer token of each gRPC and gRPC-Web call (and of
 * the HTTP exports) and the role its method needs, and the Host and Origin of every HTTP request
 * (a page on another site, or a DNS name rebound to this machine, gets 403). The run a call names
 * is checked against its owner by the services ({@link Caller#owns}). Immutable.
 */
final class Access {
    /** Methods of eiscope.v1.SimulationService that change runs: they need {@link Caller.Role#STEER}. */
    static final Set<String> STEERING = Set.of(
            "CreateSimulation",
            "DeleteSimulation",
            "Control",
            "ApplyCommand",
            "ForkSimulation",
            "UpdateRun",
            "SaveCheckpoint",
            "PinCheckpoint",
            "CreateSweep",
            "ControlSweep");

    static final String SERVICE_PATH = "/" + SimulationGrpcService.NAME.fullyQualifiedName() + "/";

    private final Tokens tokens; // null: no authentication
    private final Set<String> allowedHosts; // null: any Host (a wildcard bind with no --allowed-hosts)

    private Access(Tokens tokens, Set<String> allowedHosts) {
        this.tokens = tokens;
        this.allowedHosts = allowedHosts;
    }

    static Access of(ServerOptions o, Tokens tokens) {
        Set<String> hosts = new HashSet<>(List.of("localhost", "127.0.0.1", "[::1]", "::1"));
        o.allowedHosts().forEach(h -> hosts.add(h.toLowerCase(Locale.ROOT)));
        boolean wildcard =
                o.host().equals("0.0.0.0") || o.host().equals("::") || o.host().equals("[::]");
        if (!wildcard) hosts.add(o.host().toLowerCase(Locale.ROOT));
        return new Access(
                o.auth() == ServerOptions.Auth.TOKEN ? tokens : null,
                wildcard && o.allowedHosts().isEmpty() ? null : hosts);
    }

    boolean authenticating() {
        return tokens != null;
    }

    /** The caller of a request with this {@code authorization} header (or, for the HTTP exports, {@code ?token=}); null: refuse. */
    Caller caller(String authorization, String queryToken) {
        if (tokens == null) return Caller.ANYONE;
        Caller c = tokens.caller(authorization);
        return c != null ? c : tokens.byToken(queryToken);
    }

    /** Whom a request counts against for the request rate: the owner of its token, or (without one) its remote address. */
    String client(HttpServerRequest req) {
        if (tokens != null) {
            Caller c = tokens.caller(req.getHeader("authorization"));
            if (c != null) return "owner '" + c.owner() + "'";
        }
        var address = req.remoteAddress();
        return "client " + (address == null ? "unknown" : address.hostAddress());
    }

    /**
     * Checks a gRPC request at the door: true when it was refused (and answered). Only
     * eiscope.v1.SimulationService needs a token; health and reflection are open.
     */
    boolean refusedGrpc(HttpServerRequest req) {
        if (tokens == null || !req.path().startsWith(SERVICE_PATH)) return false;
        Caller c = tokens.caller(req.getHeader("authorization"));
        if (c == null) {
            TrailersOnly.answer(
                    req,
                    GrpcStatus.UNAUTHENTICATED,
                    req.getHeader("authorization") == null
                            ? "this server needs a token: send the header 'authorization: Bearer <token>' (the SDKs take token= or $EISCOPE_TOKEN)"
                            : "the token is not one this server knows");
            return true;
        }
        String method = req.path().substring(SERVICE_PATH.length());
        if (STEERING.contains(method) && !c.role().allows(Caller.Role.STEER)) {
            TrailersOnly.answer(
                    req,
                    GrpcStatus.PERMISSION_DENIED,
                    method + " changes runs; the token of '" + c.owner()
                            + "' is read-only (role read): use a steer or admin token");
            return true;
        }
        return false;
    }

    /**
     * Checks the Host and Origin headers of any HTTP request: true when it was refused (403). A
     * browser sends Origin on cross-site requests; a DNS name rebound to this machine arrives
     * with a Host that is not one of ours.
     */
    boolean refusedHost(HttpServerRequest req) {
        if (allowedHosts == null) return false;
        String host = hostName(req.authority() != null ? req.authority().host() : req.getHeader("host"));
        if (host == null || !allowedHosts.contains(host)) {
            forbid(
                    req,
                    "Host '" + (host == null ? "" : host)
                            + "' is not one this server answers to; start it with --allowed-hosts "
                            + (host == null ? "<name>" : host) + " to allow it");
            return true;
        }
        String origin = req.getHeader("origin");
        if (origin != null && !origin.equals("null")) {
            String originHost;
            try {
                originHost = hostName(URI.create(origin).getHost());
            } catch (IllegalArgumentException e) {
                originHost = null;
            }
            if (originHost == null || !allowedHosts.contains(originHost)) {
                forbid(
                        req,
                        "requests from pages of " + origin + " are refused; only this server's own pages may call it");
                return true;
            }
        }
        return false;
    }

    private static String hostName(String h) {
        return h == null ? null : h.toLowerCase(Locale.ROOT);
    }

    private static void forbid(HttpServerRequest req, String message) {
        String contentType = req.getHeader("content-type");
        if (contentType != null && contentType.startsWith("application/grpc")) {
            TrailersOnly.answer(req, GrpcStatus.PERMISSION_DENIED, message);
        } else {
            req.response()
                    .setStatusCode(403)
                    .putHeader("content-type", "text/plain; charset=utf-8")
                    .end(message + "\n");
        }
    }
}
