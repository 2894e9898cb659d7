package studio.downloads.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The bytes of a file already on disk from an earlier attempt and the SHA-256 state after them, so
 * a resumed download verifies the whole file although it only fetches the rest. Reading it blocks:
 * call on a worker thread.
 */
record PartialFile(long length, MessageDigest digest) {

  static PartialFile readBlocking(Path partial, Long expectedSize) throws IOException {
    MessageDigest digest = sha256();
    if (!Files.isRegularFile(partial)) {
      return new PartialFile(0, digest);
    }
    long length = Files.size(partial);
    if (expectedSize != null && length > expectedSize) {
      Files.delete(partial);
      return new PartialFile(0, digest);
    }
    byte[] buffer = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(partial)) {
      long remaining = length;
      int read;
      while (remaining > 0 && (read = in.read(buffer, 0, (int) Math.min(buffer.length, remaining))) > 0) {
        digest.update(buffer, 0, read);
        remaining -= read;
      }
    }
    return new PartialFile(length, digest);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("every JVM has SHA-256", impossible);
    }
  }
}
