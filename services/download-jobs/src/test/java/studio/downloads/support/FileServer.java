package studio.downloads.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local file server for download tests, never the internet: serves generated files at
 * {@code /files/<name>}, a HuggingFace-style repository ({@code /api/models/<repo>[/revision/<rev>]}
 * and {@code /<repo>/resolve/<rev>/<file>}), redirect chains at {@code /redirect/<n>/<name>}, a
 * loop at {@code /loop} and a redirect anywhere at {@code /hop?to=<url>}, with switches for Range support, throttling, 503s and dropped connections.
 * It records every request it served.
 */
public final class FileServer {
  /** One request as served: path, the Range header (or null) and the status answered. */
  public record Served(String path, String range, int status) {
  }

  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");
  private final Vertx vertx;
  private final Map<String, Buffer> files = new ConcurrentHashMap<>();
  private final Map<String, JsonArray> repos = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
  private final Map<String, Long> dropOnceAfter = new ConcurrentHashMap<>();
  private final List<Served> served = new CopyOnWriteArrayList<>();
  private volatile boolean rangeSupported = true;
  private volatile int chunkBytes = 64 * 1024;
  private volatile long chunkDelayMillis;
  private HttpServer server;

  public FileServer(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<FileServer> start() {
    return vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
        .map(listening -> {
          server = listening;
          return this;
        });
  }

  public Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** Adds a file of {@code size} pseudo-random bytes at {@code /files/<name>}; returns its content. */
  public Buffer file(String name, int size) {
    Buffer content = random(size, name.hashCode());
    files.put("/files/" + name, content);
    return content;
  }

  /** Adds a HuggingFace-style repo: files by name, listed with size, and LFS sha256 for names ending in .bin. */
  public void repo(String repoId, String revision, Map<String, Buffer> content) {
    JsonArray siblings = new JsonArray();
    content.forEach((name, bytes) -> {
      JsonObject sibling = new JsonObject().put("rfilename", name).put("size", bytes.length());
      if (name.endsWith(".bin")) {
        sibling.put("lfs", new JsonObject().put("sha256", sha256(bytes)).put("size", bytes.length()));
      }
      siblings.add(sibling);
      files.put("/" + repoId + "/resolve/" + revision + "/" + name, bytes);
    });
    repos.put(revision.equals("main") ? "/api/models/" + repoId : "/api/models/" + repoId + "/revision/" + revision,
        siblings);
  }

  public void rangeSupported(boolean supported) {
    rangeSupported = supported;
  }

  /** Slows every body to {@code chunkBytes} per {@code delayMillis}, so a test can act mid-download. */
  public void throttle(int chunkBytes, long delayMillis) {
    this.chunkBytes = chunkBytes;
    this.chunkDelayMillis = delayMillis;
  }

  public void failNext(String path, int times) {
    failuresLeft.put(path, new AtomicInteger(times));
  }

  /** Closes the connection once after {@code bytes} of the body of {@code path}. */
  public void dropOnceAfter(String path, long bytes) {
    dropOnceAfter.put(path, bytes);
  }

  public List<Served> served() {
    return List.copyOf(served);
  }

  public List<Served> served(String path) {
    return served.stream().filter(s -> s.path().equals(path)).toList();
  }

  public static String sha256(Buffer content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static Buffer random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return Buffer.buffer(bytes);
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    String range = request.getHeader("Range");
    HttpServerResponse response = request.response();
    AtomicInteger failures = failuresLeft.get(path);
    if (failures != null && failures.getAndDecrement() > 0) {
      answer(path, range, response.setStatusCode(503), "try again later");
    } else if (path.equals("/hop") && request.getParam("to") != null) {
      answer(path, range, response.setStatusCode(302).putHeader("Location", request.getParam("to")), "");
    } else if (path.equals("/loop")) {
      answer(path, range, response.setStatusCode(302).putHeader("Location", "/loop"), "");
    } else if (path.startsWith("/redirect/")) {
      String[] parts = path.split("/", 4);
      int left = Integer.parseInt(parts[2]);
      String next = left <= 1 ? "/files/" + parts[3] : "/redirect/" + (left - 1) + "/" + parts[3];
      answer(path, range, response.setStatusCode(302).putHeader("Location", next), "");
    } else if (repos.containsKey(path)) {
      answer(path, range, response.putHeader("Content-Type", "application/json"),
          new JsonObject().put("id", path).put("siblings", repos.get(path)).encode());
    } else if (files.containsKey(path)) {
      serveFile(path, range, response, files.get(path));
    } else {
      answer(path, range, response.setStatusCode(404), "not found");
    }
  }

  private void answer(String path, String range, HttpServerResponse response, String body) {
    served.add(new Served(path, range, response.getStatusCode()));
    response.end(body);
  }

  private void serveFile(String path, String range, HttpServerResponse response, Buffer content) {
    long from = 0;
    Matcher matcher = range == null ? null : RANGE.matcher(range);
    if (rangeSupported && matcher != null && matcher.matches()) {
      from = Long.parseLong(matcher.group(1));
      if (from >= content.length()) {
        answer(path, range, response.setStatusCode(416), "");
        return;
      }
      response.setStatusCode(206)
          .putHeader("Content-Range", "bytes " + from + "-" + (content.length() - 1) + "/" + content.length());
    }
    served.add(new Served(path, range, response.getStatusCode()));
    response.putHeader("Content-Length", String.valueOf(content.length() - from));
    Long dropAfter = dropOnceAfter.remove(path);
    writeFrom(response, content, (int) from, dropAfter == null ? Long.MAX_VALUE : from + dropAfter);
  }

  private void writeFrom(HttpServerResponse response, Buffer content, int position, long dropAt) {
    if (response.closed()) {
      return;
    }
    if (position >= dropAt) {
      response.reset();
      return;
    }
    if (position >= content.length()) {
      response.end();
      return;
    }
    int end = (int) Math.min(Math.min(content.length(), position + (long) chunkBytes), dropAt);
    response.write(content.slice(position, end));
    if (response.writeQueueFull()) {
      response.drainHandler(drained -> next(response, content, end, dropAt));
    } else {
      next(response, content, end, dropAt);
    }
  }

  private void next(HttpServerResponse response, Buffer content, int position, long dropAt) {
    if (chunkDelayMillis > 0) {
      vertx.setTimer(chunkDelayMillis, fired -> writeFrom(response, content, position, dropAt));
    } else {
      vertx.runOnContext(run -> writeFrom(response, content, position, dropAt));
    }
  }
}
