package studio.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the server side of a bench costs, read from outside its processes: CPU time and RSS from
 * {@code /proc/<pid>}, live heap after a full GC through {@code jcmd}, and Redis's own pid from
 * {@code INFO server} (so an embedded child and a REDIS_URL server on this host are found alike).
 */
final class ServerFigures {
  private static final long CLOCK_TICKS_PER_SECOND = 100;
  private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");

  private ServerFigures() {
  }

  /** User + system CPU time the process has used so far, in microseconds. */
  static long cpuMicros(long pid) throws IOException {
    return cpuTicks(Path.of("/proc/" + pid + "/stat")) * 1_000_000 / CLOCK_TICKS_PER_SECOND;
  }

  /** utime + stime of a process's or thread's {@code stat} file, in clock ticks (the name may hold spaces). */
  private static long cpuTicks(Path statFile) throws IOException {
    String stat = Files.readString(statFile);
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /**
   * CPU the process's JIT compiler threads ({@code C1/C2 CompilerThread*}) have used so far, in
   * microseconds: the warm-up lasts until they fall quiet, so the figures are the steady state.
   */
  static long compilerCpuMicros(long pid) throws IOException {
    long ticks = 0;
    try (var threads = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path thread : threads.toList()) {
        try {
          String name = Files.readString(thread.resolve("comm"));
          if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            ticks += cpuTicks(thread.resolve("stat"));
          }
        } catch (NoSuchFileException gone) {
          // A compiler thread the JVM retired between the listing and the read.
        }
      }
    }
    return ticks * 1_000_000 / CLOCK_TICKS_PER_SECOND;
  }

  /** Resident memory in KiB (VmRSS). */
  static long rssKiB(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
        .filter(line -> line.startsWith("VmRSS:")).findFirst()
        .map(line -> Long.parseLong(line.replaceAll("[^0-9]", ""))).orElse(-1L);
  }

  /** Heap in use now ({@code jcmd GC.heap_info}), in KiB: the live heap when asked right after a full GC. */
  static long heapUsedKiB(long pid) throws Exception {
    String info = jcmd(pid, "GC.heap_info");
    Matcher used = HEAP_USED.matcher(info);
    if (!used.find()) {
      throw new IllegalStateException("no heap figure in jcmd GC.heap_info: " + info);
    }
    return Long.parseLong(used.group(1));
  }

  static String jcmd(long pid, String command) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process process = new ProcessBuilder(Files.exists(jcmd) ? jcmd.toString() : "jcmd", String.valueOf(pid), command)
        .redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + out);
    }
    return out;
  }

  /** Redis's process id, from its {@code INFO server} (plain TCP; a REDIS_URL with TLS or a password needs --redis-pid). */
  static long redisPid(String redisUrl) throws IOException {
    URI uri = URI.create(redisUrl);
    try (Socket socket = new Socket(uri.getHost(), uri.getPort() == -1 ? 6379 : uri.getPort())) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write("*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream reply = new ByteArrayOutputStream();
      byte[] chunk = new byte[8192];
      while (!reply.toString(StandardCharsets.US_ASCII).contains("process_id:")
          || !reply.toString(StandardCharsets.US_ASCII).substring(reply.toString(StandardCharsets.US_ASCII)
              .indexOf("process_id:")).contains("\r\n")) {
        int read = in.read(chunk);
        if (read < 0) {
          break;
        }
        reply.write(chunk, 0, read);
      }
      Matcher pid = Pattern.compile("process_id:(\\d+)").matcher(reply.toString(StandardCharsets.US_ASCII));
      if (!pid.find()) {
        throw new IllegalStateException("Redis at " + redisUrl + " did not say its process_id; pass --redis-pid");
      }
      return Long.parseLong(pid.group(1));
    }
  }

  /** The 1, 5 and 15 minute load averages, as uptime prints them. */
  static String loadAverage() throws IOException {
    String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return parts[0] + ", " + parts[1] + ", " + parts[2];
  }
}
