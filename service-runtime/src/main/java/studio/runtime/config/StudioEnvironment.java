package studio.runtime.config;

/**
 * {@code STUDIO_ENV}: production makes secrets mandatory, refuses embedded infrastructure and refuses
 * to run open (no authentication, any origin).
 */
public enum StudioEnvironment {
  DEVELOPMENT,
  PRODUCTION;

  public static final String KNOB = "STUDIO_ENV";

  /** The environment the settings name; every config reads it through here, so all agree. */
  public static StudioEnvironment from(Settings settings) {
    return settings.oneOf(KNOB, DEVELOPMENT, StudioEnvironment.class);
  }
}
