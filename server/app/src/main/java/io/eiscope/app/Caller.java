package io.eiscope.app;

/**
 * Who is calling: an owner name and a role. {@link Role#READ} may list, watch and read the
 * runs of its owner; {@link Role#STEER} may also create, control, steer, fork, annotate and
 * delete them; {@link Role#ADMIN} may do all of it on every run. Without authentication every
 * caller is {@link #ANYONE}, an admin with no name.
 */
record Caller(String owner, Role role) {
    enum Role {
        READ,
        STEER,
        ADMIN;

        boolean allows(Role needed) {
            return compareTo(needed) >= 0;
        }
    }

    static final Caller ANYONE = new Caller("", Role.ADMIN);

    boolean admin() {
        return role == Role.ADMIN;
    }

    /** True when this caller may act on a run of {@code runOwner}. */
    boolean owns(String runOwner) {
        return admin() || owner.equals(runOwner);
    }
}
