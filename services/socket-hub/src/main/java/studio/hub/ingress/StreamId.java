package studio.hub.ingress;

/** A Redis stream entry id, {@code <milliseconds>-<sequence>}, ordered as Redis orders them. */
record StreamId(long millis, long sequence) implements Comparable<StreamId> {
  static StreamId parse(String id) {
    int dash = id.indexOf('-');
    return dash < 0 ? new StreamId(Long.parseLong(id), 0)
        : new StreamId(Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1)));
  }

  /** The smallest id after this one. */
  StreamId next() {
    return new StreamId(millis, sequence + 1);
  }

  @Override
  public int compareTo(StreamId other) {
    int byMillis = Long.compareUnsigned(millis, other.millis);
    return byMillis != 0 ? byMillis : Long.compareUnsigned(sequence, other.sequence);
  }

  @Override
  public String toString() {
    return Long.toUnsignedString(millis) + "-" + Long.toUnsignedString(sequence);
  }
}
