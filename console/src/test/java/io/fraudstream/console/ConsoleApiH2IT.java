package io.fraudstream.console;

import io.fraudstream.console.db.Database;

/** {@link ConsoleApiContract} on the embedded database the demo uses (H2, PostgreSQL mode). */
class ConsoleApiH2IT extends ConsoleApiContract {

    @Override
    String[] database() {
        return new String[] {Database.embeddedUrl("api-it"), "", ""};
    }
}
