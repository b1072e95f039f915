package io.fraudstream.console.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The console's database: a pooled {@link DataSource} migrated to the current schema by Flyway on open.
 * PostgreSQL in deployments; H2 (embedded, PostgreSQL mode) for {@code ./fraudstream demo}. Migrations live in
 * {@code db/migration/common} (portable SQL) and {@code db/migration/postgresql|h2} (the append-only audit trigger).
 */
public final class Database implements AutoCloseable {

    private final HikariDataSource pool;

    private Database(HikariDataSource pool) {
        this.pool = pool;
    }

    /** Opens the pool and migrates. Fails with a message naming {@code console.db.url} if the database is unreachable. */
    public static Database open(String url, String user, String password) {
        if (url == null || !(url.startsWith("jdbc:postgresql:") || url.startsWith("jdbc:h2:"))) {
            throw new IllegalArgumentException(
                    "console.db.url must be a jdbc:postgresql: or jdbc:h2: URL, was '" + url + "'");
        }
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        c.setUsername(user);
        c.setPassword(password);
        c.setMaximumPoolSize(8);
        c.setPoolName("console-db");
        c.setAutoCommit(true);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(c);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("console.db.url: cannot connect to " + redact(url) + ": " + e.getMessage(), e);
        }
        try {
            Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/migration/common",
                            "classpath:db/migration/" + (url.startsWith("jdbc:postgresql:") ? "postgresql" : "h2"))
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new Database(pool);
    }

    /** The embedded default: an in-memory H2 database in PostgreSQL mode, alive while the console runs. */
    public static String embeddedUrl(String name) {
        return "jdbc:h2:mem:" + name + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
    }

    public DataSource dataSource() {
        return pool;
    }

    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    public boolean isPostgres() {
        return pool.getJdbcUrl().startsWith("jdbc:postgresql:");
    }

    @Override
    public void close() {
        pool.close();
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    /** SQLSTATE of a unique-key violation, the same on PostgreSQL and H2. */
    public static boolean isDuplicateKey(SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException()) {
            if ("23505".equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
