package studio.downloads.job;

/** A failure worth retrying after a backoff: a 5xx answer, a refused or dropped connection, a timeout. */
public final class RetryableFailure extends RuntimeException {
  public RetryableFailure(String reason) {
    super(reason, null, false, false);
  }
}
