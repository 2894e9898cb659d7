package studio.runtime.redis;

import io.vertx.redis.client.RedisClientType;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import studio.runtime.config.ConfigException;

/**
 * {@code REDIS_URL} read as one of the three topologies vertx-redis-client runs:
 * <ul>
 *   <li>standalone {@code redis://[[user]:password@]host[:port][/db]}, {@code rediss://} (TLS),
 *       {@code unix:///path/redis.sock};</li>
 *   <li>Sentinel {@code redis-sentinel://[[user]:password@]host:port,host:port,.../master-name[/db]}
 *       ({@code rediss-sentinel://} for TLS);</li>
 *   <li>Cluster {@code redis-cluster://[[user]:password@]host:port,host:port,...}
 *       ({@code rediss-cluster://} for TLS; a cluster has only database 0, so no path).</li>
 * </ul>
 * Each node becomes one plain {@code redis[s]://host:port[/db]} connection string; the credentials are
 * kept apart so that no connection string (or error message) carries them.
 */
public record RedisUrl(RedisClientType type, List<String> endpoints, String masterName, String user,
    String password) {
  private static final String FORMS = "redis://[:password@]host[:port][/db], rediss://..., unix:///path, "
      + "redis-sentinel://[:password@]host:port,host:port/master-name[/db] or "
      + "redis-cluster://[:password@]host:port,host:port";
  private static final Pattern URL = Pattern.compile("(?<scheme>[a-z-]+)://(?:(?<userinfo>[^@/]*)@)?(?<rest>.*)");
  private static final Pattern NODE = Pattern.compile("(?<host>\\[[0-9a-fA-F:.]+]|[A-Za-z0-9._-]+)(?::(?<port>[0-9]{1,5}))?");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern DB = Pattern.compile("[0-9]{1,2}");

  public static RedisUrl parse(String url) {
    Matcher matcher = URL.matcher(url);
    if (!matcher.matches()) {
      throw invalid(url, "");
    }
    String scheme = matcher.group("scheme");
    String userinfo = matcher.group("userinfo");
    String user = userinfo == null || !userinfo.contains(":") ? null : emptyToNull(userinfo.substring(0, userinfo.indexOf(':')));
    String password = userinfo == null ? null : emptyToNull(userinfo.substring(userinfo.indexOf(':') + 1));
    String rest = matcher.group("rest");
    return switch (scheme) {
      // One node: vertx-redis-client reads the rest (port, database, unix path) itself.
      case "redis", "rediss", "unix" -> standalone(url, scheme, rest, user, password);
      case "redis-sentinel", "rediss-sentinel" -> sentinel(url, tlsScheme(scheme), rest, user, password);
      case "redis-cluster", "rediss-cluster" -> cluster(url, tlsScheme(scheme), rest, user, password);
      default -> throw invalid(url, "unknown scheme " + scheme + "://");
    };
  }

  public boolean tls() {
    return endpoints.get(0).startsWith("rediss://");
  }

  private static RedisUrl standalone(String url, String scheme, String rest, String user, String password) {
    if (!scheme.equals("unix")) {
      String node = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
      String db = rest.contains("/") ? rest.substring(rest.indexOf('/') + 1) : "";
      if (node.contains(",")) {
        throw invalid(url, "several hosts need redis-sentinel:// or redis-cluster://");
      }
      node(url, node, 6379);
      if (!db.isEmpty() && !DB.matcher(db).matches()) {
        throw invalid(url, "database \"" + db + "\" is not a number");
      }
    } else if (!rest.startsWith("/")) {
      throw invalid(url, "unix:// needs an absolute socket path");
    }
    return new RedisUrl(RedisClientType.STANDALONE, List.of(scheme + "://" + rest), null, user, password);
  }

  private static RedisUrl sentinel(String url, String scheme, String rest, String user, String password) {
    String[] parts = rest.split("/", -1);
    if (parts.length < 2 || parts.length > 3 || parts[1].isEmpty()) {
      throw invalid(url, "Sentinel needs the master name after the sentinels (/master-name)");
    }
    if (!NAME.matcher(parts[1]).matches()) {
      throw invalid(url, "master name \"" + parts[1] + "\" has characters other than letters, digits, . _ -");
    }
    String db = parts.length == 3 ? parts[2] : "";
    if (!db.isEmpty() && !DB.matcher(db).matches()) {
      throw invalid(url, "database \"" + db + "\" is not a number");
    }
    List<String> endpoints = nodes(url, scheme, parts[0], 26379, db.isEmpty() ? "" : "/" + db);
    return new RedisUrl(RedisClientType.SENTINEL, endpoints, parts[1], user, password);
  }

  private static RedisUrl cluster(String url, String scheme, String rest, String user, String password) {
    if (rest.contains("/") && !rest.endsWith("/")) {
      throw invalid(url, "a Redis Cluster has only database 0: no path after the seed nodes");
    }
    String seeds = rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
    return new RedisUrl(RedisClientType.CLUSTER, nodes(url, scheme, seeds, 6379, ""), null, user, password);
  }

  private static List<String> nodes(String url, String scheme, String list, int defaultPort, String path) {
    List<String> endpoints = new ArrayList<>();
    for (String node : list.split(",", -1)) {
      endpoints.add(scheme + "://" + node(url, node, defaultPort) + path);
    }
    return List.copyOf(endpoints);
  }

  private static String node(String url, String node, int defaultPort) {
    Matcher matcher = NODE.matcher(node);
    if (!matcher.matches()) {
      throw invalid(url, node.isEmpty() ? "an empty host" : "host \"" + node + "\" is not host[:port]");
    }
    int port = matcher.group("port") == null ? defaultPort : Integer.parseInt(matcher.group("port"));
    if (port < 1 || port > 65535) {
      throw invalid(url, "port " + port + " is out of range");
    }
    return matcher.group("host") + ":" + port;
  }

  private static String tlsScheme(String scheme) {
    return scheme.startsWith("rediss") ? "rediss" : "redis";
  }

  /** Percent escapes let a password hold @ : / ; a '+' stays a '+' (this is not a form body). */
  private static String emptyToNull(String value) {
    return value.isEmpty() ? null : URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** The message names the knob and the URL with its password masked, never the password. */
  private static ConfigException invalid(String url, String why) {
    String masked = url.replaceAll("(://[^:@/]*:)[^@/]*@", "$1***@");
    return new ConfigException("invalid config " + RedisConfig.URL + "=\"" + masked + "\": "
        + (why.isEmpty() ? "" : why + "; ") + "expected " + FORMS);
  }
}
