package studio.hub.broker;

import studio.contract.frame.Frames;

/**
 * Reads offset and epoch from an {@code event} frame without decoding the whole envelope: the
 * broker writes the header fields first, in a fixed order ({@link Frames#event}), so two index lookups suffice.
 */
record FrameHeader(long offset, String epoch) {
  private static final String OFFSET = "\"" + Frames.OFFSET + "\":";
  private static final String EPOCH = ",\"" + Frames.EPOCH + "\":\"";

  static FrameHeader parse(String frame) {
    int offsetAt = frame.indexOf(OFFSET);
    int epochAt = frame.indexOf(EPOCH, offsetAt);
    if (offsetAt < 0 || epochAt < 0) {
      return null;
    }
    int epochEnd = frame.indexOf('"', epochAt + EPOCH.length());
    try {
      return new FrameHeader(Long.parseLong(frame.substring(offsetAt + OFFSET.length(), epochAt)),
          frame.substring(epochAt + EPOCH.length(), epochEnd));
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      return null;
    }
  }
}
