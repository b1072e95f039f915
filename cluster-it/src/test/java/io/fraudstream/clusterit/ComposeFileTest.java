package io.fraudstream.clusterit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.job.FraudScoringJob;
import io.fraudstream.job.JobMetrics;
import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * docker-compose.yml is valid for Compose ({@code docker-compose config}, Debian's docker-compose 1.29, which
 * needs no Docker engine) and agrees with the code: topics, the job's main class and settings, ports, the
 * Prometheus scrape targets and the Grafana provisioning. The file is checked as Compose resolves it (anchors
 * merged, paths absolute), from the output of {@code docker-compose config}.
 */
class ComposeFileTest {

    /** Flink's option classes whose keys the compose file may set (cluster config or job arguments). */
    private static final List<String> FLINK_OPTION_CLASSES = List.of(
            "org.apache.flink.configuration.CheckpointingOptions", "org.apache.flink.configuration.StateBackendOptions",
            "org.apache.flink.configuration.StateRecoveryOptions", "org.apache.flink.configuration.RestartStrategyOptions",
            "org.apache.flink.configuration.ExecutionOptions", "org.apache.flink.configuration.PipelineOptions",
            "org.apache.flink.configuration.CoreOptions", "org.apache.flink.configuration.JobManagerOptions",
            "org.apache.flink.configuration.TaskManagerOptions", "org.apache.flink.configuration.RestOptions",
            "org.apache.flink.configuration.MetricOptions", "org.apache.flink.configuration.NettyShuffleEnvironmentOptions",
            "org.apache.flink.state.rocksdb.RocksDBOptions", "org.apache.flink.state.rocksdb.RocksDBConfigurableOptions");

    private static Path repo;
    private static Map<String, Object> compose;

    @BeforeAll
    static void resolveWithDockerCompose() throws Exception {
        repo = Repo.root();
        String resolved = dockerCompose("config");
        compose = new Load(LoadSettings.builder().build()).loadFromString(resolved) instanceof Map<?, ?> m ? cast(m) : Map.of();
        assertThat(compose).containsKey("services");
    }

    @Test
    void dockerComposeAcceptsTheFileQuietly() throws Exception {
        assertThat(dockerCompose("config", "-q")).isEmpty();
        // Compose v2 and docker-compose 1.29 both: no top-level name, which 1.29 rejects.
        assertThat(compose).doesNotContainKey("name");
    }

    @Test
    void topicServiceCreatesExactlyTheTopicsOfTheCode() {
        Map<String, Object> env = env("topics");
        List<String> created = Arrays.stream(env.get("TOPICS").toString().trim().split("\\s+"))
                .map(spec -> spec.substring(0, spec.indexOf(':'))).toList();
        assertThat(created).containsExactlyInAnyOrderElementsOf(Topics.ALL.stream().map(Topics.Topic::name).toList());
        assertThat(env.get("COMPACTED_TOPICS").toString().trim())
                .isEqualTo(Topics.MODEL_UPDATES.name() + " " + Topics.RULES.name());
        assertThat(env.get("BOOTSTRAP_SERVERS")).isEqualTo(kafkaBootstrapInside());
        assertThat(dependsOn("topics")).containsEntry("kafka", "service_healthy");
    }

