-- The audit log is append-only: UPDATE and DELETE are refused by a trigger (H2 runs a Java class for it).
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW
    CALL 'io.fraudstream.console.db.AppendOnlyTrigger';
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW
    CALL 'io.fraudstream.console.db.AppendOnlyTrigger';
