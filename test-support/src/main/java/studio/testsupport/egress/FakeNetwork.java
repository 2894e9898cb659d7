package studio.testsupport.egress;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.Address;
import io.vertx.core.net.SocketAddress;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import studio.runtime.egress.EgressNetwork;

/**
 * The network egress tests see, safe even when the policy under test is broken: the resolver
 * answers only names the test mapped (never DNS), and the dialer really connects only to a loopback
 * address named as the request's server. Any other target, or a request that names no checked
 * address, is recorded and refused with a connection error instead of being dialed.
 */
public final class FakeNetwork {
  /** One dial the code under test asked for: the Host it meant, the address it named, and whether it was really made. */
  public record Dial(String host, String address, int port, boolean dialed) {
  }

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
  private final Map<String, List<List<InetAddress>>> answers = new ConcurrentHashMap<>();
  private final List<String> lookups = new CopyOnWriteArrayList<>();
  private final List<Dial> dials = new CopyOnWriteArrayList<>();

  /**
   * Maps {@code name} to {@code addresses} (IP literals) for its next lookup; called again, it adds the
   * answer after that one. The last answer repeats.
   */
  public FakeNetwork answer(String name, String... addresses) {
    List<InetAddress> answer = Arrays.stream(addresses).map(FakeNetwork::literal).toList();
    answers.computeIfAbsent(name, unused -> new CopyOnWriteArrayList<>()).add(answer);
    return this;
  }

  public EgressNetwork network() {
    return new EgressNetwork((vertx, host) -> resolve(host), this::dial);
  }

  /** Every name looked up, in order. */
  public List<String> lookups() {
    return List.copyOf(lookups);
  }

  /** Every dial asked for, in order. */
  public List<Dial> dials() {
    return List.copyOf(dials);
  }

  private Future<List<InetAddress>> resolve(String host) {
    lookups.add(host);
    List<List<InetAddress>> queue = answers.get(host);
    if (queue == null || queue.isEmpty()) {
      return Future.failedFuture(new UnknownHostException(host + " (not mapped by the test network)"));
    }
    return Future.succeededFuture(queue.size() > 1 ? queue.remove(0) : queue.get(0));
  }

  private Future<HttpClientRequest> dial(HttpClient client, RequestOptions options) {
    Address server = options.getServer();
    String address = server instanceof SocketAddress socket ? socket.hostAddress() : null;
    int port = server instanceof SocketAddress socket ? socket.port() : -1;
    boolean loopback = address != null && isLoopback(address);
    dials.add(new Dial(options.getHost(), address, port, loopback));
    if (!loopback) {
      return Future.failedFuture(new ConnectException("test network: " + options.getHost() + " at " + address
          + " was not dialed (only loopback servers are)"));
    }
    return client.request(options);
  }

  private static boolean isLoopback(String address) {
    return (IPV4.matcher(address).matches() || IPV6.matcher(address).matches()) && literal(address).isLoopbackAddress();
  }

  /** Parses an IP literal without any lookup (the patterns admit literals only; brackets force IPv6). */
  private static InetAddress literal(String text) {
    if (!IPV4.matcher(text).matches() && !IPV6.matcher(text).matches()) {
      throw new IllegalArgumentException(text + " is not an IP literal");
    }
    try {
      return InetAddress.getByName(text.contains(":") ? "[" + text + "]" : text);
    } catch (UnknownHostException malformed) {
      throw new IllegalArgumentException(text + " is not an IP literal", malformed);
    }
  }

  /** Dials made for real (loopback only). */
  public List<Dial> dialed() {
    return new ArrayList<>(dials.stream().filter(Dial::dialed).toList());
  }
}
