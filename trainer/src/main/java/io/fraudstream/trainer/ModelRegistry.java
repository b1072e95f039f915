package io.fraudstream.trainer;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.model.DecisionSigner;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelLoader;
import io.fraudstream.model.ModelRejectedException;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.ModelVersions;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fraudstream.schemas.AvroJson;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's record of which model plays which role, next to the {@link ModelStore} it describes:
 *
 * <pre>
 * &lt;store&gt;/&lt;version&gt;.bundle                      signed bundles (ModelStore)
 * &lt;store&gt;/registry/state.properties              champion, shadow, shadowSince, previousChampions, lastIssuedAt
 * &lt;store&gt;/registry/descriptors/&lt;version&gt;.&lt;ROLE&gt;.json  every descriptor issued (Avro JSON, AvroJson)
 * &lt;store&gt;/registry/decisions.log                one JSON object per decision, with its figures
 * </pre>
 *
 * Every descriptor issued carries a decision signed with the model-signing key ({@link DecisionSigner}), issued
 * strictly after the previous one, is written as a file and sent to the {@link DescriptorSink} (the {@code model-updates}
 * topic) before the state changes. Every model it hands out was loaded through {@link ModelLoader} (digest and
 * signature verified). The job refuses a champion that is not newer than its current one, so a rollback of a
 * champion re-publishes the previous champion's model under a new version ({@link #restorePreviousChampion}).
 *
 * <p>Single writer: run one trainer per store (a cron job or the loop, not both).
 */
