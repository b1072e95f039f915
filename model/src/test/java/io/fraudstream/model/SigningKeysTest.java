package io.fraudstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeysTest {
    @TempDir
    Path tmp;

    @Test
    void generatesOnFirstUseThenLoadsTheSamePair() throws Exception {
        Path dir = tmp.resolve("keys");
        KeyPair first = SigningKeys.loadOrCreate(dir);
        KeyPair second = SigningKeys.loadOrCreate(dir);

        assertThat(second.getPublic().getEncoded()).isEqualTo(first.getPublic().getEncoded());
        assertThat(second.getPrivate().getEncoded()).isEqualTo(first.getPrivate().getEncoded());
        Path priv = dir.resolve(SigningKeys.PRIVATE_KEY_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(priv))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(Files.readString(priv, StandardCharsets.US_ASCII)).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(Files.readString(dir.resolve(SigningKeys.PUBLIC_KEY_FILE), StandardCharsets.US_ASCII))
                .startsWith("-----BEGIN PUBLIC KEY-----\n");
        assertThat(SigningKeys.loadPublicKey(dir.resolve(SigningKeys.PUBLIC_KEY_FILE)).getEncoded())
                .isEqualTo(first.getPublic().getEncoded());

        byte[] data = "bundle".getBytes(StandardCharsets.UTF_8);
        BundleSignature sig = new BundleSigner(second.getPrivate()).sign(data);
        assertThat(BundleSigner.verify(data, sig.signatureBase64(), first.getPublic())).isTrue();
        // echo -n bundle | sha256sum
        assertThat(sig.sha256Hex()).isEqualTo("1e6ed65d77d6364eeaed5a745ba5c4985ae2b700dd85d7cf7f027bdf294a33fc");
    }

    @Test
    void aDirectoryWithHalfAPairIsAnError() throws Exception {
        Path dir = tmp.resolve("half");
        SigningKeys.loadOrCreate(dir);
        Files.delete(dir.resolve(SigningKeys.PRIVATE_KEY_FILE));
        assertThatThrownBy(() -> SigningKeys.loadOrCreate(dir)).hasMessageContaining("holds only");
    }

    @Test
    void signaturesFromAnotherKeyOrGarbageDoNotVerify() {
        KeyPair a = SigningKeys.generate();
        KeyPair b = SigningKeys.generate();
        byte[] data = {1, 2, 3};
        String sig = new BundleSigner(a.getPrivate()).sign(data).signatureBase64();
        assertThat(BundleSigner.verify(data, sig, a.getPublic())).isTrue();
        assertThat(BundleSigner.verify(data, sig, b.getPublic())).isFalse();
        assertThat(BundleSigner.verify(new byte[] {1, 2, 4}, sig, a.getPublic())).isFalse();
        assertThat(BundleSigner.verify(data, "not base64!", a.getPublic())).isFalse();
        assertThat(BundleSigner.verify(data, "AAAA", a.getPublic())).isFalse();
    }
}
