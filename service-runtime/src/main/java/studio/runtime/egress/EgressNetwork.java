package studio.runtime.egress;

/** How egress reaches the network: the real resolver and dialer in production, recording fakes in tests. */
public record EgressNetwork(EgressResolver resolver, EgressDialer dialer) {
  public static final EgressNetwork SYSTEM = new EgressNetwork(EgressResolver.SYSTEM, EgressDialer.DIRECT);
}
