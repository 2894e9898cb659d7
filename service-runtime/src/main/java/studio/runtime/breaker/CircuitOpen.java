package studio.runtime.breaker;

/** A call refused without being made, because the circuit of its dependency is open. */
public final class CircuitOpen extends RuntimeException {
  /** How every refusal's message starts, so operators and pages can group them. */
  public static final String REASON = "provider_unavailable: circuit open";

  CircuitOpen(String dependency) {
    super(REASON + " for " + dependency + " (it failed repeatedly; calls resume after a probe succeeds)", null,
        false, false);
  }
}
