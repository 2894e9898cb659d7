package studio.web.chat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.room.RoomKey;
import studio.contract.room.RoomKind;
import studio.taskstore.Chats;
import studio.taskstore.Signals;
import studio.web.api.ApiContext;
import studio.web.api.Hydration;
import studio.web.api.Operations;
import studio.web.api.Replies;
import studio.web.api.Validated;

/** Chat threads: create, read the history (hydration for thread:<id>), submit a turn. */
public final class ChatApi {
  /** A thread's title when the request leaves it out, as the contract's default says. */
  static final String DEFAULT_TITLE = "Untitled";
  private final ApiContext features;

  private ChatApi(ApiContext features) {
    this.features = features;
  }

  public static void bind(Operations operations, ApiContext features) {
    ChatApi chat = new ChatApi(features);
    operations.bind("createThread", chat::createThread)
        .bind("getThread", chat::thread)
        .bind("submitTurn", chat::submitTurn);
  }

  private Future<?> createThread(RoutingContext ctx) {
    String title = Validated.body(ctx).getString("title", DEFAULT_TITLE);
    return Chats.createThread(features.pool(), title).compose(thread -> Replies.created(ctx, thread));
  }

  private Future<?> thread(RoutingContext ctx) {
    long id = Validated.id(ctx);
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
    long id = Validated.id(ctx);
    JsonObject body = Validated.body(ctx);
    String prompt = body.getString("content");
    JsonObject llmOptions = new JsonObject();
    for (String option : List.of("provider", "model")) {
      if (body.getString(option) != null) {
        llmOptions.put(option, body.getString(option));
      }
    }
    return features.pool().withTransaction(tx -> Chats.submitTurn(tx, id, prompt, llmOptions))
        .onSuccess(turn -> Signals.wake(features.vertx()))
        .compose(turn -> Replies.accepted(ctx, turn));
  }
}
