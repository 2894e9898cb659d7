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
  @DisplayName("--infra starts only embedded PostgreSQL and Redis and prints their URLs for other processes")
  void infrastructureOnly() throws Exception {
    String javaBinary = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(javaBinary, "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "--infra").directory(workDir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("STUDIO_DATA_DIR", workDir.resolve("data").toString());
    Process process = builder.start();
    try {
      java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8));
      List<String> lines = java.util.concurrent.CompletableFuture.supplyAsync(() -> out.lines()
          .takeWhile(line -> !line.startsWith("Embedded infrastructure is up")).toList())
          .get(90, TimeUnit.SECONDS);
      assertThat(lines).anyMatch(line -> line.startsWith("export DATABASE_URL=postgresql://postgres@127.0.0.1:"));
      String redis = lines.stream().filter(line -> line.startsWith("export REDIS_URL=")).findFirst().orElseThrow();
      int redisPort = Integer.parseInt(redis.substring(redis.lastIndexOf(':') + 1));
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", redisPort)) {
        assertThat(socket.isConnected()).isTrue();
      }
      assertThat(workDir.resolve("data").resolve("postgres").resolve("PG_VERSION")).exists();
    } finally {
      process.destroy();
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
    }
  }

  @Test
  @DisplayName("an unknown service name is refused with the list of known ones")
  void unknownService() throws Exception {
    Exit exit = run(Map.of(), "web", "mailer");
    assertThat(exit.code()).isEqualTo(2);
    assertThat(exit.stderr()).contains("unknown service \"mailer\": expected all or any of web, hub, tasks, downloads");
  }
}
