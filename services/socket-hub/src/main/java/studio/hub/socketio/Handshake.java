package studio.hub.socketio;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;

/**
 * What the opening request of an Engine.IO session said about its credentials: a token in the query
 * ({@code ?token=}) or in the {@code studio_rt_token} cookie, as the old pages passed it. A token in the
 * Socket.IO CONNECT packet's {@code auth} wins over both.
 */
record Handshake(String queryToken, String cookieToken) {
  static final String TOKEN_COOKIE = "studio_rt_token";

  static Handshake of(HttpServerRequest request) {
    Cookie cookie = request.getCookie(TOKEN_COOKIE);
    return new Handshake(request.getParam("token"), cookie == null ? null : cookie.getValue());
  }

  String token() {
    return queryToken != null && !queryToken.isBlank() ? queryToken : cookieToken;
  }
}
