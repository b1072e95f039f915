// Model bootstrap for a fresh deployment (compose service "model-bootstrap", deploy/local-cluster.sh):
//   java -cp <trainer + its dependencies> deploy/compose/ModelBootstrap.java --keys DIR --store DIR [--seed N]
// Creates (once) the Ed25519 signing keys in --keys, the deterministic bootstrap model signed into the model
// store, the champion descriptor <store>/champion.json (the job's model.initial-descriptor) and a copy of the
// public key at <store>/trust/model-signing.pub (the job's model.public-key). The private key never leaves
// --keys. Idempotent: exits 0 without changes when the descriptor and the public key exist.
// A single-file program (java runs the source): deployment glue, not part of any module's API.

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.trainer.bootstrap.BootstrapModel;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.schemas.AvroJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.HashMap;
import java.util.Map;

public class ModelBootstrap {

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                fail("expected --keys DIR --store DIR [--seed N], got " + String.join(" ", args));
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        if (!options.keySet().stream().allMatch(k -> k.equals("keys") || k.equals("store") || k.equals("seed"))
                || !options.containsKey("keys") || !options.containsKey("store")) {
            fail("expected --keys DIR --store DIR [--seed N], got " + String.join(" ", args));
        }
        Path keysDir = Path.of(options.get("keys"));
        Path storeDir = Path.of(options.get("store"));
        long seed = Long.parseLong(options.getOrDefault("seed", "42"));
        Path descriptorFile = storeDir.resolve("champion.json");
        Path trustedKey = storeDir.resolve("trust").resolve(SigningKeys.PUBLIC_KEY_FILE);

        KeyPair keys = SigningKeys.loadOrCreate(keysDir);
        if (Files.exists(descriptorFile) && Files.exists(trustedKey)) {
            System.out.println("model-bootstrap: " + descriptorFile + " and " + trustedKey + " exist; nothing to do");
            return;
        }
        long t0 = System.nanoTime();
        FraudModel model = BootstrapModel.create(seed);
        ModelDescriptor champion = new ModelStore(Files.createDirectories(storeDir))
                .publish(model, ModelRole.CHAMPION, keys.getPrivate());
        Files.createDirectories(trustedKey.getParent());
        SigningKeys.writePublicKey(keys.getPublic(), trustedKey);
        AvroJson.write(champion, descriptorFile);
        System.out.printf("model-bootstrap: %s (threshold %.4f) signed into %s in %d ms; descriptor %s, public key %s%n",
                model.version(), model.threshold(), storeDir, (System.nanoTime() - t0) / 1_000_000, descriptorFile, trustedKey);
    }

    private static void fail(String message) {
        System.err.println("model-bootstrap: " + message);
        System.exit(2);
    }
}
