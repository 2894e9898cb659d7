package studio.tasks.executor.llm;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import studio.tasks.execution.Execution;
import studio.tasks.execution.TaskFailure;

/**
 * The built-in deterministic provider for development and tests: answers {@code "echo: <last user
 * message>"}, streamed word by word with a fixed delay, so pages see real streaming without a model.
 */
public final class EchoProvider implements LlmProvider {
  private static final Pattern WORDS = Pattern.compile("(?<=\\s)");
  private final Vertx vertx;
  private final Duration tokenDelay;

  public EchoProvider(Vertx vertx, Duration tokenDelay) {
    this.vertx = vertx;
    this.tokenDelay = tokenDelay;
  }

  @Override
  public String name() {
    return "echo";
  }

  public static String reply(JsonArray messages) {
    String last = "";
    for (int i = 0; i < messages.size(); i++) {
      JsonObject message = messages.getJsonObject(i);
      if ("user".equals(message.getString("role"))) {
        last = message.getString("content");
      }
    }
    return "echo: " + last;
  }

  @Override
  public Future<JsonObject> complete(Execution execution, JsonArray messages, String model, Consumer<String> tokens) {
    String reply = reply(messages);
    List<String> pieces = new ArrayList<>(List.of(WORDS.split(reply)));
    Promise<JsonObject> done = Promise.promise();
    long[] timer = {-1};
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      if (done.future().isComplete()) {
        return;
      }
      if (pieces.isEmpty()) {
        done.tryComplete(new JsonObject().put("content", reply).put("model", "echo").put("finish_reason", "stop"));
        return;
      }
      tokens.accept(pieces.remove(0));
      timer[0] = vertx.setTimer(Math.max(1, tokenDelay.toMillis()), fired -> next[0].run());
    };
    execution.cancelled().onSuccess(reason -> {
      vertx.cancelTimer(timer[0]);
      done.tryFail(TaskFailure.permanent(reason));
    });
    next[0].run();
    return done.future();
  }
}
