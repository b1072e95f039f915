package io.fraudstream.console.db;

import java.sql.Connection;
import java.sql.SQLException;
import org.h2.api.Trigger;

/** H2's side of the append-only audit log (see {@code db/migration/h2/V2}): refuses every UPDATE and DELETE. */
public final class AppendOnlyTrigger implements Trigger {

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        throw new SQLException("audit_log is append-only: " + (newRow == null ? "DELETE" : "UPDATE") + " refused",
                "42501");
    }
}
