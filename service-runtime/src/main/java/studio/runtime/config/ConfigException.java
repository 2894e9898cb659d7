package studio.runtime.config;

/** An invalid or missing knob. The message is one line naming the knob and the bad value. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }

  public static ConfigException invalid(String knob, Object value, String expected) {
    return new ConfigException("invalid config " + knob + "=\"" + value + "\": expected " + expected);
  }

  public static ConfigException missing(String knob, String why) {
    return new ConfigException("missing config " + knob + ": " + why);
  }
}
