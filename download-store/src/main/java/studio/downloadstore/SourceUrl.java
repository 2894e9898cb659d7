package studio.downloadstore;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;

/** Download sources are absolute http(s) URLs with a host; nothing else (file:, ftp:, jar:) is fetched. */
public final class SourceUrl {
  public static final int MAX_LENGTH = 4096;

  private SourceUrl() {
  }

  public static URI validate(String raw, String field) {
    if (raw == null || raw.isBlank()) {
      throw refuse(field, "is required");
    }
    if (raw.length() > MAX_LENGTH) {
      throw refuse(field, "must be at most " + MAX_LENGTH + " characters");
    }
    URI uri;
    try {
      uri = new URI(raw);
    } catch (URISyntaxException malformed) {
      throw refuse(field, "is not a valid URL: " + malformed.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw refuse(field, "only http and https URLs are downloaded, got \"" + (scheme.isEmpty() ? raw : scheme + ":") + "\"");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw refuse(field, "has no host");
    }
    return uri;
  }

  private static ContractException refuse(String field, String message) {
    return new ContractException(ErrorCode.INVALID_REQUEST, field, message);
  }
}
