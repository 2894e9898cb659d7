package studio.tasks.support;

import io.vertx.sqlclient.Pool;

/**
 * PostgreSQL drops the connection of the first {@code failures} writes that end one task's run
 * (running to any other status), as when the database restarts at that moment: a trigger on the
 * task row terminates its own backend, so the runner sees the real failure (FATAL 57P01, connection
 * closed, transaction lost). Every other statement, lease renewals included, goes through. It counts
 * with a sequence, because a sequence keeps counting when the transaction dies.
 */
public final class FinishFault implements AutoCloseable {
  private final Pool pool;
  private final String name;

  private FinishFault(Pool pool, String name) {
    this.pool = pool;
    this.name = name;
  }

  public static FinishFault inject(Pool pool, long taskId, int failures) {
    String name = "finish_fault_" + taskId;
    TaskDatabase.await(pool.query("CREATE SEQUENCE " + name).execute()
        .compose(created -> pool.query("""
            CREATE FUNCTION %1$s() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF OLD.status = 'running' AND NEW.status <> 'running' AND nextval('%1$s') <= %2$d THEN
                PERFORM pg_terminate_backend(pg_backend_pid());
                -- The termination lands at the next interrupt check, which pg_sleep makes at once.
                PERFORM pg_sleep(10);
                RAISE EXCEPTION 'finish fault: the backend outlived its termination';
              END IF;
              RETURN NEW;
            END $$""".formatted(name, failures)).execute())
        .compose(created -> pool.query("CREATE TRIGGER %1$s BEFORE UPDATE ON task FOR EACH ROW WHEN (NEW.id = %2$d) EXECUTE FUNCTION %1$s()"
            .formatted(name, taskId)).execute()));
    return new FinishFault(pool, name);
  }

  /** How many writes tried to end the run so far, refused or not. */
  public long attempts() {
    return TaskDatabase.await(pool.query("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM " + name).execute())
        .iterator().next().getLong(0);
  }

  @Override
  public void close() {
    TaskDatabase.await(pool.query("DROP TRIGGER IF EXISTS " + name + " ON task").execute()
        .compose(dropped -> pool.query("DROP FUNCTION IF EXISTS " + name + "()").execute())
        .compose(dropped -> pool.query("DROP SEQUENCE IF EXISTS " + name).execute()));
  }
}
