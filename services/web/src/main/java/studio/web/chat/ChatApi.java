package studio.web.chat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.room.RoomKey;
import studio.contract.room.RoomKind;
import studio.taskstore.Chats;
import studio.taskstore.Signals;
import studio.taskstore.TaskSpec;
import studio.web.api.ApiContext;
import studio.web.api.ApiRouter;
import studio.web.api.Hydration;
import studio.web.api.JsonBodies;
import studio.web.api.Replies;

/** Chat threads: create, read the history (hydration for thread:<id>), submit a turn. */
public final class ChatApi {
  private final ApiContext features;

  private ChatApi(ApiContext features) {
    this.features = features;
  }

  public static void mount(Router api, ApiContext features) {
    ChatApi chat = new ChatApi(features);
    api.post("/threads").handler(ApiRouter.endpoint(chat::createThread));
    api.get("/threads/:id").handler(ApiRouter.endpoint(chat::thread));
    api.post("/threads/:id/turns").handler(ApiRouter.endpoint(chat::submitTurn));
  }

  private Future<?> createThread(RoutingContext ctx) {
    JsonObject body = ctx.body() == null || ctx.body().length() == 0 ? new JsonObject() : JsonBodies.require(ctx);
    Object title = body.getValue("title", "Untitled");
    if (!(title instanceof String text) || text.isBlank() || text.length() > 200) {
      throw new ContractException(ErrorCode.INVALID_REQUEST, "title", "must be 1-200 characters");
    }
    return Chats.createThread(features.pool(), text).compose(thread -> Replies.created(ctx, thread));
  }

  private Future<?> thread(RoutingContext ctx) {
    long id = JsonBodies.pathId(ctx, "id");
    return Hydration.read(features.hub(), List.of(RoomKey.of(RoomKind.THREAD, Long.toString(id))),
            () -> Chats.find(features.pool(), id).map(thread -> {
              if (thread == null) {
                throw new ContractException(ErrorCode.NOT_FOUND, "no thread " + id);
              }
              return thread;
            }))
        .compose(state -> Replies.ok(ctx, state));
  }

  /** 202: the turn is recorded and its llm task queued; the answer streams to thread:<id>. */
  private Future<?> submitTurn(RoutingContext ctx) {
    long id = JsonBodies.pathId(ctx, "id");
    JsonObject body = JsonBodies.require(ctx);
    Object content = body.getValue("content");
    if (!(content instanceof String prompt) || prompt.isBlank() || prompt.length() > Chats.MAX_PROMPT) {
      throw new ContractException(ErrorCode.INVALID_REQUEST, "content", "is required: 1-" + Chats.MAX_PROMPT + " characters");
    }
    JsonObject options = new JsonObject();
    for (String field : List.of("provider", "model")) {
      Object value = body.getValue(field);
      if (value != null && !(value instanceof String)) {
        throw new ContractException(ErrorCode.INVALID_REQUEST, field, "must be a string");
      }
      options.put(field, value);
    }
    if (options.getString("provider") != null && !TaskSpec.LLM_PROVIDERS.contains(options.getString("provider"))) {
      throw new ContractException(ErrorCode.INVALID_REQUEST, "provider", "must be one of " + TaskSpec.LLM_PROVIDERS);
    }
    JsonObject llmOptions = new JsonObject();
    options.forEach(entry -> {
      if (entry.getValue() != null) {
        llmOptions.put(entry.getKey(), entry.getValue());
      }
    });
    return features.pool().withTransaction(tx -> Chats.submitTurn(tx, id, prompt, llmOptions))
        .onSuccess(turn -> Signals.wake(features.vertx()))
        .compose(turn -> Replies.accepted(ctx, turn));
  }
}
