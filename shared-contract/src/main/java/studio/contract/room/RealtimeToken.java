package studio.contract.room;

/**
 * The realtime token's shape, shared by its issuer (web) and its verifier (hub): an HS256 JWT
 * signed with {@code JWT_SECRET_KEY}, with {@code sub}, {@code exp} and a {@code rooms} claim
 * holding {@link RoomGrant} patterns.
 */
public final class RealtimeToken {
  public static final String ROOMS_CLAIM = "rooms";

  private RealtimeToken() {
  }
}