    @Test
    void jobSubmissionRunsTheShadedJarsMainClassWithValidSettings() throws Exception {
        Map<String, Object> env = env("job-submit");
        assertThat(env.get("JOB_MAIN_CLASS")).isEqualTo(FraudScoringJob.class.getName());
        assertThat(env.get("JOB_NAME")).isEqualTo(FraudScoringJob.JOB_NAME);
        // The jar the build produces, mounted from flink-job/target.
        String jar = env.get("JOB_JAR").toString();
        String mountTarget = mountOf("job-submit", repo.resolve("flink-job/target"));
        assertThat(jar).startsWith(mountTarget + "/").endsWith("-job.jar");
        assertThat(jar.substring(mountTarget.length() + 1)).isEqualTo(ClusterFixture.jobJar().getFileName().toString());

        List<String> args = stringList(service("job-submit").get("command"));
        JobConfig config = JobConfig.fromArgs(args.toArray(String[]::new)); // fails on a typo or a bad value
        Set<String> jobKeys = JobOptions.ALL.stream().map(ConfigOption::key).collect(Collectors.toSet());
        Set<String> flinkKeys = flinkKeys();
        for (String arg : args) {
            if (arg.startsWith("--")) {
                String key = arg.substring(2);
                assertThat(jobKeys.contains(key) || key.startsWith(JobOptions.KAFKA_PROPERTIES_PREFIX) || flinkKeys.contains(key))
                        .as("--%s is a job setting (JobOptions) or a Flink option", key).isTrue();
            }
        }
        assertThat(config.get(JobOptions.BOOTSTRAP_SERVERS)).isEqualTo(kafkaBootstrapInside());
        // The model files the job reads are where model-bootstrap writes them, on the shared volume.
        List<String> bootstrapArgs = stringList(service("model-bootstrap").get("command"));
        String store = bootstrapArgs.get(bootstrapArgs.indexOf("--store") + 1);
        assertThat(config.get(JobOptions.MODEL_STORE)).isEqualTo(store);
        assertThat(config.get(JobOptions.MODEL_INITIAL_DESCRIPTOR)).isEqualTo(store + "/champion.json");
        assertThat(config.get(JobOptions.MODEL_PUBLIC_KEY)).isEqualTo(store + "/trust/model-signing.pub");
        assertThat(volumeOf("model-bootstrap", store)).isEqualTo(volumeOf("taskmanager", store)).isEqualTo("model-store");
        assertThat(volumeOf("jobmanager", store)).isEqualTo("model-store");
        // The Flink CLI talks to the JobManager's REST port.
        assertThat(env.get("FLINK_REST")).isEqualTo("jobmanager:" + flinkProperties("jobmanager").get("rest.port"));
    }

