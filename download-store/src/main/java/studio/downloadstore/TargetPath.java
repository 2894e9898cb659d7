package studio.downloadstore;

import java.util.Arrays;
import java.util.regex.Pattern;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;

/**
 * The lexical rules for a download target: a relative path of plain segments that cannot leave the
 * workspace. Symlinks inside the workspace are checked by the download service when it writes.
 */
public final class TargetPath {
  public static final int MAX_LENGTH = 1024;
  /** Where the download service keeps partial files; no job may write there. */
  public static final String RESERVED_DIR = ".studio-downloads";
  private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x1f\\x7f]");

  private TargetPath() {
  }

  /** The path with {@code .} segments and repeated slashes removed, or {@code invalid_request} naming the field. */
  public static String validate(String raw, String field) {
    if (raw == null || raw.isBlank()) {
      throw refuse(field, "is required");
    }
    if (raw.length() > MAX_LENGTH) {
      throw refuse(field, "must be at most " + MAX_LENGTH + " characters");
    }
    if (CONTROL.matcher(raw).find() || raw.indexOf('\\') >= 0) {
      throw refuse(field, "must not contain control characters or backslashes");
    }
    if (raw.startsWith("/") || raw.startsWith("~") || raw.matches("^[A-Za-z]:.*")) {
      throw refuse(field, "must be relative to the download workspace, got the absolute path \"" + raw + "\"");
    }
    String[] segments = Arrays.stream(raw.split("/")).filter(s -> !s.isEmpty() && !s.equals(".")).toArray(String[]::new);
    if (segments.length == 0) {
      throw refuse(field, "names no file");
    }
    if (Arrays.asList(segments).contains("..")) {
      throw refuse(field, "must stay inside the download workspace (\"..\" is not allowed)");
    }
    if (segments[0].equals(RESERVED_DIR)) {
      throw refuse(field, RESERVED_DIR + " is reserved for partial downloads");
    }
    return String.join("/", segments);
  }

  /** Joins a validated directory and a relative name, validating the result. */
  public static String join(String dir, String name, String field) {
    return validate(dir == null || dir.isEmpty() ? name : dir + "/" + name, field);
  }

  private static ContractException refuse(String field, String message) {
    return new ContractException(ErrorCode.INVALID_REQUEST, field, message);
  }
}
