package studio.runtime.config;

/** {@code STUDIO_ENV}: production makes secrets mandatory and refuses embedded infrastructure. */
public enum StudioEnvironment {
  DEVELOPMENT,
  PRODUCTION
}