    @Test
    void flinkClusterSettingsAreFlinkOptionsWithRocksDbAndCheckpointsOnTheNamedVolume() {
        Set<String> flinkKeys = flinkKeys();
        for (String service : List.of("jobmanager", "taskmanager")) {
            Map<String, String> props = flinkProperties(service);
            for (String key : props.keySet()) {
                assertThat(flinkKeys.contains(key) || key.startsWith("metrics.reporter.prom."))
                        .as("%s: %s is a Flink option", service, key).isTrue();
            }
            assertThat(props).containsEntry("state.backend.type", "rocksdb")
                    .containsEntry("jobmanager.rpc.address", "jobmanager")
                    .containsEntry("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
            String checkpoints = props.get("execution.checkpointing.dir");
            assertThat(checkpoints).startsWith("file:///");
            assertThat(volumeOf(service, checkpoints.substring("file://".length()))).isEqualTo("flink-data");
            assertThat(env(service).get("ENABLE_BUILT_IN_PLUGINS").toString()).contains("flink-metrics-prometheus");
        }
        assertThat(cast(compose.get("volumes"))).containsKeys("model-store", "model-keys", "flink-data");
        assertThat(image("jobmanager")).isEqualTo(image("taskmanager")).isEqualTo(image("job-submit")).startsWith("flink:2.2");
    }

    @Test
    void prometheusScrapesTheFlinkReporterPortsAndTheUiPortIsPublished() throws Exception {
        String prometheus = Files.readString(repo.resolve("deploy/prometheus/prometheus.yml"));
        Map<String, Object> config = cast(new Load(LoadSettings.builder().build()).loadFromString(prometheus));
        Set<String> targets = new LinkedHashSet<>();
        for (Object job : (List<?>) config.get("scrape_configs")) {
            Map<String, Object> j = cast(job);
            for (Object sc : listOrEmpty(j.get("static_configs"))) {
                targets.addAll(stringList(cast(sc).get("targets")));
            }
            for (Object dns : listOrEmpty(j.get("dns_sd_configs"))) {
                Map<String, Object> d = cast(dns);
                for (String name : stringList(d.get("names"))) {
                    targets.add(name + ":" + d.get("port"));
                }
            }
        }
        Set<String> expected = new HashSet<>();
        for (String service : List.of("jobmanager", "taskmanager")) {
            expected.add(service + ":" + flinkProperties(service).get("metrics.reporter.prom.port"));
        }
        assertThat(targets).isEqualTo(expected);
        assertThat(expected).allSatisfy(t -> assertThat(t).endsWith(":9249"));
        // The web UI / REST port Flink listens on is the one published (resolved ports are published/target maps).
        String restPort = flinkProperties("jobmanager").get("rest.port");
        assertThat(restPort).isEqualTo("8081");
        assertThat(listOrEmpty(service("jobmanager").get("ports"))).anySatisfy(p -> {
            Map<String, Object> port = cast(p);
            assertThat(String.valueOf(port.get("target"))).isEqualTo(restPort);
            assertThat(String.valueOf(port.get("published"))).isEqualTo(restPort);
        });
        assertThat(mountOf("prometheus", repo.resolve("deploy/prometheus/prometheus.yml"))).isEqualTo("/etc/prometheus/prometheus.yml");
    }

    @Test
    void grafanaIsProvisionedWithTheDashboardAndItQueriesOnlyMetricsTheJobOrFlinkExport() throws Exception {
        assertThat(mountOf("grafana", repo.resolve("deploy/grafana/provisioning"))).isEqualTo("/etc/grafana/provisioning");
        assertThat(mountOf("grafana", repo.resolve("deploy/grafana/dashboards"))).isEqualTo("/var/lib/grafana/dashboards");
        String provider = Files.readString(repo.resolve("deploy/grafana/provisioning/dashboards/fraudstream.yml"));
        assertThat(provider).contains("path: /var/lib/grafana/dashboards");
        String datasource = Files.readString(repo.resolve("deploy/grafana/provisioning/datasources/prometheus.yml"));
        assertThat(datasource).contains("uid: prometheus").contains("url: http://prometheus:9090");

        GrafanaDashboard dashboard = GrafanaDashboard.load(GrafanaDashboard.defaultPath());
        Set<String> jobMetrics = new HashSet<>();
        for (Field f : JobMetrics.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                jobMetrics.add((String) f.get(null));
            }
        }
        String operator = "flink_taskmanager_job_task_operator_";
        Set<String> flinkJobManagerMetrics = Set.of("lastCheckpointDuration", "lastCheckpointSize", "lastCheckpointFullSize",
                "numberOfCompletedCheckpoints", "numberOfFailedCheckpoints", "numRestarts");
        // Flink's own source metrics (FLIP-33 and the Kafka connector's) are allowed too.
        Set<String> flinkOperatorMetrics = Set.of("pendingRecords", "KafkaSourceReader_KafkaConsumer_records_lag_max");
        for (String name : dashboard.metricNames()) {
            if (name.startsWith(operator)) {
                // A metric in a key/value group (addGroup("reason", r)) is exported with the key in its name.
                String metric = name.substring(operator.length()).replaceFirst("^reason_", "");
                assertThat(metric.equals(name.substring(operator.length())) || metric.equals(JobMetrics.DEAD_LETTERS)
                        || metric.equals(JobMetrics.MODEL_REJECTIONS)).as("%s: only labelled metrics carry reason_", name).isTrue();
                assertThat(jobMetrics.contains(metric) || flinkOperatorMetrics.contains(metric))
                        .as("%s names a JobMetrics constant or a Flink source metric", name).isTrue();
            } else {
                assertThat(name).startsWith("flink_jobmanager_job_");
                assertThat(flinkJobManagerMetrics).contains(name.substring("flink_jobmanager_job_".length()));
            }
        }
        // The panels: throughput, latency percentiles, alert rate, score distribution, dead letters by
        // reason, model, checkpoint duration and size.
        String all = String.join("\n", dashboard.expressions());
        for (String m : List.of(JobMetrics.RECORDS_IN, JobMetrics.SCORES_OUT, JobMetrics.END_TO_END_LATENCY_MS,
                JobMetrics.ALERTS, JobMetrics.SCORE_PERMILLE, JobMetrics.DEAD_LETTERS, JobMetrics.MODEL_VERSION_LOADED_AT,
                JobMetrics.MODEL_SWAPS, "lastCheckpointDuration", "lastCheckpointSize")) {
            assertThat(all).as("dashboard queries %s", m).contains(m);
        }
        assertThat(all).contains("by (reason)").contains("quantile=\"0.99\"");
        assertThat(dashboard.panels()).allSatisfy(p -> {
            if (!p.path("type").asText().equals("row")) {
                assertThat(p.path("datasource").path("uid").asText()).isEqualTo("prometheus");
            }
        });
    }

    @Test
    void toolServicesRunClassesThatExistAndTheDeploySingleFilePrograms() throws Exception {
        for (String service : List.of("simulator", "trainer", "alerts", "model-bootstrap", "console")) {
            List<String> command = stringList(service(service).get("command"));
            assertThat(command.get(0)).isEqualTo("bash");
            assertThat(repo.resolve(command.get(1))).as("%s script", service).isRegularFile();
            assertThat(dependsOn(service)).containsEntry("build", "service_completed_successfully");
        }
        // Main classes named in java-tool.sh calls exist in the modules the build prepares.
        for (String service : List.of("simulator", "trainer", "console")) {
            List<String> command = stringList(service(service).get("command"));
            String module = command.get(2);
            String main = command.get(3);
            assertThat(repo.resolve(module + "/src/main/java/" + main.replace('.', '/') + ".java")).isRegularFile();
        }
        List<String> alerts = stringList(service("alerts").get("command"));
        assertThat(repo.resolve(alerts.get(3))).isRegularFile();
        assertThat(stringList(service("trainer").get("command"))).containsSequence("loop", "--every", "8h");
    }

