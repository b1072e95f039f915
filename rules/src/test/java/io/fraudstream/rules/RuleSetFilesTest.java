package io.fraudstream.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.avro.RuleAction;
import io.fraudstream.avro.RuleDefinition;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.model.SigningKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleSetFilesTest {

    static final String FILE = """
            {"name":"bank-rules","version":7,"rules":[
              {"name":"night_online_big","priority":30,"action":"ALERT",
               "expression":"channel == 'ONLINE' && (hour >= 22 || hour < 5) && amount_zscore > 3.0",
               "enabled":true,"description":"night-time online outlier"},
              {"name":"trusted_utility","priority":50,"action":"SUPPRESS",
               "expression":"category == 'utilities' && amount < 300.0"}
            ]}
            """;

    @Test
    void parsesTheFileIntoAnUnsignedSetWithDefaults() throws Exception {
        RuleSet set = RuleSetFiles.parse(FILE, "bank.json");
        assertThat(set.getName()).isEqualTo("bank-rules");
        assertThat(set.getVersion()).isEqualTo(7L);
        assertThat(set.getSignature()).isNull();
        assertThat(set.getIssuedAt()).isEqualTo(Instant.EPOCH);
        assertThat(set.getIssuedBy()).isEmpty();
        assertThat(set.getRules()).hasSize(2);
        RuleDefinition first = set.getRules().get(0);
        assertThat(first.getName()).isEqualTo("night_online_big");
        assertThat(first.getPriority()).isEqualTo(30);
        assertThat(first.getAction()).isEqualTo(RuleAction.ALERT);
        assertThat(first.getExpression()).startsWith("channel == 'ONLINE'");
        assertThat(first.getDescription()).isEqualTo("night-time online outlier");
        RuleDefinition second = set.getRules().get(1);
        assertThat(second.getAction()).isEqualTo(RuleAction.SUPPRESS);
        assertThat(second.getEnabled()).isTrue(); // default
        assertThat(second.getDescription()).isEmpty(); // default
        // It is a usable candidate: it compiles with the job's compiler.
        assertThat(RuleSets.compile(set, new RuleCompiler()).size()).isEqualTo(2);

        RuleSet noVersion = RuleSetFiles.parse("{\"name\":\"x\",\"rules\":[]}", "f");
        assertThat(noVersion.getVersion()).isZero();
        assertThat(noVersion.getRules()).isEmpty();
    }

    @Test
    void roundTripsStablyWithoutTheSignature(@TempDir Path dir) throws Exception {
        RuleSet set = RuleSet.newBuilder(RuleSetFiles.parse(FILE, "bank.json"))
                .setIssuedBy("analyst@bank").setIssuedAt(Instant.parse("2026-12-05T06:00:00Z")).build();
        set.getRules().set(1, RuleDefinition.newBuilder(set.getRules().get(1)).setEnabled(false).build());
        RuleSet signed = RuleSetSigner.sign(set, SigningKeys.generate().getPrivate(), set.getIssuedAt());

        String json = RuleSetFiles.toJson(signed);
        assertThat(json).doesNotContain("signature").doesNotContain(signed.getSignature());
        assertThat(json.indexOf("\"name\"")).isLessThan(json.indexOf("\"version\""));
        assertThat(json.indexOf("\"version\"")).isLessThan(json.indexOf("\"rules\""));
        assertThat(json).contains("\n  "); // pretty

        Path file = dir.resolve("set.json");
        Files.writeString(file, json);
        RuleSet back = RuleSetFiles.read(file);
        assertThat(back).isEqualTo(RuleSet.newBuilder(signed).setSignature(null).build());
        assertThat(back.getRules().get(1).getEnabled()).isFalse();
        assertThat(RuleSetFiles.toJson(back)).isEqualTo(json); // stable
    }

    @Test
    void theExampleFilesInDocsParseAndCompile() throws Exception {
        Path docs = Path.of("..", "docs", "rules");
        List<Path> files;
        try (Stream<Path> s = Files.list(docs)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(3);
        for (Path f : files) {
            RuleSet set = RuleSetFiles.read(f);
            assertThat(RuleSets.compile(set, new RuleCompiler()).size()).as(f.toString()).isPositive();
        }
    }

    @Test
    void refusesEachMalformedFileNamingTheField() {
        refused("not json", "f.json: not valid JSON");
        refused("[1,2]", "a rule-set file is a JSON object");
        refused("{\"name\":\"x\",\"rules\":[]} trailing", "not valid JSON");
        refused("{\"name\":\"x\",\"name\":\"y\",\"rules\":[]}", "Duplicate field 'name'");
        refused("{\"rules\":[]}", "f.json: missing field 'name'");
        refused("{\"name\":\"x\"}", "missing field 'rules'");
        refused("{\"name\":\"x\",\"rules\":{}}", "field 'rules' must be an array");
        refused("{\"name\":\"x\",\"version\":-1,\"rules\":[]}", "field 'version' must be an integer >= 0");
        refused("{\"name\":\"x\",\"version\":\"7\",\"rules\":[]}", "field 'version' must be an integer >= 0");
        refused("{\"name\":\"x\",\"rules\":[],\"owner\":\"me\"}", "unknown rule set field 'owner'");
        refused("{\"name\":\"x\",\"rules\":[],\"signature\":\"AAAA\"}", "unknown rule set field 'signature'");
        refused("{\"name\":\"x\",\"rules\":[],\"issuedAt\":\"yesterday\"}", "field 'issuedAt'");

        refused(set("{\"priority\":1,\"action\":\"ALERT\",\"expression\":\"true\"}"),
                "f.json: rules[1]: missing field 'name'");
        refused(set("{\"name\":\"r\",\"action\":\"ALERT\",\"expression\":\"true\"}"),
                "rules[1] (r): missing field 'priority'");
        refused(set("{\"name\":\"r\",\"priority\":1,\"expression\":\"true\"}"),
                "rules[1] (r): missing field 'action'");
        refused(set("{\"name\":\"r\",\"priority\":1,\"action\":\"ALERT\"}"),
                "rules[1] (r): missing field 'expression'");
        refused(set("{\"name\":\"r\",\"priority\":1,\"action\":\"BLOCK\",\"expression\":\"true\"}"),
                "rules[1] (r): field 'action' must be one of [ALERT, BLOCK_RECOMMENDED, SUPPRESS, TAG], not 'BLOCK'");
        refused(set("{\"name\":\"r\",\"priority\":1.5,\"action\":\"ALERT\",\"expression\":\"true\"}"),
                "rules[1] (r): field 'priority' must be an int");
        refused(set("{\"name\":\"r\",\"priority\":1,\"action\":\"ALERT\",\"expression\":\"true\",\"when\":1}"),
                "rules[1] (r): unknown rule field 'when'");
        refused(set("{\"name\":\"r\",\"priority\":1,\"action\":\"ALERT\",\"expression\":\"true\",\"enabled\":\"yes\"}"),
                "rules[1] (r): field 'enabled' must be true or false");
        refused(set("{\"name\":\"r\",\"priority\":1,\"action\":\"ALERT\",\"expression\":true}"),
                "rules[1] (r): field 'expression' must be a string");
        refused(set("\"r\""), "rules[1] must be a JSON object");
    }

    private static String set(String secondRule) {
        return "{\"name\":\"x\",\"rules\":[{\"name\":\"ok\",\"priority\":9,\"action\":\"TAG\",\"expression\":\"true\"},"
                + secondRule + "]}";
    }

    private static void refused(String json, String message) {
        assertThatThrownBy(() -> RuleSetFiles.parse(json, "f.json"))
                .isInstanceOf(RuleSetFiles.FormatException.class)
                .hasMessageContaining(message);
    }
}
