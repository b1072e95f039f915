package io.fraudstream.console;

import io.fraudstream.console.auth.Role;

/**
 * {@code java -cp ... io.fraudstream.console.ConsoleMain --kafka.bootstrap-servers kafka:9092 --console.db.url
 * jdbc:postgresql://db/console ...}: runs the console until stopped. With {@code console.admin.user} set, that
 * account is created (or reset) with a random password printed once on standard output.
 */
public final class ConsoleMain {

    private ConsoleMain() {}

    public static void main(String[] args) throws Exception {
        ConsoleSettings settings;
        try {
            settings = ConsoleSettings.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("console: " + e.getMessage());
            System.exit(2);
            return;
        }
        Console console = Console.start(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(console::close, "console-shutdown"));
        System.out.println("fraudstream console at " + console.url());
        String admin = settings.get("console.admin.user");
        if (admin != null && !admin.isBlank()) {
            Role role = Role.valueOf(settings.get("console.admin.role"));
            System.out.println("one-time login: " + admin + " / " + new String(console.oneTimeLogin(admin, role))
                    + " (" + role + ")");
        }
        Thread.currentThread().join();
    }
}
