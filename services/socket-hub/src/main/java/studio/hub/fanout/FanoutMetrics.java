package studio.hub.fanout;

/** What the fan-out reports about repairs it made; implemented by the hub's metrics. */
public interface FanoutMetrics {
  void duplicateDropped();

  void gapFilled(int frames);

  void gapUnrecoverable();

  void gapFillFailed();

  FanoutMetrics NONE = new FanoutMetrics() {
    @Override
    public void duplicateDropped() {
    }

    @Override
    public void gapFilled(int frames) {
    }

    @Override
    public void gapUnrecoverable() {
    }

    @Override
    public void gapFillFailed() {
    }
  };
}
