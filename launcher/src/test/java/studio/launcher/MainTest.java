package studio.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the launcher as operators do, in its own process, and reads what it prints. */
class MainTest {
  @TempDir
  Path workDir;

  private record Exit(int code, String stderr) {
  }

  private Exit run(Map<String, String> env, String... args) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("launcher did not exit on bad config");
    }
    return new Exit(process.exitValue(), new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("a non-numeric port stops startup with exit code 2 and one line naming the knob and value")
  void badPort() throws Exception {
    Exit exit = run(Map.of("STUDIO_HTTP_PORT", "eighty"));
    assertThat(exit.code()).isEqualTo(2);
    assertThat(exit.stderr().strip())
        .isEqualTo("studio: invalid config STUDIO_HTTP_PORT=\"eighty\": expected a port number 0-65535");
  }

  @Test
  @DisplayName("a negative timeout and production without secrets fail fast the same way")
  void otherBadConfig() throws Exception {
    assertThat(run(Map.of("STUDIO_GRACEFUL_TIMEOUT", "-1")).stderr()).contains("STUDIO_GRACEFUL_TIMEOUT=\"-1\"");
    Exit production = run(Map.of("STUDIO_ENV", "production"));
    assertThat(production.code()).isEqualTo(2);
    assertThat(production.stderr()).contains("missing config JWT_SECRET_KEY");
  }

  @Test
  @DisplayName("an unknown service name is refused with the list of known ones")
  void unknownService() throws Exception {
    Exit exit = run(Map.of(), "web", "mailer");
    assertThat(exit.code()).isEqualTo(2);
    assertThat(exit.stderr()).contains("unknown service \"mailer\": expected all or any of web, hub, tasks, downloads");
  }
}
