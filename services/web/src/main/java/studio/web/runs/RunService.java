package studio.web.runs;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.taskstore.AutorunStatus;
import studio.taskstore.Autoruns;
import studio.taskstore.Signals;
import studio.taskstore.TaskSpec;
import studio.taskstore.Transactions;
import studio.web.api.ApiContext;
import studio.web.api.Hydration;

/** Runs as web offers them, free of HTTP: create (one transaction), hydrate, cancel; each wakes or signals the runners. */
public final class RunService {
  private final ApiContext features;

  public RunService(ApiContext features) {
    this.features = features;
  }

  /** The run and its tasks with all their events in one transaction; runners are woken after it commits. */
  public Future<JsonObject> create(List<TaskSpec> specs) {
    return Transactions.run(features.pool(), tx -> Autoruns.create(tx, specs))
        .onSuccess(run -> Signals.wake(features.vertx()));
  }

  /** The run with the cursor of {@code run:<id>}, read before the run (see {@link Hydration}). */
  public Future<JsonObject> hydrate(long id) {
    return Autoruns.find(features.pool(), id)
        .map(run -> found(run, id))
        .compose(run -> Hydration.read(features.hub(), List.of(Autoruns.room(id)),
            () -> Autoruns.find(features.pool(), id)));
  }

  /** Ends its queued tasks and stops its running ones; a run that already ended with nothing to cancel is a conflict. */
  public Future<JsonObject> cancel(long id) {
    return Transactions.run(features.pool(), tx -> Autoruns.cancel(tx, id)).map(change -> {
      String status = change.run().getString("status");
      if (!change.changed() && AutorunStatus.terminal(status)) {
        throw new ContractException(ErrorCode.CONFLICT, "run " + id + " already ended " + status);
      }
      Signals.cancel(features.vertx(), change.cancelSignals());
      return change.run();
    });
  }

  private static JsonObject found(JsonObject run, long id) {
    if (run == null) {
      throw new ContractException(ErrorCode.NOT_FOUND, "no run " + id);
    }
    return run;
  }
}
