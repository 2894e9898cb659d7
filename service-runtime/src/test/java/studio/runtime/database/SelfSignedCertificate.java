package studio.runtime.database;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Key;
import java.security.KeyStore;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway RSA key and self-signed certificate for {@code localhost} / {@code 127.0.0.1}, made by
 * the JDK's keytool (always there beside the JVM running the tests) and written as PEM files, the
 * form PostgreSQL reads.
 */
record SelfSignedCertificate(Path certificate, Path privateKey) {
  private static final String PASSWORD = "throwaway";

  static SelfSignedCertificate create(Path directory, String name) throws Exception {
    Path store = directory.resolve(name + ".p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
        "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD)
        .redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, PASSWORD.toCharArray());
    }
    Key key = keys.getKey(name, PASSWORD.toCharArray());
    Path certificate = write(directory.resolve(name + ".crt"), "CERTIFICATE", keys.getCertificate(name).getEncoded());
    Path privateKey = write(directory.resolve(name + ".key"), "PRIVATE KEY", key.getEncoded());
    // PostgreSQL refuses a key file others may read.
    Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
    return new SelfSignedCertificate(certificate, privateKey);
  }

  private static Path write(Path file, String type, byte[] der) throws IOException {
    String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return Files.writeString(file, "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n");
  }
}
