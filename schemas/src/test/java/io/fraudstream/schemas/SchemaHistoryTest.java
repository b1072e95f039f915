package io.fraudstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

/**
 * Guards the released-schema history: the schema the code writes today must be released (a changed
 * {@code .avsc} needs a new {@code v<N>.avsc}), and today's readers must read every released writer.
 */
class SchemaHistoryTest {

    @Test
    void everyTopicValueTypeHasItsCurrentSchemaReleased() {
        for (Topics.Topic<?> topic : Topics.ALL) {
            Schema current = SpecificData.get().getSchema(topic.valueType());
            List<Schema> released = SchemaHistory.releasedVersions(topic.valueType().getSimpleName());
            assertThat(released).as("released versions of %s", topic.valueType().getSimpleName()).isNotEmpty();
            Schema latest = released.get(released.size() - 1);
            assertThat(SchemaNormalization.parsingFingerprint64(latest))
                    .as("%s changed: add it as v%d.avsc under avro-history/%s", topic.valueType().getSimpleName(),
                            released.size() + 1, topic.valueType().getSimpleName())
                    .isEqualTo(SchemaNormalization.parsingFingerprint64(current));
        }
    }

    @Test
    void currentReadersCanReadEveryReleasedWriter() {
        for (Topics.Topic<?> topic : Topics.ALL) {
            Schema reader = SpecificData.get().getSchema(topic.valueType());
            for (Schema writer : SchemaHistory.releasedVersions(topic.valueType().getSimpleName())) {
                assertThat(SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType())
                        .as("%s reading a released writer", topic.valueType().getSimpleName())
                        .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
            }
        }
    }

    @Test
    void topicNamesAreUnique() {
        assertThat(Topics.ALL.stream().map(Topics.Topic::name)).doesNotHaveDuplicates();
    }
}
