package studio.tasks.support;

import io.vertx.core.Vertx;
import java.io.File;
import java.util.Map;

/** A task runner in its own JVM, so a test can kill it the way a crash would (SIGKILL, no shutdown). */
public final class RunnerProcess {
  private RunnerProcess() {
  }

  public static void main(String[] args) {
    Map<String, Object> extra = Map.of("DATABASE_URL", args[0], "STUDIO_TASKS_LEASE", args[1],
        "STUDIO_TASKS_CONCURRENCY", args.length > 2 ? args[2] : "1");
    new Runners().start(Vertx.vertx(), extra, false);
    System.out.println("runner started");
  }

  public static Process spawn(String databaseUrl, String lease) throws Exception {
    return spawn(databaseUrl, lease, 1);
  }

  public static Process spawn(String databaseUrl, String lease, int concurrency) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    return new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        RunnerProcess.class.getName(), databaseUrl, lease, Integer.toString(concurrency))
        .redirectErrorStream(true)
        .redirectOutput(new File("target/runner-process.log"))
        .start();
  }
}
