package studio.contract.room;

/**
 * The realtime token's shape, shared by its issuer (web) and its verifier (hub): an HS256 JWT signed
 * with the realtime key derived from {@code JWT_SECRET_KEY}, with {@code sub}, {@code exp},
 * {@code iss} {@value #ISSUER}, {@code aud} {@value #AUDIENCE} and a {@code rooms} claim holding
 * {@link RoomGrant} patterns.
 */
public final class RealtimeToken {
  public static final String ROOMS_CLAIM = "rooms";
  public static final String ISSUER = "studio-web";
  public static final String AUDIENCE = "studio-hub";

  private RealtimeToken() {
  }
}
