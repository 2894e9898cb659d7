package studio.downloadstore;

import java.util.Arrays;
import java.util.Locale;

/** Where a download job stands; a terminal status never changes again. */
public enum DownloadStatus {
  QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean terminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  public static DownloadStatus fromWire(String wire) {
    return Arrays.stream(values()).filter(status -> status.wire().equals(wire)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown download status " + wire));
  }
}
