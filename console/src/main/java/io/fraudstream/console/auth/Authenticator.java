package io.fraudstream.console.auth;

import java.util.Optional;

/**
 * Turns credentials into a {@link User}. The console ships {@link PasswordAuthenticator} (local accounts, bcrypt);
 * a bank's single sign-on plugs in here: an OIDC authenticator validates the ID token's signature, issuer, audience
 * and expiry, maps a group claim to a {@link Role}, and returns the same {@link User}. Everything after sign-in
 * (session, CSRF token, role checks, audit) only sees the {@code User}.
 */
public interface Authenticator {

    /** The user these credentials belong to, or empty when they are wrong (never says which part was wrong). */
    Optional<User> authenticate(String username, char[] password);
}
