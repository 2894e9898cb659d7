package studio.downloads.job;

/** A reason the job cannot succeed by trying again (404, checksum mismatch, unsafe target, disk full); its message is shown to people. */
public class JobFailure extends RuntimeException {
  public JobFailure(String reason) {
    super(reason, null, false, false);
  }
}
