package io.fraudstream.clusterit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The provisioned Grafana dashboard (deploy/grafana/dashboards/fraudstream.json): its panels and PromQL. */
record GrafanaDashboard(JsonNode root) {

    /** Flink's Prometheus metric names: flink_<scope>_<name>, as the reporter exports them. */
    private static final Pattern METRIC = Pattern.compile("\\bflink_[A-Za-z0-9_]+");

    static Path defaultPath() {
        return Repo.root().resolve("deploy/grafana/dashboards/fraudstream.json");
    }

    static GrafanaDashboard load(Path file) throws IOException {
        return new GrafanaDashboard(new ObjectMapper().readTree(file.toFile()));
    }

    /** Every panel (rows' nested panels included). */
    List<JsonNode> panels() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : root.path("panels")) {
            out.add(p);
            p.path("panels").forEach(out::add);
        }
        return out;
    }

    /** Every PromQL expression of every panel target. */
    List<String> expressions() {
        List<String> out = new ArrayList<>();
        for (JsonNode p : panels()) {
            for (JsonNode t : p.path("targets")) {
                if (t.has("expr")) {
                    out.add(t.path("expr").asText());
                }
            }
        }
        return out;
    }

    /** The metric names the expressions query. */
    Set<String> metricNames() {
        Set<String> out = new TreeSet<>();
        for (String expr : expressions()) {
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                out.add(m.group());
            }
        }
        return out;
    }
}
