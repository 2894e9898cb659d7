package studio.runtime.service;

/** A service verticle with an HTTP port (every Studio service has at least health endpoints). */
public interface HttpService {
  /** The port actually bound (differs from the configured one when that was 0); -1 before start. */
  int actualPort();
}
