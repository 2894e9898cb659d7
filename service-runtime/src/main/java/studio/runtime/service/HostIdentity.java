package studio.runtime.service;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * This machine's name and address, looked up once per process: the lookup may block on DNS, so it
 * must not run on an event loop each time a log line or heartbeat needs it.
 */
public final class HostIdentity {
  private static final String NAME;
  private static final String ADDRESS;

  static {
    String name = "unknown-host";
    String address = "unknown-host";
    try {
      InetAddress local = InetAddress.getLocalHost();
      name = local.getHostName();
      address = local.getHostAddress();
    } catch (UnknownHostException e) {
      // keep the placeholders: identity is informational, never a reason to fail
    }
    NAME = name;
    ADDRESS = address;
  }

  private HostIdentity() {
  }

  public static String name() {
    return NAME;
  }

  public static String address() {
    return ADDRESS;
  }
}
