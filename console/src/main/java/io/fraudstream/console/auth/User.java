package io.fraudstream.console.auth;

/** A signed-in user: the id written into labels and the audit log, and the role the server checks. */
public record User(String id, Role role) {}
