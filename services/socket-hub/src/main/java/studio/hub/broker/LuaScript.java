package studio.hub.broker;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A script run by its SHA, loaded again transparently when Redis has forgotten it (restart, SCRIPT FLUSH). */
final class LuaScript {
  private final String source;
  private volatile String sha;

  private LuaScript(String source) {
    this.source = source;
  }

  static LuaScript fromResource(String name) {
    try (InputStream in = LuaScript.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing script resource " + name);
      }
      return new LuaScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Future<Response> run(PipelinedConnection redis, List<String> keys, List<String> args) {
    Future<String> loaded = sha != null ? Future.succeededFuture(sha) : load(redis);
    return loaded.compose(current -> evalsha(redis, current, keys, args))
        .recover(failure -> failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT")
            ? load(redis).compose(reloaded -> evalsha(redis, reloaded, keys, args))
            : Future.failedFuture(failure));
  }

  private Future<String> load(PipelinedConnection redis) {
    return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(source)).map(reply -> {
      sha = reply.toString();
      return sha;
    });
  }

  private static Future<Response> evalsha(PipelinedConnection redis, String sha, List<String> keys, List<String> args) {
    Request request = Request.cmd(Command.EVALSHA).arg(sha).arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return redis.send(request);
  }
}
