package io.fraudstream.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (combined broker + controller, KRaft) running inside this JVM: storage is
 * formatted exactly as {@code kafka-storage.sh format} does, then {@link KafkaRaftServer} is started.
 * Nothing is mocked: clients talk to it over TCP on a loopback port.
 */
public final class EmbeddedKafkaBroker implements KafkaBroker {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final String CONTROLLER = "CONTROLLER";
    private static final int START_ATTEMPTS = 3;

    private final Path dataDir;
    private final boolean deleteDataOnClose;
    private final KafkaRaftServer server;
    private final String bootstrapServers;

    private final Map<String, Object> clientProperties;

    private EmbeddedKafkaBroker(Path dataDir, boolean deleteDataOnClose, KafkaRaftServer server, String bootstrapServers,
            Map<String, Object> clientProperties) {
        this.dataDir = dataDir;
        this.deleteDataOnClose = deleteDataOnClose;
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.clientProperties = Map.copyOf(clientProperties);
    }

    @Override
    public Map<String, Object> clientProperties() {
        return clientProperties;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts a broker on a random free loopback port with a temporary data directory. */
    public static EmbeddedKafkaBroker start() {
        return builder().start();
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public String description() {
        return "in-process KRaft broker, Kafka " + AppInfoParser.getVersion() + ", at " + bootstrapServers;
    }

    @Override
    public void createTopics(Map<String, Integer> partitionsByTopic, Duration timeout) {
        Topics.createAndAwaitLeaders(bootstrapServers, clientProperties, partitionsByTopic, timeout);
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        if (deleteDataOnClose) {
            deleteRecursively(dataDir);
        }
        LOG.info("Stopped {}", description());
    }

    /** Options for the embedded broker. */
    public static final class Builder {
        private int port;
        private Path dataDir;
        private final Map<String, String> overrides = new HashMap<>();
        private Map<String, String> saslUsers;
        private String saslAdmin;

        /** Listener port; 0 (default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Keeps data here (and does not delete it on close); default is a new temporary directory. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /**
         * Clients must authenticate with SASL/PLAIN (over plaintext TCP: this is for testing that
         * security settings are passed through, not for protecting data). The first user is the
         * broker's own and the one {@link #clientProperties()} uses.
         */
        public Builder saslPlain(Map<String, String> passwordsByUser) {
            if (passwordsByUser.isEmpty()) {
                throw new IllegalArgumentException("saslPlain needs at least one user");
            }
            this.saslUsers = new java.util.LinkedHashMap<>(passwordsByUser);
            this.saslAdmin = passwordsByUser.keySet().iterator().next();
            return this;
        }

        /** Any broker property, e.g. SASL listener settings; overrides the defaults. */
        public Builder brokerProperty(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        public EmbeddedKafkaBroker start() {
            RuntimeException last = null;
            // A port found free can be taken by another process before the broker binds it: retry.
            for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
                try {
                    return startOnce();
                } catch (RuntimeException e) {
                    if (port != 0 || !(hasCause(e, BindException.class))) {
                        throw e;
                    }
                    last = e;
                    LOG.warn("Port taken while starting the embedded broker (attempt {}), retrying", attempt);
                }
            }
            throw last;
        }

        private EmbeddedKafkaBroker startOnce() {
            boolean temporary = dataDir == null;
            Path dir;
            try {
                dir = temporary ? Files.createTempDirectory("fraudstream-kafka-") : Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the broker's data directory", e);
            }
            int brokerPort = port != 0 ? port : FreePorts.pick();
            int controllerPort = FreePorts.pick();
            String logDir = dir.resolve("log").toString();

            String listener = saslUsers == null ? "PLAINTEXT" : "SASL_PLAINTEXT";
            Map<String, Object> clientProps = new HashMap<>();
            Properties props = new Properties();
            props.put("process.roles", "broker,controller");
            props.put("node.id", "1");
            props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
            props.put("listeners", listener + "://127.0.0.1:" + brokerPort + "," + CONTROLLER + "://127.0.0.1:" + controllerPort);
            props.put("advertised.listeners", listener + "://127.0.0.1:" + brokerPort);
            props.put("controller.listener.names", CONTROLLER);
            props.put("inter.broker.listener.name", listener);
            props.put("listener.security.protocol.map", listener + ":" + listener + "," + CONTROLLER + ":PLAINTEXT");
            if (saslUsers != null) {
                StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required")
                        .append(" username=\"").append(saslAdmin).append("\" password=\"")
                        .append(saslUsers.get(saslAdmin)).append('"');
                saslUsers.forEach((user, password) ->
                        jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
                props.put("sasl.enabled.mechanisms", "PLAIN");
                props.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
                props.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas.append(';').toString());
                clientProps.putAll(saslClientProperties(saslAdmin, saslUsers.get(saslAdmin)));
            }
            props.put("log.dirs", logDir);
            props.put("auto.create.topics.enable", "false");
            props.put("offsets.topic.replication.factor", "1");
            props.put("offsets.topic.num.partitions", "4");
            props.put("transaction.state.log.replication.factor", "1");
            props.put("transaction.state.log.min.isr", "1");
            props.put("transaction.state.log.num.partitions", "4");
            props.put("group.initial.rebalance.delay.ms", "0");
            // Flink's exactly-once sink keeps transactions open up to its checkpoint timeout.
            props.put("transaction.max.timeout.ms", "3600000");
            props.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
            props.put("num.network.threads", "2");
            props.put("num.io.threads", "4");
            props.put("log.cleaner.enable", "false");
            props.putAll(overrides);

            KafkaConfig config = KafkaConfig.fromProps(props, false);
            format(config, logDir);
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            try {
                server.startup();
            } catch (RuntimeException e) {
                server.shutdown();
                if (temporary) {
                    deleteRecursively(dir);
                }
                throw e;
            }
            EmbeddedKafkaBroker broker =
                    new EmbeddedKafkaBroker(dir, temporary, server, "127.0.0.1:" + brokerPort, clientProps);
            LOG.info("Started {}", broker.description());
            return broker;
        }

        private static void format(KafkaConfig config, String logDir) {
            if (java.nio.file.Files.exists(java.nio.file.Path.of(logDir, "meta.properties"))) {
                return; // a kept data directory: restart with its existing cluster id and data
            }
            try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream())) {
                new Formatter()
                        .setPrintStream(quiet)
                        .setNodeId(config.nodeId())
                        .setClusterId(Uuid.randomUuid().toString())
                        .setDirectories(List.of(logDir))
                        .setMetadataLogDirectory(logDir)
                        .setControllerListenerName(CONTROLLER)
                        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                        // A kept data directory is formatted once; a restart reuses it (and its cluster id).
                        .setIgnoreFormatted(true)
                        .run();
            } catch (Exception e) {
                throw new IllegalStateException("cannot format the embedded broker's storage in " + logDir, e);
            }
        }
    }

    /** Client settings for SASL/PLAIN with the given credentials. */
    public static Map<String, Object> saslClientProperties(String user, String password) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";");
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", dir, e.toString());
        }
    }
}
