package io.fraudstream.clusterit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The parts of Flink's REST API (the one {@code flink run} and the web UI use) that deploying and upgrading
 * the job need: upload a jar, run it (optionally from a savepoint), stop it with a savepoint, and read job,
 * vertex and TaskManager status. Every wait polls with a deadline through {@link FlinkStandaloneCluster#await}.
 */
final class FlinkRest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FlinkStandaloneCluster cluster;
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    FlinkRest(FlinkStandaloneCluster cluster) {
        this.cluster = cluster;
        this.base = cluster.restUrl();
    }

    /** Waits until {@code count} TaskManagers registered with the JobManager and their slots are free. */
    void awaitTaskManagers(int count, int slots, Duration timeout) {
        cluster.await(count + " TaskManagers with " + slots + " slots registered", timeout, () -> {
            JsonNode o = tryGet("/overview");
            return o != null && o.path("taskmanagers").asInt() == count && o.path("slots-total").asInt() == slots
                    && o.path("slots-available").asInt() == slots;
        });
    }

    /** POST /jars/upload (multipart, as the web UI does); returns the jar id. */
    String uploadJar(Path jar) throws IOException, InterruptedException {
        String boundary = "----fraudstream" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofFile(jar), HttpRequest.BodyPublishers.ofByteArray(tail)))
                .timeout(Duration.ofSeconds(120))
                .build();
        JsonNode r = send(request, "upload " + jar.getFileName());
        if (!"success".equals(r.path("status").asText())) {
            throw new AssertionError("jar upload failed: " + r + "\n" + cluster.diagnostics());
        }
        String filename = r.path("filename").asText();
        return filename.substring(filename.lastIndexOf('/') + 1);
    }

    /**
     * POST /jars/{id}/run: runs the jar's main in the JobManager, which submits the job; returns the job id.
     * {@code savepointPath} may be null (fresh start).
     */
    String runJar(String jarId, String entryClass, List<String> programArgs, int parallelism, String savepointPath)
            throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("entryClass", entryClass);
        body.put("programArgsList", programArgs);
        body.put("parallelism", parallelism);
        if (savepointPath != null) {
            body.put("savepointPath", savepointPath);
            body.put("allowNonRestoredState", false);
        }
        JsonNode r = send(post("/jars/" + jarId + "/run", body).timeout(Duration.ofSeconds(180)).build(), "run jar");
        String jobId = r.path("jobid").asText("");
        if (jobId.isEmpty()) {
            throw new AssertionError("no job id in " + r + "\n" + cluster.diagnostics());
        }
        return jobId;
    }

    /** Waits until the job and every one of its vertices is RUNNING; fails fast if it failed. */
    void awaitRunning(String jobId, Duration timeout) {
        cluster.await("job " + jobId + " RUNNING with all tasks running", timeout, () -> {
            JsonNode job = tryGet("/jobs/" + jobId);
            if (job == null) {
                return false;
            }
            String state = job.path("state").asText();
            if (state.equals("FAILED") || state.equals("CANCELED") || state.equals("FINISHED")) {
                throw new AssertionError("job " + jobId + " is " + state + ": " + exceptions(jobId) + "\n" + cluster.diagnostics());
            }
            if (!state.equals("RUNNING")) {
                return false;
            }
            for (JsonNode v : job.path("vertices")) {
                if (!v.path("status").asText().equals("RUNNING")) {
                    return false;
                }
            }
            return true;
        });
    }

    /**
     * Waits until the job is RUNNING and every vertex RUNNING or already FINISHED (a bounded job's empty
     * model-updates source finishes within seconds); fails fast if the job failed.
     */
    void awaitStarted(String jobId, Duration timeout) {
        cluster.await("job " + jobId + " RUNNING with every task started", timeout, () -> restartedSince(jobId, -1) > 0);
    }

    /** Fails if the job is not RUNNING or has restarted (a restart would replay records and muddy the counts). */
    void assertRunningWithoutRestarts(String jobId) {
        JsonNode job = get("/jobs/" + jobId);
        String state = job.path("state").asText();
        if (!state.equals("RUNNING")) {
            throw new AssertionError("job " + jobId + " is " + state + ": " + exceptions(jobId) + "\n" + cluster.diagnostics());
        }
        JsonNode restarts = get("/jobs/" + jobId + "/metrics?get=numRestarts");
        for (JsonNode m : restarts) {
            if (m.path("id").asText().equals("numRestarts") && m.path("value").asLong() != 0) {
                throw new AssertionError("job " + jobId + " restarted: " + exceptions(jobId) + "\n" + cluster.diagnostics());
            }
        }
    }

    /** The job's parallelism per vertex name. */
    Map<String, Integer> vertexParallelism(String jobId) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
            out.put(v.path("name").asText(), v.path("parallelism").asInt());
        }
        return out;
    }

    /** Slots in use per TaskManager id. */
    Map<String, Integer> usedSlotsPerTaskManager() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
            out.put(tm.path("id").asText(), tm.path("slotsNumber").asInt() - tm.path("freeSlots").asInt());
        }
        return out;
    }

    /** Number of completed checkpoints of a job. */
    long completedCheckpoints(String jobId) {
        JsonNode c = tryGet("/jobs/" + jobId + "/checkpoints");
        return c == null ? 0 : c.path("counts").path("completed").asLong();
    }

    /**
     * POST /jobs/{id}/stop: stop-with-savepoint (sources stop, a final savepoint is written, the job finishes).
     * Waits for the savepoint and for the job to reach FINISHED; returns the savepoint path.
     */
    String stopWithSavepoint(String jobId, Path targetDirectory, Duration timeout) throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("targetDirectory", targetDirectory.toUri().toString());
        body.put("drain", false);
        JsonNode r = send(post("/jobs/" + jobId + "/stop", body).build(), "stop with savepoint");
        String location = awaitSavepoint(jobId, r.path("request-id").asText(), timeout);
        cluster.await("job " + jobId + " FINISHED after stop-with-savepoint", timeout,
                () -> "FINISHED".equals(get("/jobs/" + jobId).path("state").asText()));
        return location;
    }

    /**
     * POST /jobs/{id}/savepoints without cancelling the job, in Flink's canonical format (the state backend's
     * live entries, written key by key, whatever the backend's on-disk files hold); returns the savepoint's path.
     */
    String savepoint(String jobId, Path targetDirectory, Duration timeout) throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("target-directory", targetDirectory.toUri().toString());
        body.put("cancel-job", false);
        body.put("formatType", "CANONICAL");
        JsonNode r = send(post("/jobs/" + jobId + "/savepoints", body).build(), "savepoint");
        return awaitSavepoint(jobId, r.path("request-id").asText(), timeout);
    }

    private String awaitSavepoint(String jobId, String trigger, Duration timeout) {
        AtomicReference<String> location = new AtomicReference<>();
        cluster.await("savepoint of job " + jobId, timeout, () -> {
            JsonNode s = tryGet("/jobs/" + jobId + "/savepoints/" + trigger);
            if (s == null || !s.path("status").path("id").asText().equals("COMPLETED")) {
                return false;
            }
            JsonNode op = s.path("operation");
            if (op.has("failure-cause")) {
                throw new AssertionError("savepoint failed: " + op.path("failure-cause") + "\n" + cluster.diagnostics());
            }
            location.set(op.path("location").asText());
            return true;
        });
        return location.get();
    }

    /** The job's state ({@code RUNNING}, {@code RESTARTING}, {@code FINISHED}, ...), null while not answering. */
    String jobState(String jobId) {
        JsonNode job = tryGet("/jobs/" + jobId);
        return job == null ? null : job.path("state").asText();
    }

    /** PATCH /jobs/{id} (cancel); waits until the job is CANCELED. */
    void cancel(String jobId, Duration timeout) throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId)).timeout(Duration.ofSeconds(60))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).build(), "cancel " + jobId);
        cluster.await("job " + jobId + " CANCELED", timeout, () -> "CANCELED".equals(jobState(jobId)));
    }

    /** Waits until the job FINISHED (a bounded source reached its end); fails fast if it failed or was cancelled. */
    void awaitFinished(String jobId, Duration timeout) {
        cluster.await("job " + jobId + " FINISHED", timeout, () -> {
            String state = jobState(jobId);
            if ("FAILED".equals(state) || "CANCELED".equals(state)) {
                throw new AssertionError("job " + jobId + " is " + state + ": " + exceptions(jobId) + "\n" + cluster.diagnostics());
            }
            return "FINISHED".equals(state);
        });
    }

    /**
     * Waits until the job runs again after a failure at {@code failedAtMillis}: state RUNNING and every vertex
     * RUNNING with a start time after the failure (so these are the restarted attempts, not the old ones that
     * have not noticed yet). Returns the earliest start time of the restarted vertices (epoch ms, JobManager clock).
     */
    long awaitRestartedAndRunning(String jobId, long failedAtMillis, Duration timeout) {
        long[] restartedAt = {0};
        cluster.await("job " + jobId + " RUNNING again after a failure", timeout,
                () -> (restartedAt[0] = restartedSince(jobId, failedAtMillis)) > 0);
        return restartedAt[0];
    }

    /**
     * The earliest start time of the job's vertices (epoch ms) if the job and every vertex are RUNNING and every
     * vertex started after {@code failedAtMillis}; 0 otherwise. Fails fast if the job failed or was cancelled.
     */
    long restartedSince(String jobId, long failedAtMillis) {
        JsonNode job = tryGet("/jobs/" + jobId);
        if (job == null) {
            return 0;
        }
        String state = job.path("state").asText();
        if (state.equals("FAILED") || state.equals("CANCELED")) {
            throw new AssertionError("job " + jobId + " is " + state + ": " + exceptions(jobId) + "\n" + cluster.diagnostics());
        }
        if (!state.equals("RUNNING")) {
            return 0;
        }
        long earliest = Long.MAX_VALUE;
        for (JsonNode v : job.path("vertices")) {
            long start = v.path("start-time").asLong();
            // A bounded source with nothing to read (model-updates) finishes within seconds: FINISHED counts.
            String status = v.path("status").asText();
            if (!(status.equals("RUNNING") || status.equals("FINISHED")) || start <= failedAtMillis) {
                return 0;
            }
            earliest = Math.min(earliest, start);
        }
        return earliest == Long.MAX_VALUE ? 0 : earliest;
    }

    /** The job's {@code numRestarts} metric (0 when not reported yet). */
    long numRestarts(String jobId) {
        JsonNode m = tryGet("/jobs/" + jobId + "/metrics?get=numRestarts");
        if (m != null) {
            for (JsonNode n : m) {
                if (n.path("id").asText().equals("numRestarts")) {
                    return n.path("value").asLong();
                }
            }
        }
        return 0;
    }

    /** {@code latest.completed} of GET /jobs/{id}/checkpoints (id, trigger_timestamp, state_size, checkpointed_size, ...), or null. */
    JsonNode latestCompletedCheckpoint(String jobId) {
        JsonNode c = tryGet("/jobs/" + jobId + "/checkpoints");
        if (c == null) {
            return null;
        }
        JsonNode latest = c.path("latest").path("completed");
        return latest.isMissingNode() || latest.isNull() ? null : latest;
    }

    /**
     * Waits for a checkpoint that was triggered at or after {@code afterMillis} (JobManager clock) and completed;
     * returns its entry of {@code latest.completed}.
     */
    JsonNode awaitCheckpointTriggeredAfter(String jobId, long afterMillis, Duration timeout) {
        AtomicReference<JsonNode> out = new AtomicReference<>();
        cluster.await("a checkpoint of " + jobId + " triggered after " + afterMillis, timeout, () -> {
            JsonNode latest = latestCompletedCheckpoint(jobId);
            if (latest != null && latest.path("trigger_timestamp").asLong() >= afterMillis) {
                out.set(latest);
                return true;
            }
            return false;
        });
        return out.get();
    }

    /**
     * Sum over every subtask of every vertex of the operator metric whose REST id ends with {@code .<name>}
     * (the REST API prefixes operator metrics with the operator's name); -1 while it is not reported.
     */
    long operatorMetricSum(String jobId, String name) {
        JsonNode job = tryGet("/jobs/" + jobId);
        if (job == null) {
            return -1;
        }
        long sum = 0;
        boolean found = false;
        for (JsonNode v : job.path("vertices")) {
            String vertex = "/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/subtasks/metrics";
            JsonNode available = tryGet(vertex);
            if (available == null) {
                continue;
            }
            for (JsonNode m : available) {
                String id = m.path("id").asText();
                if (id.endsWith("." + name)) {
                    JsonNode values = tryGet(vertex + "?get=" + id + "&agg=sum");
                    if (values != null && values.size() > 0) {
                        sum += (long) values.get(0).path("sum").asDouble();
                        found = true;
                    }
                }
            }
        }
        return found ? sum : -1;
    }

    /** The ids of the registered TaskManagers. */
    List<String> taskManagerIds() {
        List<String> out = new ArrayList<>();
        for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
            out.add(tm.path("id").asText());
        }
        return out;
    }

    /** GET /taskmanagers/{id}/metrics?get=...: the values of the named TaskManager metrics (missing ones left out). */
    Map<String, Long> taskManagerMetrics(String taskManagerId, List<String> names) {
        Map<String, Long> out = new LinkedHashMap<>();
        JsonNode values = tryGet("/taskmanagers/" + taskManagerId + "/metrics?get=" + String.join(",", names));
        if (values != null) {
            for (JsonNode m : values) {
                out.put(m.path("id").asText(), (long) Double.parseDouble(m.path("value").asText("0")));
            }
        }
        return out;
    }

    /** Root exception and history of a job, for failure messages. */
    String exceptions(String jobId) {
        JsonNode e = tryGet("/jobs/" + jobId + "/exceptions");
        return e == null ? "(no exception info)" : e.path("exceptionHistory").path("entries").toString();
    }

    JsonNode get(String path) {
        try {
            return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET().build(), "GET " + path);
        } catch (IOException e) {
            throw new AssertionError("GET " + path + ": " + e + "\n" + cluster.diagnostics(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** GET that returns null while the endpoint is not answering (process starting). */
    JsonNode tryGet(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private HttpRequest.Builder post(String path, Object body) throws IOException {
        return HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    }

    private JsonNode send(HttpRequest request, String what) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new AssertionError(what + ": HTTP " + r.statusCode() + " " + r.body() + "\n" + cluster.diagnostics());
        }
        return JSON.readTree(r.body());
    }

    /** Scrapes a Prometheus endpoint; returns the metric names (without labels) it exports. */
    static List<String> prometheusMetricNames(int port) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        List<String> names = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }
}
