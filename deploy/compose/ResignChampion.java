// Model-signing key rotation: re-signs a published model with a new key, without changing the model.
//   java -cp <model + its dependencies> deploy/compose/ResignChampion.java --store DIR --descriptor FILE \
//        --old-public-key FILE --new-keys DIR --out FILE
// Loads the bundle the descriptor names and verifies it with the OLD public key (digest, signature, bundle),
// then publishes the same bundle (same version, same bytes) signed with the key pair in --new-keys (created
// there if absent) and writes the new descriptor to --out (which may be --descriptor itself, e.g. the trainer
// registry's <store>/registry/descriptors/<version>.CHAMPION.json). The new public key is copied next to --out
// as model-signing.pub.new. A job restarted with model.public-key = the new key and model.initial-descriptor =
// --out scores with the same model (docs/DEPLOYMENT.md, "Rotate model-signing keys").
// A single-file program (java runs the source): deployment glue, not part of any module's API.

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelLoader;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.schemas.AvroJson;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

public class ResignChampion {

    public static void main(String[] args) throws Exception {
        Set<String> required = Set.of("store", "descriptor", "old-public-key", "new-keys", "out");
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        if (args.length % 2 != 0 || !o.keySet().equals(required)) {
            System.err.println("usage: ResignChampion --store DIR --descriptor FILE --old-public-key FILE --new-keys DIR --out FILE");
            System.exit(2);
        }
        ModelStore store = new ModelStore(Path.of(o.get("store")));
        ModelDescriptor old = AvroJson.read(ModelDescriptor.class, Path.of(o.get("descriptor")));
        FraudModel model = ModelLoader.builder(store, SigningKeys.loadPublicKey(Path.of(o.get("old-public-key"))))
                .build().load(old);
        KeyPair next = SigningKeys.loadOrCreate(Path.of(o.get("new-keys")));
        ModelDescriptor resigned = store.publish(model, old.getRole(), next.getPrivate());
        Path out = Path.of(o.get("out")).toAbsolutePath();
        AvroJson.write(resigned, out);
        Path publicKey = out.resolveSibling(SigningKeys.PUBLIC_KEY_FILE + ".new");
        SigningKeys.writePublicKey(next.getPublic(), publicKey);
        System.out.printf("resign: %s (%s) re-signed with the key in %s; descriptor %s, public key %s%n",
                resigned.getModelVersion(), resigned.getRole(), o.get("new-keys"), out, publicKey);
    }
}
