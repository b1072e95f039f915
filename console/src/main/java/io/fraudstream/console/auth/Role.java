package io.fraudstream.console.auth;

import io.javalin.security.RouteRole;

/**
 * What a signed-in user may do, enforced on the server for every route ({@code ConsoleServer}). An analyst triages
 * and labels; a model owner promotes and rolls back models (and may read everything an analyst reads).
 */
public enum Role implements RouteRole {
    ANALYST,
    MODEL_OWNER
}
