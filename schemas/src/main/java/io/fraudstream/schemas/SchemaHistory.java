package io.fraudstream.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Every released version of every wire schema, kept as frozen, self-contained {@code .avsc} files
 * under {@code avro-history/<Record>/v<N>.avsc} on the classpath.
 *
 * <p>Readers register all of them so a record written by any released producer still decodes
 * (Avro schema resolution from the writer's version to the reader's). Releasing a schema change
 * means adding the next {@code v<N>.avsc}; {@code SchemaHistoryTest} fails until that is done.
 */
public final class SchemaHistory {

    static final String ROOT = "/avro-history/";

    private SchemaHistory() {}

    /** Released versions of the record named {@code simpleName}, oldest first (v1, v2, ...). */
    public static List<Schema> releasedVersions(String simpleName) {
        List<Schema> versions = new ArrayList<>();
        for (int v = 1; ; v++) {
            String path = ROOT + simpleName + "/v" + v + ".avsc";
            try (InputStream in = SchemaHistory.class.getResourceAsStream(path)) {
                if (in == null) {
                    return versions;
                }
                versions.add(new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read released schema " + path, e);
            }
        }
    }
}