    // ---- helpers

    /** Runs docker-compose (Debian's 1.29 package works without a Docker engine) in the repository root. */
    static String dockerCompose(String... args) throws IOException, InterruptedException {
        String binary = findOnPath("docker-compose");
        if (binary == null) {
            // The project installs what it needs: Debian's package, by the same script .ci/run uses.
            Process install = new ProcessBuilder("bash", repo.resolve("deploy/install-docker-compose.sh").toString())
                    .redirectErrorStream(true).start();
            String log = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!install.waitFor(300, TimeUnit.SECONDS) || install.exitValue() != 0) {
                throw new AssertionError("docker-compose is not installed and deploy/install-docker-compose.sh failed:\n" + log);
            }
            binary = findOnPath("docker-compose");
            if (binary == null) {
                binary = "/usr/bin/docker-compose";
            }
        }
        List<String> command = new ArrayList<>(List.of(binary, "-f", repo.resolve("docker-compose.yml").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true);
        pb.environment().remove("FROM_SAVEPOINT");
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("docker-compose " + String.join(" ", args) + " did not finish in 60 s");
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("docker-compose %s:%n%s", String.join(" ", args), text).isZero();
        return text;
    }

    private static String findOnPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    private static String kafkaBootstrapInside() {
        String listeners = env("kafka").get("KAFKA_ADVERTISED_LISTENERS").toString();
        Matcher m = Pattern.compile("PLAINTEXT://([^,]+)").matcher(listeners);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static Set<String> flinkKeys() {
        Set<String> keys = new HashSet<>();
        for (String className : FLINK_OPTION_CLASSES) {
            try {
                for (Field f : Class.forName(className).getFields()) {
                    if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                        ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                        keys.add(o.key());
                        for (FallbackKey k : o.fallbackKeys()) {
                            keys.add(k.getKey());
                        }
                    }
                }
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("Flink option class " + className + " not found", e);
            }
        }
        return keys;
    }

    private static Map<String, String> flinkProperties(String service) {
        Map<String, String> props = new LinkedHashMap<>();
        for (String line : env(service).get("FLINK_PROPERTIES").toString().split("\n")) {
            if (!line.isBlank()) {
                int colon = line.indexOf(':');
                props.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        return props;
    }

    /** The container path where {@code hostPath} is bind-mounted in a service. */
    private static String mountOf(String service, Path hostPath) {
        for (String v : stringList(service(service).get("volumes"))) {
            String[] parts = v.split(":");
            if (Path.of(parts[0]).equals(hostPath.toAbsolutePath().normalize())) {
                return parts[1];
            }
        }
        throw new AssertionError(service + " does not mount " + hostPath);
    }

    /** The named volume mounted at (or above) {@code containerPath} in a service. */
    private static String volumeOf(String service, String containerPath) {
        for (String v : stringList(service(service).get("volumes"))) {
            String[] parts = v.split(":");
            if (!parts[0].startsWith("/") && (containerPath.equals(parts[1]) || containerPath.startsWith(parts[1] + "/"))) {
                return parts[0];
            }
        }
        throw new AssertionError(service + " mounts no named volume at " + containerPath);
    }

    private static Map<String, Object> service(String name) {
        Map<String, Object> services = cast(compose.get("services"));
        assertThat(services).as("services").containsKey(name);
        return cast(services.get(name));
    }

    private static String image(String service) {
        return service(service).get("image").toString();
    }

    private static Map<String, Object> env(String service) {
        return cast(service(service).getOrDefault("environment", Map.of()));
    }

    private static Map<String, String> dependsOn(String service) {
        Map<String, String> out = new LinkedHashMap<>();
        Object d = service(service).get("depends_on");
        if (d instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(k.toString(), String.valueOf(cast(v).get("condition"))));
        } else {
            stringList(d).forEach(s -> out.put(s, "service_started"));
        }
        return out;
    }

    private static List<?> listOrEmpty(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }

    private static List<String> stringList(Object o) {
        return o instanceof List<?> l ? l.stream().map(String::valueOf).toList() : o == null ? List.of() : List.of(o.toString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }
}
