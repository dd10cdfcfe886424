package io.eiscope.store;

import java.util.List;
import java.util.stream.Collectors;

/** SQL that SQLite (3.24+) and PostgreSQL both speak, for the statements where their own dialects differ. */
final class Sql {
    private Sql() {}

    /** Inserts a row, or updates {@code rest} of the row with the same {@code key}. */
    static String upsert(String table, List<String> key, List<String> rest) {
        return insert(table, key, rest) + " ON CONFLICT (" + String.join(", ", key) + ") DO UPDATE SET "
                + rest.stream().map(c -> c + " = excluded." + c).collect(Collectors.joining(", "));
    }

    /** Inserts a row unless one with the same unique key exists. */
    static String insertIfAbsent(String table, List<String> columns) {
        return insert(table, columns, List.of()) + " ON CONFLICT DO NOTHING";
    }

    private static String insert(String table, List<String> key, List<String> rest) {
        List<String> columns = new java.util.ArrayList<>(key);
        columns.addAll(rest);
        return "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                + columns.stream().map(c -> "?").collect(Collectors.joining(",")) + ")";
    }
}
