package studio.launcher.proxy;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real nginx process serving a template of {@code deploy/proxy/nginx} (by default {@code studio.conf.template}), rendered the way the
 * official image's envsubst does (only the template's own variables are replaced).
 */
final class Nginx implements AutoCloseable {
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{(STUDIO_[A-Z_]+)}");
  private final Process process;
  private final Path directory;
  final int port;

  private Nginx(Process process, Path directory, int port) {
    this.process = process;
    this.directory = directory;
    this.port = port;
  }

  static Path binary() {
    for (String candidate : List.of("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return Path.of(candidate);
      }
    }
    throw new IllegalStateException("nginx is not installed: run scripts/test-proxy, which installs the Debian package");
  }

  static Path template(String name) {
    Path here = Path.of("").toAbsolutePath();
    for (Path dir = here; dir != null; dir = dir.getParent()) {
      Path template = dir.resolve("deploy/proxy/nginx/" + name);
      if (Files.exists(template)) {
        return template;
      }
    }
    throw new IllegalStateException("deploy/proxy/nginx/" + name + " not found above " + here);
  }

  static Nginx start(Path directory, Map<String, String> variables) throws Exception {
    return start(directory, "studio.conf.template", variables);
  }

  /** Serves one of the shipped templates under deploy/proxy/nginx. */
  static Nginx start(Path directory, String template, Map<String, String> variables) throws Exception {
    int port = freePort();
    Map<String, String> all = new java.util.HashMap<>(variables);
    all.put("STUDIO_LISTEN", "127.0.0.1:" + port);
    all.put("STUDIO_LISTEN_HTTP", "127.0.0.1:" + freePort());
    String rendered = render(Files.readString(template(template)), all);
    Files.writeString(directory.resolve("studio.conf"), rendered);
    Files.writeString(directory.resolve("nginx.conf"), String.join("\n",
        "root".equals(System.getProperty("user.name")) ? "user root;" : "",
        "worker_processes 1;",
        "pid " + directory.resolve("nginx.pid") + ";",
        "error_log " + directory.resolve("error.log") + " warn;",
        "events { worker_connections 256; }",
        "http {",
        "  access_log " + directory.resolve("access.log") + ";",
        "  client_body_temp_path " + directory.resolve("body") + ";",
        "  proxy_temp_path " + directory.resolve("proxy") + ";",
        "  fastcgi_temp_path " + directory.resolve("fastcgi") + ";",
        "  uwsgi_temp_path " + directory.resolve("uwsgi") + ";",
        "  scgi_temp_path " + directory.resolve("scgi") + ";",
        "  include " + directory.resolve("studio.conf") + ";",
        "}", ""));
    Process process = new ProcessBuilder(binary().toString(), "-p", directory.toString(),
        "-c", directory.resolve("nginx.conf").toString(), "-g", "daemon off;")
        .redirectErrorStream(true).redirectOutput(directory.resolve("stdout.log").toFile()).start();
    Nginx nginx = new Nginx(process, directory, port);
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("nginx exited: " + nginx.log());
      }
      return accepts(port);
    });
    return nginx;
  }

  String log() throws IOException {
    StringBuilder log = new StringBuilder();
    for (String name : List.of("stdout.log", "error.log")) {
      Path file = directory.resolve(name);
      if (Files.exists(file)) {
        log.append(Files.readString(file));
      }
    }
    return log.toString();
  }

  static String render(String template, Map<String, String> variables) {
    Matcher matcher = VARIABLE.matcher(template);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String value = variables.get(matcher.group(1));
      if (value == null) {
        throw new IllegalArgumentException("no value for ${" + matcher.group(1) + "} in the nginx template");
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
