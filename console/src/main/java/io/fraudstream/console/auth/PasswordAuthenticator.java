package io.fraudstream.console.auth;

import io.fraudstream.console.db.Database;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * Local accounts in the {@code users} table, passwords hashed with bcrypt (Spring Security's encoder, cost 12).
 * A wrong username costs the same bcrypt work as a wrong password, so response times do not reveal accounts.
 */
public final class PasswordAuthenticator implements Authenticator {

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{1,128}");
    private static final int MIN_PASSWORD = 12;

    private final Database db;
    private final Clock clock;
    private final BCryptPasswordEncoder encoder;
    private final String dummyHash;

    public PasswordAuthenticator(Database db, Clock clock) {
        this(db, clock, 12);
    }

    /** {@code cost}: bcrypt's log2 work factor; 12 in production, lower only in tests. */
    public PasswordAuthenticator(Database db, Clock clock, int cost) {
        this.db = db;
        this.clock = clock;
        this.encoder = new BCryptPasswordEncoder(cost, new SecureRandom());
        this.dummyHash = encoder.encode("not-a-password-" + System.nanoTime());
    }

    @Override
    public Optional<User> authenticate(String username, char[] password) {
        if (username == null || password == null || !USERNAME.matcher(username).matches()) {
            return Optional.empty();
        }
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT password_hash, role FROM users WHERE username = ?")) {
            ps.setString(1, username);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    encoder.matches(new String(password), dummyHash);
                    return Optional.empty();
                }
                String hash = rs.getString(1);
                Role role = Role.valueOf(rs.getString(2));
                return encoder.matches(new String(password), hash) ? Optional.of(new User(username, role))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read users: " + e.getMessage(), e);
        }
    }

    /** Creates or replaces an account (the {@code console add-user} command, the demo's one-time login, tests). */
    public void upsertUser(String username, char[] password, Role role) {
        if (!USERNAME.matcher(username).matches()) {
            throw new IllegalArgumentException("username must be 1-128 of [A-Za-z0-9._@-], was '" + username + "'");
        }
        if (password.length < MIN_PASSWORD) {
            throw new IllegalArgumentException("password of " + username + " must have at least " + MIN_PASSWORD
                    + " characters");
        }
        String hash = encoder.encode(new String(password));
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement del = c.prepareStatement("DELETE FROM users WHERE username = ?");
                    PreparedStatement ins = c.prepareStatement(
                            "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)")) {
                del.setString(1, username);
                del.executeUpdate();
                ins.setString(1, username);
                ins.setString(2, hash);
                ins.setString(3, role.name());
                ins.setLong(4, clock.millis());
                ins.executeUpdate();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write user " + username + ": " + e.getMessage(), e);
        }
    }

    /** A random password for a one-time login: 20 characters from an unambiguous alphabet (about 110 bits). */
    public static char[] randomPassword() {
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        SecureRandom r = new SecureRandom();
        char[] p = new char[20];
        for (int i = 0; i < p.length; i++) {
            p[i] = alphabet.charAt(r.nextInt(alphabet.length()));
        }
        return p;
    }
}
