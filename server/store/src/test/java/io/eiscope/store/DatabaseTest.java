package io.eiscope.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code --store} URLs: what reaches the JDBC driver, what is shown, and the errors that say what to fix. */
class DatabaseTest {
    @Test
    void aLibpqUrlBecomesAJdbcUrlWithItsCredentialsApart() {
        Database d = Database.postgresql("postgresql://ana:s%40cret@db.lab:6543/eiscope?sslmode=require");
        assertThat(d.dialect()).isEqualTo(Database.Dialect.POSTGRESQL);
        assertThat(d.jdbcUrl()).isEqualTo("jdbc:postgresql://db.lab:6543/eiscope?sslmode=require");
        assertThat(d.credentials().getProperty("user")).isEqualTo("ana");
        assertThat(d.credentials().getProperty("password")).isEqualTo("s@cret");
        assertThat(d.toString())
                .isEqualTo("postgresql://ana@db.lab:6543/eiscope")
                .doesNotContain("cret");
    }

    @Test
    void withoutPortOrUserTheDriversDefaultsApply() {
        Database d = Database.postgresql("postgres://127.0.0.1/runs");
        assertThat(d.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1/runs");
        assertThat(d.credentials()).isEmpty();
        assertThat(Database.postgresql("jdbc:postgresql://h/db?password=x").toString())
                .isEqualTo("jdbc:postgresql://h/db");
    }

    @Test
    void badUrlsSayWhatToWriteAndNeverShowThePassword() {
        assertThatThrownBy(() -> Database.postgresql("mysql://ana:pw@h/db"))
                .hasMessageContaining("not a PostgreSQL URL")
                .hasMessageContaining("postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
                .hasMessageNotContaining(":pw@");
        assertThatThrownBy(() -> Database.postgresql("postgresql://ana:pw@h"))
                .hasMessageContaining("needs a host and a database")
                .hasMessageContaining("ana:***@h");
        assertThatThrownBy(() -> Database.postgresql("postgresql://h/db name")).hasMessageContaining("is not a URL");
    }
}
