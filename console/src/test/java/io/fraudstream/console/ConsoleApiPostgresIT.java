package io.fraudstream.console;

/** {@link ConsoleApiContract} on a real PostgreSQL server (Debian's package, started by the test). */
class ConsoleApiPostgresIT extends ConsoleApiContract {

    private PostgresServer pg;

    @Override
    String[] database() throws Exception {
        pg = PostgresServer.start();
        return new String[] {pg.jdbcUrl(), "postgres", ""};
    }

    @Override
    void stopDatabase() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }
}
