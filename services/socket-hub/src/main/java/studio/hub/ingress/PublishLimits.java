package studio.hub.ingress;

import studio.runtime.config.Settings;

/**
 * How big one batch publish may be: {@code batchMax} drafts, and over HTTP {@code batchBytes} of body.
 * A single draft keeps its own limit ({@link HttpIngress#BODY_LIMIT}).
 */
public record PublishLimits(int batchMax, int batchBytes) {
  public static final String BATCH_MAX = "STUDIO_RT_PUBLISH_BATCH_MAX";
  public static final String BATCH_BYTES = "STUDIO_RT_PUBLISH_BATCH_BYTES";
  public static final PublishLimits DEFAULTS = new PublishLimits(100, 1024 * 1024);

  public static PublishLimits from(Settings settings) {
    return new PublishLimits(settings.intAtLeast(BATCH_MAX, DEFAULTS.batchMax(), 1),
        settings.intAtLeast(BATCH_BYTES, DEFAULTS.batchBytes(), 1024));
  }
}
