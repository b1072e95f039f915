package io.fraudstream.local;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./fraudstream <command>}: the one-command local run. Exit codes: 0 success, 1 failure,
 * 2 bad usage (the message names the option).
 */
public final class FraudstreamCli {

    private FraudstreamCli() {}

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            System.out.println("usage: ./fraudstream demo [options]\n\n" + DemoOptions.USAGE);
            return;
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (command.equals("bench")) {
            try {
                LoadBenchmark.main(rest, System.out);
                System.exit(0);
            } catch (Exception e) {
                e.printStackTrace(System.err);
                System.exit(1);
            }
        }
        if (!command.equals("demo")) {
            System.err.println("unknown command '" + command + "'\n\n" + DemoOptions.USAGE);
            System.exit(2);
        }
        DemoOptions options;
        try {
            options = DemoOptions.parse(rest);
        } catch (IllegalArgumentException e) {
            System.err.println("fraudstream demo: " + e.getMessage() + "\n\n" + DemoOptions.USAGE);
            System.exit(2);
            return;
        }
        System.setProperty("fraudstream.log.dir", options.workDir().toString());
        Demo demo = new Demo(options, System.out);
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            demo.requestStop();
            try {
                done.await(45, TimeUnit.SECONDS); // let the demo cancel the job and stop the broker
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shutdown"));
        int status = 0;
        try {
            demo.run();
        } catch (Exception e) {
            System.err.println("fraudstream demo failed: " + e);
            e.printStackTrace(System.err);
            status = 1;
        } finally {
            done.countDown();
        }
        System.exit(status);
    }
}
