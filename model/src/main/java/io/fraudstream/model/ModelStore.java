package io.fraudstream.model;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.model.ModelRejectedException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A directory of model bundles, one file per version: {@code <root>/<version>.bundle}. Bundles are immutable
 * once published: publishing a version again is a no-op with the same bytes and an error with different ones.
 *
 * <p>Descriptor locations are relative to the root. {@link #resolve} refuses absolute paths, {@code ..}
 * elements, and anything that resolves (through symlinks) outside the root, so that a descriptor from Kafka
 * can never make the job read an arbitrary file. This is a guard in depth: what makes a bundle trustworthy is
 * its signature, which {@link ModelLoader} checks.
 *
 * <p>Thread-safe (stateless apart from the root path).
 */
public final class ModelStore {
    private final Path root;

    /** Opens (and creates, if needed) the store directory. */
    public ModelStore(Path root) throws IOException {
        Files.createDirectories(root);
        this.root = root.toRealPath();
    }

    /** The store's real (symlink-free, absolute) directory. */
    public Path root() {
        return root;
    }

    /** The location a version is published under: {@code <version>.bundle}. */
    public static String locationOf(String version) {
        return ModelVersions.requireValid(version) + ModelBundles.EXTENSION;
    }

    /**
     * Writes the model's bundle as {@code <version>.bundle} (temp file, fsync, then an atomic no-replace link),
     * signs it and returns the descriptor to put on {@code model-updates}, its decision ({@code role}, issued now) signed
     * with the same key ({@link DecisionSigner}).
     */
    public ModelDescriptor publish(FraudModel model, ModelRole role, PrivateKey signingKey) throws IOException {
        Objects.requireNonNull(role, "role");
        byte[] bundle = ModelBundles.toBytes(model);
        BundleSignature sig = new BundleSigner(signingKey).sign(bundle);
        String location = locationOf(model.version());
        Path target = root.resolve(location);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            requireSameContent(target, bundle, model.version());
        } else {
            Path tmp = Files.createTempFile(root, "." + location, ".tmp");
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ByteBuffer buf = ByteBuffer.wrap(bundle);
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                    ch.force(true);
                }
                placeWithoutReplacing(tmp, target);
            } catch (FileAlreadyExistsException e) {
                requireSameContent(target, bundle, model.version()); // a concurrent publisher of the same version
            } finally {
                Files.deleteIfExists(tmp);
            }
            syncDirectory();
        }
        ModelDescriptor descriptor = ModelDescriptor.newBuilder()
                .setModelVersion(model.version())
                .setLocation(location)
                .setSha256(sig.sha256Hex())
                .setSignature(sig.signatureBase64())
                .setRole(role)
                .setCreatedAt(model.createdAt())
                .build();
        return DecisionSigner.sign(descriptor, signingKey, Instant.now());
    }

    private static void placeWithoutReplacing(Path tmp, Path target) throws IOException {
        try {
            Files.createLink(target, tmp); // atomic and fails if the target exists
        } catch (UnsupportedOperationException e) {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(target.toString());
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static void requireSameContent(Path target, byte[] bundle, String version) throws IOException {
        if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)
                || !Arrays.equals(Files.readAllBytes(target), bundle)) {
            throw new IOException("model version " + version + " is already published in " + target
                    + " with different content; bundles are immutable, publish a new version");
        }
    }

    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(root, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Not every file system lets a directory be opened; the rename is still atomic.
        }
    }

    /**
     * The file a descriptor location names, refusing with {@link Reason#PATH_TRAVERSAL} a location that is
     * empty, absolute, contains {@code ..}, a backslash or a control character, or resolves outside the root
     * (also through a symlink, when the file exists).
     */
    public Path resolve(String location) throws ModelRejectedException {
        if (location == null || location.isEmpty()) {
            throw traversal(location, "empty location");
        }
        for (int i = 0; i < location.length(); i++) {
            char c = location.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\') {
                throw traversal(location, "control character or backslash in location");
            }
        }
        Path relative;
        try {
            relative = root.getFileSystem().getPath(location);
        } catch (InvalidPathException e) {
            throw traversal(location, "not a valid path");
        }
        if (relative.isAbsolute() || location.startsWith("/")) {
            throw traversal(location, "absolute paths are refused, locations are relative to the store");
        }
        for (Path element : relative) {
            if (element.toString().equals("..")) {
                throw traversal(location, "'..' is refused");
            }
        }
        Path resolved = root.resolve(relative).normalize();
        if (!resolved.startsWith(root) || resolved.equals(root)) {
            throw traversal(location, "resolves outside the store");
        }
        if (Files.exists(resolved, LinkOption.NOFOLLOW_LINKS)) {
            Path real;
            try {
                real = resolved.toRealPath();
            } catch (IOException e) {
                throw traversal(location, "cannot be resolved (dangling symlink?)");
            }
            if (!real.startsWith(root)) {
                throw traversal(location, "is a symlink to a file outside the store");
            }
            return real;
        }
        return resolved;
    }

    /**
     * The bytes at {@code location}: refused with PATH_TRAVERSAL (see {@link #resolve}), MISSING (no regular
     * file) or TOO_LARGE (larger than {@code maxBytes}, checked before reading and while reading).
     */
    public byte[] read(String location, long maxBytes) throws ModelRejectedException {
        Path file = resolve(location);
        if (!Files.isRegularFile(file)) {
            throw new ModelRejectedException(Reason.MISSING, "no bundle file at '" + ModelVersions.printable(location)
                    + "' in " + root);
        }
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw tooLarge(location, size, maxBytes);
            }
            try (InputStream in = Files.newInputStream(file)) {
                byte[] bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
                if (bytes.length > maxBytes) {
                    throw tooLarge(location, bytes.length, maxBytes); // it grew after the size check
                }
                return bytes;
            }
        } catch (IOException e) {
            throw new ModelRejectedException(Reason.MISSING, "cannot read '" + ModelVersions.printable(location)
                    + "': " + e.getMessage(), e);
        }
    }

    /** Versions with a bundle in the store, oldest first ({@link ModelVersions#ORDER}). */
    public List<String> versions() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(root)) {
            files.forEach(p -> {
                String name = p.getFileName().toString();
                if (name.endsWith(ModelBundles.EXTENSION) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    String v = name.substring(0, name.length() - ModelBundles.EXTENSION.length());
                    if (ModelVersions.isValid(v)) {
                        out.add(v);
                    }
                }
            });
        }
        out.sort(ModelVersions.ORDER);
        return out;
    }

    private static ModelRejectedException tooLarge(String location, long size, long max) {
        return new ModelRejectedException(Reason.TOO_LARGE, "bundle '" + ModelVersions.printable(location) + "' has "
                + size + " bytes, the limit is " + max);
    }

    private ModelRejectedException traversal(String location, String why) {
        return new ModelRejectedException(Reason.PATH_TRAVERSAL, "location '"
                + (location == null ? "null" : ModelVersions.printable(location)) + "' refused: " + why
                + " (store " + root + ")");
    }

    @Override
    public String toString() {
        return "ModelStore{" + root + "}";
    }
}