public final class ModelRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
    private static final String CHAMPION = "champion";
    private static final String SHADOW = "shadow";
    /** Decision lines: one compact JSON object each. */
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHADOW_SINCE = "shadowSince";
    private static final String PREVIOUS = "previousChampions";
    /** Issued-at of the last decision issued: the next one is issued strictly later. */
    private static final String LAST_ISSUED = "lastIssuedAt";

    private final ModelStore store;
    private final KeyPair keys;
    private final DescriptorSink sink;
    private final Clock clock;
    private final ModelLoader loader;
    private final Path dir;

    public ModelRegistry(ModelStore store, KeyPair keys, DescriptorSink sink, Clock clock) throws IOException {
        this.store = store;
        this.keys = keys;
        this.sink = sink;
        this.clock = clock;
        this.loader = ModelLoader.builder(store, keys.getPublic()).build();
        this.dir = store.root().resolve("registry");
        Files.createDirectories(dir.resolve("descriptors"));
    }

    public ModelStore store() { return store; }

    public Optional<ModelDescriptor> champion() throws IOException {
        return descriptor(state().getProperty(CHAMPION), ModelRole.CHAMPION);
    }

    public Optional<ModelDescriptor> shadow() throws IOException {
        return descriptor(state().getProperty(SHADOW), ModelRole.SHADOW);
    }

    public Optional<Instant> shadowSince() throws IOException {
        String s = state().getProperty(SHADOW_SINCE);
        return s == null || s.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(s));
    }

    /** Loads and verifies the bundle a descriptor names (digest, signature, bundle validity, version). */
    public FraudModel load(ModelDescriptor d) throws ModelRejectedException {
        return loader.load(d);
    }

    /**
     * Publishes {@code model} as the shadow (signed bundle, SHADOW descriptor). A shadow still pending is retired
     * first (superseded): the job scores one shadow at a time.
     */
    public ModelDescriptor deployShadow(FraudModel model, Map<String, Object> figures) throws Exception {
        Optional<ModelDescriptor> pending = shadow();
        if (pending.isPresent()) {
            retireShadow("superseded by " + model.version(), Map.of());
        }
        ModelDescriptor d = store.publish(model, ModelRole.SHADOW, keys.getPrivate());
        d = issue(d);
        Properties s = state();
        s.setProperty(SHADOW, d.getModelVersion());
        s.setProperty(SHADOW_SINCE, clock.instant().toString());
        saveState(s);
        decision("SHADOW", d.getModelVersion(), "published as shadow", figures);
        return d;
    }

    /**
     * Makes {@code version} (a bundle in the store, issued before by this registry) the champion, after loading
     * and verifying it. Refuses a version that is not newer than the current champion (the job would ignore it).
     */
    public ModelDescriptor promote(String version, String why, Map<String, Object> figures) throws Exception {
        ModelVersions.requireValid(version);
        ModelDescriptor known = anyDescriptorOf(version).orElseThrow(() -> new IllegalArgumentException(
                "no descriptor of model " + version + " in " + dir + " (train or publish it first)"));
        Optional<ModelDescriptor> current = champion();
        if (current.isPresent() && !ModelVersions.isNewer(version, current.get().getModelVersion())) {
            throw new IllegalArgumentException("model " + version + " is not newer than the champion "
                    + current.get().getModelVersion() + "; the job ignores older champions (use rollback)");
        }
        load(known); // verified before anyone is told to use it
        ModelDescriptor d = ModelDescriptor.newBuilder(known).setRole(ModelRole.CHAMPION).build();
        d = issue(d);
        Properties s = state();
        current.ifPresent(c -> s.setProperty(PREVIOUS, append(s.getProperty(PREVIOUS), c.getModelVersion())));
        s.setProperty(CHAMPION, version);
        if (version.equals(s.getProperty(SHADOW))) {
            s.remove(SHADOW);
            s.remove(SHADOW_SINCE);
        }
        saveState(s);
        decision("PROMOTE", version, why, figures);
        return d;
    }

    /** Withdraws the pending shadow (RETIRED descriptor); empty when there is none. */
    public Optional<ModelDescriptor> retireShadow(String why, Map<String, Object> figures) throws Exception {
        Optional<ModelDescriptor> shadow = shadow();
        if (shadow.isEmpty()) {
            return Optional.empty();
        }
        ModelDescriptor d = ModelDescriptor.newBuilder(shadow.get()).setRole(ModelRole.RETIRED).build();
        d = issue(d);
        Properties s = state();
        s.remove(SHADOW);
        s.remove(SHADOW_SINCE);
        saveState(s);
        decision("ROLLBACK", d.getModelVersion(), why, figures);
        return Optional.of(d);
    }

    /**
     * Rolls the champion back: the previous champion's model, verified, re-published under {@code newVersion}
     * (newer than the current champion, so the job takes it; its extractor weights keep their version, the name
     * of those weights). Empty when there is no previous champion.
     */
    public Optional<ModelDescriptor> restorePreviousChampion(String newVersion, String why) throws Exception {
        Properties s = state();
        List<String> previous = split(s.getProperty(PREVIOUS));
        Optional<ModelDescriptor> current = champion();
        if (previous.isEmpty() || current.isEmpty()) {
            return Optional.empty();
        }
        String back = previous.get(previous.size() - 1);
        ModelDescriptor old = anyDescriptorOf(back).orElseThrow(() -> new IOException("descriptor of previous"
                + " champion " + back + " is missing from " + dir));
        FraudModel model = load(old);
        Map<String, String> props = new LinkedHashMap<>(model.properties());
        props.put("restoredFrom", back);
        FraudModel restored = model.toBuilder().version(newVersion).createdAt(clock.instant()).properties(props)
                .build();
        ModelDescriptor d = store.publish(restored, ModelRole.CHAMPION, keys.getPrivate());
        d = issue(d);
        s.setProperty(LAST_ISSUED, d.getIssuedAt().toString()); // s was read before issue() advanced it
        previous.remove(previous.size() - 1);
        s.setProperty(PREVIOUS, String.join(",", previous));
        s.setProperty(CHAMPION, newVersion);
        saveState(s);
        decision("ROLLBACK_CHAMPION", newVersion, why + " (restores " + back + ", replacing "
                + current.get().getModelVersion() + ")", Map.of());
        return Optional.of(d);
    }

    /** What {@link #rollback} did: retired the shadow, restored the previous champion, or nothing to roll back. */
    public record Rollback(String action, Optional<ModelDescriptor> descriptor) {}

    /**
     * The rollback of {@code trainer rollback} and of the console's model page: retires the pending shadow if there is
     * one, otherwise restores the previous champion (re-published as {@code <now>-restored}); action NOTHING when
     * there is neither.
     */
    public Rollback rollback(String why) throws Exception {
        Optional<ModelDescriptor> retired = retireShadow(why, Map.of());
        if (retired.isPresent()) {
            return new Rollback("RETIRED_SHADOW", retired);
        }
        String version = ModelCycle.VERSION_TIME.format(clock.instant()) + "-restored";
        Optional<ModelDescriptor> restored = restorePreviousChampion(version, why);
        return new Rollback(restored.isPresent() ? "RESTORED_CHAMPION" : "NOTHING", restored);
    }

    /** Appends a decision line (also logged); figures are numbers or strings. */
    public void decision(String action, String version, String why, Map<String, Object> figures) throws IOException {
        ObjectNode json = JSON.createObjectNode().put("time", clock.instant().toString()).put("action", action)
                .put("version", version).put("why", why);
        ObjectNode numbers = json.putObject("figures"); // numbers stay numbers, the rest strings
        for (Map.Entry<String, Object> e : figures.entrySet()) {
            Object v = e.getValue();
            if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
                numbers.set(e.getKey(), JSON.valueToTree(n));
            } else {
                numbers.put(e.getKey(), String.valueOf(v));
            }
        }
        String line = JSON.writeValueAsString(json) + "\n";
        Files.writeString(dir.resolve("decisions.log"), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        LOG.info("Decision {} {}: {} {}", action, version, why, figures);
    }

    /** The decisions so far, one JSON line each. */
    public List<String> decisions() throws IOException {
        Path f = dir.resolve("decisions.log");
        return Files.exists(f) ? Files.readAllLines(f, StandardCharsets.UTF_8) : List.of();
    }

    /**
     * Signs the decision ({@link DecisionSigner}; issued-at strictly after the previous decision this registry issued,
     * so the job's replay check never refuses a genuine successor issued within the same millisecond or under a
     * fixed test clock), writes it and sends it. Returns the signed descriptor.
     */
    private ModelDescriptor issue(ModelDescriptor unsigned) throws Exception {
        Properties s = state();
        Instant now = clock.instant();
        String last = s.getProperty(LAST_ISSUED);
        if (last != null && !last.isEmpty() && !now.isAfter(Instant.parse(last))) {
            now = Instant.parse(last).plusMillis(1);
        }
        ModelDescriptor d = DecisionSigner.sign(unsigned, keys.getPrivate(), now);
        s.setProperty(LAST_ISSUED, d.getIssuedAt().toString());
        saveState(s);
        AvroJson.write(d, dir.resolve("descriptors").resolve(d.getModelVersion() + "." + d.getRole() + ".json"));
        sink.send(d);
        LOG.info("Issued {} descriptor of {} ({}; sha256 {}; issued at {})", d.getRole(), d.getModelVersion(), sink,
                d.getSha256(), d.getIssuedAt());
        return d;
    }

    private Optional<ModelDescriptor> descriptor(String version, ModelRole preferred) throws IOException {
        if (version == null || version.isEmpty()) {
            return Optional.empty();
        }
        Path f = dir.resolve("descriptors").resolve(version + "." + preferred + ".json");
        if (Files.exists(f)) {
            return Optional.of(AvroJson.read(ModelDescriptor.class, f));
        }
        return anyDescriptorOf(version).map(d -> ModelDescriptor.newBuilder(d).setRole(preferred).build());
    }

    private Optional<ModelDescriptor> anyDescriptorOf(String version) throws IOException {
        for (ModelRole r : new ModelRole[] {ModelRole.CHAMPION, ModelRole.SHADOW, ModelRole.RETIRED}) {
            Path f = dir.resolve("descriptors").resolve(version + "." + r + ".json");
            if (Files.exists(f)) {
                return Optional.of(AvroJson.read(ModelDescriptor.class, f));
            }
        }
        return Optional.empty();
    }

    private Properties state() throws IOException {
        Properties p = new Properties();
        Path f = dir.resolve("state.properties");
        if (Files.exists(f)) {
            try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                p.load(r);
            }
        }
        return p;
    }

    private void saveState(Properties p) throws IOException {
        Path tmp = dir.resolve("state.properties.tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "fraudstream trainer registry; written by the trainer, do not edit while it runs");
        }
        Files.move(tmp, dir.resolve("state.properties"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private static String append(String list, String v) {
        return list == null || list.isEmpty() ? v : list + "," + v;
    }

    private static List<String> split(String list) {
        return list == null || list.isEmpty() ? new ArrayList<>() : new ArrayList<>(Arrays.asList(list.split(",")));
    }
}
