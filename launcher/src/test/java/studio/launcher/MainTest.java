package studio.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  /**
   * Everything production needs, so each test below changes exactly one thing. Were a refusal missing, the
   * process would start: on free ports, failing fast on the unreachable database.
   */
  private static Map<String, String> production() {
    Map<String, String> env = new HashMap<>(Map.of(
        "STUDIO_ENV", "production",
        "JWT_SECRET_KEY", "0123456789abcdef0123456789abcdef0123456789abcdef",
        "WORKER_SHARED_SECRET", "fedcba9876543210fedcba9876543210fedcba9876543210",
        "DATABASE_URL", "postgresql://studio:database-password@127.0.0.1:1/studio",
        "REDIS_URL", "redis://127.0.0.1:1",
        "STUDIO_AUTH_MODE", "basic",
        "STUDIO_ADMIN_PASSWORD", "an-admin-password-of-32-chars-ok",
        "STUDIO_CORS_ALLOWED_ORIGINS", "https://studio.example.com"));
    env.putAll(Map.of("STUDIO_HTTP_HOST", "127.0.0.1", "STUDIO_HTTP_PORT", "0", "STUDIO_HUB_PORT", "0",
        "STUDIO_TASKS_PORT", "0", "STUDIO_DOWNLOADS_PORT", "0", "STUDIO_DATABASE_CONNECT_RETRIES", "1"));
    return env;
  }

  private Exit runProduction(Map<String, String> changes) throws IOException, InterruptedException {
    Map<String, String> env = production();
    changes.forEach((knob, value) -> {
      if (value == null) {
        env.remove(knob);
      } else {
        env.put(knob, value);
      }
    });
    return run(env);
  }

  private static Map<String, String> without(String knob) {
    Map<String, String> changes = new HashMap<>();
    changes.put(knob, null);
    return changes;
  }

  @Test
  @DisplayName("production without STUDIO_AUTH_MODE, or with none, exits 2 before listening, naming the knob and the modes")
  void productionRefusesToRunWithoutAuthentication() throws Exception {
    for (Exit exit : List.of(runProduction(without("STUDIO_AUTH_MODE")),
        runProduction(Map.of("STUDIO_AUTH_MODE", "none")))) {
      assertThat(exit.code()).isEqualTo(2);
      assertThat(exit.stderr().strip()).doesNotContain("\n").startsWith("studio: ")
          .contains("STUDIO_AUTH_MODE").contains("basic").contains("proxy");
    }
  }

  @Test
  @DisplayName("production with CORS * or no origins exits 2, asking for the public origin(s)")
  void productionRefusesAnyOrigin() throws Exception {
    for (Exit exit : List.of(runProduction(Map.of("STUDIO_CORS_ALLOWED_ORIGINS", "*")),
        runProduction(without("STUDIO_CORS_ALLOWED_ORIGINS")))) {
      assertThat(exit.code()).isEqualTo(2);
      assertThat(exit.stderr().strip()).doesNotContain("\n").startsWith("studio: ")
          .contains("STUDIO_CORS_ALLOWED_ORIGINS").contains("public origin");
    }
  }

  @Test
  @DisplayName("a 31-character secret or admin password exits 2 naming the knob, without echoing the value")
  void shortSecretsRefused() throws Exception {
    String short31 = "0123456789abcdef0123456789abcde";
    for (String knob : List.of("JWT_SECRET_KEY", "WORKER_SHARED_SECRET", "STUDIO_ADMIN_PASSWORD")) {
      Exit exit = runProduction(Map.of(knob, short31));
      assertThat(exit.code()).as(knob).isEqualTo(2);
      assertThat(exit.stderr().strip()).as(knob).doesNotContain("\n").contains(knob).contains("32")
          .doesNotContain(short31);
    }
  }

  @Test
  @DisplayName("development with no knob but ports and data directory starts open: anyone gets a realtime token")
  void developmentStartsOpen() throws Exception {
    String javaBinary = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(javaBinary, "-cp", System.getProperty("java.class.path"),
        Main.class.getName()).directory(workDir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().putAll(Map.of("STUDIO_DATA_DIR", workDir.resolve("data").toString(),
        "STUDIO_HTTP_HOST", "127.0.0.1", "STUDIO_HTTP_PORT", "0", "STUDIO_HUB_PORT", "0",
        "STUDIO_TASKS_PORT", "0", "STUDIO_DOWNLOADS_PORT", "0"));
    Process process = builder.start();
    try {
      java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8));
      List<String> lines = java.util.concurrent.CompletableFuture.supplyAsync(() -> out.lines()
          .takeWhile(line -> !line.startsWith("Press Ctrl-C")).toList())
          .get(180, TimeUnit.SECONDS);
      assertThat(lines).contains("Studio Runtime is up:");
      String web = lines.stream().filter(line -> line.startsWith("  web ")).findFirst().orElseThrow();
      Matcher url = Pattern.compile("http://localhost:(\\d+)").matcher(web);
      assertThat(url.find()).as(web).isTrue();
      HttpResponse<String> token = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + url.group(1) + "/api/v1/realtime/token")).build(), BodyHandlers.ofString());
      assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
    } finally {
      process.destroy();
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
    }
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
  @DisplayName("GUNICORN_BIND=unix:... exits 2 naming the knob: Vert.x listens on TCP only")
  void unixSocketBindRefused() throws Exception {
    Exit exit = run(Map.of("GUNICORN_BIND", "unix:/run/studio.sock"));
    assertThat(exit.code()).isEqualTo(2);
    assertThat(exit.stderr().strip()).doesNotContain("\n")
        .startsWith("studio: invalid config GUNICORN_BIND=\"unix:/run/studio.sock\": expected host:port")
        .contains("STUDIO_HTTP_HOST and STUDIO_HTTP_PORT");
  }

  @Test
  @DisplayName("old variables with no effect are logged as warnings at startup, into GUNICORN_ERROR_LOG's file")
  void migrationWarningsLogged() throws Exception {
    Path errorLog = workDir.resolve("logs").resolve("error.log");
    Exit exit = runProduction(Map.of("GUNICORN_WORKER_CLASS", "gevent", "LLMCTL_STUDIO_SOCKETIO_ASYNC_MODE", "eventlet",
        "GUNICORN_ERROR_LOG", errorLog.toString()));
    assertThat(exit.code()).as("the database is unreachable, so startup fails after logging").isEqualTo(1);
    String log = java.nio.file.Files.readString(errorLog);
    assertThat(log).contains("WARNING | GUNICORN_WORKER_CLASS has no effect: ")
        .contains("WARNING | LLMCTL_STUDIO_SOCKETIO_ASYNC_MODE has no effect: ");
  }

  @Test
  @DisplayName("an unknown service name is refused with the list of known ones")
  void unknownService() throws Exception {
    Exit exit = run(Map.of(), "web", "mailer");
    assertThat(exit.code()).isEqualTo(2);
    assertThat(exit.stderr()).contains("unknown service \"mailer\": expected all or any of web, hub, tasks, downloads");
  }
}
