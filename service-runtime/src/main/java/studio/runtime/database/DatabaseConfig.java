package studio.runtime.database;

import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;
import java.time.Duration;
import org.postgresql.ds.PGSimpleDataSource;
import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;
import studio.runtime.config.StudioEnvironment;

/**
 * PostgreSQL connection settings. {@code url} is null until the launcher knows it: unset in
 * development means "start embedded PostgreSQL".
 */
public record DatabaseConfig(String url, String password, int poolSize, Duration connectTimeout, int connectRetries,
                             boolean statementCache) {
  public static final String URL = "DATABASE_URL";
  public static final String PASSWORD = "DATABASE_PASSWORD";
  public static final String POOL_SIZE = "STUDIO_DATABASE_POOL_SIZE";
  public static final String CONNECT_TIMEOUT = "STUDIO_DATABASE_CONNECT_TIMEOUT";
  public static final String CONNECT_RETRIES = "STUDIO_DATABASE_CONNECT_RETRIES";
  /**
   * Each connection keeps its prepared statements (parsed and planned once) instead of preparing,
   * running and closing one per query: 714 -> 1,152 noop tasks/s for one runner in
   * {@code scripts/bench tasks}. Off for a pooler that cannot keep them (PgBouncer in transaction mode
   * before 1.21, or without {@code max_prepared_statements}).
   */
  public static final String STATEMENT_CACHE = "STUDIO_DATABASE_STATEMENT_CACHE";

  /** With the statement cache on, the default. */
  public DatabaseConfig(String url, String password, int poolSize, Duration connectTimeout, int connectRetries) {
    this(url, password, poolSize, connectTimeout, connectRetries, true);
  }

  public static DatabaseConfig from(Settings settings, StudioEnvironment env) {
    String url = settings.optional(URL).orElse(null);
    String password = settings.optional(PASSWORD).orElse(null);
    if (url != null) {
      PostgresTls.of(url, parse(url));
      if (env == StudioEnvironment.PRODUCTION && password == null && !urlHasPassword(url)) {
        throw new ConfigException("missing config " + PASSWORD
            + ": required when STUDIO_ENV=production and DATABASE_URL carries no password");
      }
    } else if (env == StudioEnvironment.PRODUCTION) {
      throw new ConfigException("missing config " + URL
          + ": required when STUDIO_ENV=production (embedded PostgreSQL is for development)");
    }
    return new DatabaseConfig(url, password,
        settings.intAtLeast(POOL_SIZE, 10, 1),
        settings.duration(CONNECT_TIMEOUT, Duration.ofSeconds(5)),
        settings.intAtLeast(CONNECT_RETRIES, 10, 0),
        settings.bool(STATEMENT_CACHE, true));
  }

  public DatabaseConfig withUrl(String newUrl) {
    return new DatabaseConfig(newUrl, password, poolSize, connectTimeout, connectRetries, statementCache);
  }

  /**
   * The reactive pool's connection options: the URL with the password override and its TLS settings
   * ({@link PostgresTls}) applied; fails if no URL is known yet.
   */
  public PgConnectOptions connectOptions() {
    if (url == null) {
      throw new IllegalStateException(URL + " is not resolved yet");
    }
    PgConnectOptions options = parse(url);
    if (password != null) {
      options.setPassword(password);
    } else if (!urlHasPassword(url)) {
      // PgConnectOptions would otherwise send its built-in default password ("pass").
      options.setPassword("");
    }
    PostgresTls.of(url, options).applyTo(options);
    options.setCachePreparedStatements(statementCache);
    return options;
  }

  /**
   * The same database for JDBC (Flyway), made from {@link #connectOptions()}, so host, credentials,
   * TLS and {@code application_name} are the pool's and cannot drift from them.
   */
  public PGSimpleDataSource dataSource() {
    PgConnectOptions options = connectOptions();
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setServerNames(new String[] {options.getHost()});
    source.setPortNumbers(new int[] {options.getPort()});
    source.setDatabaseName(options.getDatabase());
    source.setUser(options.getUser());
    source.setPassword(options.getPassword());
    source.setConnectTimeout((int) Math.max(1, connectTimeout.toSeconds()));
    PostgresTls.of(url, options).applyTo(source);
    if (options.getProperties() != null && options.getProperties().containsKey("application_name")) {
      source.setApplicationName(options.getProperties().get("application_name"));
    }
    return source;
  }

  private static PgConnectOptions parse(String url) {
    PostgresTls.checkMode(url);
    try {
      return PgConnectOptions.fromUri(url);
    } catch (RuntimeException e) {
      throw new ConfigException("invalid config " + URL + "=\"" + redact(url)
          + "\": expected postgresql://user[:password]@host[:port]/database");
    }
  }

  static String redact(String url) {
    return url.replaceAll("//([^:/@]+):[^@]*@", "//$1:***@");
  }

  private static boolean urlHasPassword(String url) {
    try {
      String userInfo = URI.create(url).getRawUserInfo();
      return userInfo != null && userInfo.indexOf(':') >= 0 && userInfo.indexOf(':') < userInfo.length() - 1;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "DatabaseConfig[url=" + (url == null ? "embedded" : redact(url)) + ", poolSize=" + poolSize + "]";
  }
}
