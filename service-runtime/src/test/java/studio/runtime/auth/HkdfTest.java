package studio.runtime.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The test vectors of RFC 5869, appendix A (the SHA-256 cases). */
class HkdfTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] IKM = new byte[22];

  static {
    Arrays.fill(IKM, (byte) 0x0b);
  }

  @Test
  @DisplayName("RFC 5869 A.1: basic test case with SHA-256")
  void basicCase() {
    byte[] salt = HEX.parseHex("000102030405060708090a0b0c");
    byte[] info = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9");
    assertThat(HEX.formatHex(Hkdf.extract(salt, IKM)))
        .isEqualTo("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
    assertThat(HEX.formatHex(Hkdf.derive(salt, IKM, info, 42)))
        .isEqualTo("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  }

  @Test
  @DisplayName("RFC 5869 A.3: zero-length salt and info")
  void emptySaltAndInfo() {
    assertThat(HEX.formatHex(Hkdf.extract(new byte[0], IKM)))
        .isEqualTo("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
    assertThat(HEX.formatHex(Hkdf.derive(new byte[0], IKM, new byte[0], 42)))
        .isEqualTo("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  }
}
