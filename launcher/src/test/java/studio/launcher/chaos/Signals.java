package studio.launcher.chaos;

import java.util.concurrent.TimeUnit;

/** POSIX signals to one process by its id ({@code kill -SIG pid}): Java itself can only TERM and KILL. */
final class Signals {
  private Signals() {
  }

  static void send(long pid, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + pid + " failed: "
          + new String(kill.getInputStream().readAllBytes()));
    }
  }

  /** For clean-up: a process already gone is fine. */
  static void sendQuietly(long pid, String signal) {
    try {
      send(pid, signal);
    } catch (Exception e) {
      // Already gone, or never stopped: nothing to undo.
    }
  }
}
