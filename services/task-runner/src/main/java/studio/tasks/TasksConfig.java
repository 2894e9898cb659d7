package studio.tasks;

import studio.runtime.config.Settings;

/** The task runner's own knobs. */
public record TasksConfig(int port) {
  public static final String PORT = "STUDIO_TASKS_PORT";

  public static TasksConfig from(Settings settings) {
    return new TasksConfig(settings.port(PORT, 8082));
  }
}
