package studio.downloads.huggingface;

import java.util.regex.Pattern;

/**
 * A file pattern as huggingface_hub's {@code allow_patterns} reads it (Python {@code fnmatch}):
 * {@code *} matches any run of characters including {@code /}, {@code ?} one character,
 * {@code [abc]} / {@code [!abc]} a class. So {@code *.json} matches {@code config.json} and
 * {@code sub/config.json}; a pattern ending in {@code /} matches everything below that directory.
 */
final class GlobPattern {
  private final Pattern regex;

  GlobPattern(String glob) {
    String pattern = glob.endsWith("/") ? glob + "*" : glob;
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      int close = c == '[' ? pattern.indexOf(']', i + 2) : -1;
      if (c == '*') {
        out.append(".*");
      } else if (c == '?') {
        out.append('.');
      } else if (close > 0) {
        String body = pattern.substring(i + 1, close);
        boolean negated = body.startsWith("!");
        out.append('[').append(negated ? "^" : "");
        for (char member : (negated ? body.substring(1) : body).toCharArray()) {
          out.append(Character.isLetterOrDigit(member) || member == '-' ? "" : "\\").append(member);
        }
        out.append(']');
        i = close;
      } else {
        out.append(Pattern.quote(String.valueOf(c)));
      }
    }
    this.regex = Pattern.compile(out.toString(), Pattern.DOTALL);
  }

  boolean matches(String path) {
    return regex.matcher(path).matches();
  }
}
