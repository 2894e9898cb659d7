package studio.runtime.cluster;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.NamedParameterSpec;
import java.util.Base64;

/**
 * The event bus's TLS identity, derived from the cluster secret, so every process that holds the
 * secret makes the same one and nothing else can. An Ed25519 private key is 32 random bytes (RFC 8032
 * 5.1.5); here they are an HKDF output of the secret, and the JDK computes the public key from them.
 * The certificate over it is self-signed with fixed fields, and Ed25519 signatures are deterministic,
 * so it is byte-identical in every process. Each member presents it and trusts nothing else.
 */
public final class ClusterCertificate {
  private static final String TLS_KEY_INFO = "studio cluster tls ed25519 v1";
  private static final String SUBJECT = "studio-cluster";
  private static final byte[] ED25519 = {0x06, 0x03, 0x2b, 0x65, 0x70}; // OID 1.3.101.112
  private static final byte[] COMMON_NAME = {0x06, 0x03, 0x55, 0x04, 0x03}; // OID 2.5.4.3
  /** Guards a key store that never leaves memory; PKCS12 needs one. */
  static final String STORE_PASSWORD = "studio-cluster";

  private final KeyPair keyPair;
  private final X509Certificate certificate;

  private ClusterCertificate(KeyPair keyPair, X509Certificate certificate) {
    this.keyPair = keyPair;
    this.certificate = certificate;
  }

  public static ClusterCertificate derive(String secret) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
      generator.initialize(NamedParameterSpec.ED25519, new SeedOnce(ClusterKeys.fromSecret(secret, TLS_KEY_INFO, 32)));
      KeyPair keyPair = generator.generateKeyPair();
      return new ClusterCertificate(keyPair, selfSigned(keyPair));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is part of every JDK from 15 on", e);
    }
  }

  X509Certificate certificate() {
    return certificate;
  }

  /** The key and its certificate as a PKCS12 store (password {@link #STORE_PASSWORD}), as Vert.x loads TLS keys. */
  Buffer keyStore() {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = STORE_PASSWORD.toCharArray();
      store.setKeyEntry("cluster", keyPair.getPrivate(), password, new Certificate[] {certificate});
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      store.store(out, password);
      return Buffer.buffer(out.toByteArray());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot write an in-memory PKCS12 store", e);
    }
  }

  /** The certificate as PEM, the one trust anchor. */
  Buffer pem() {
    try {
      String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
          .encodeToString(certificate.getEncoded());
      return Buffer.buffer("-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An X.509 v1 certificate: no extensions to get wrong, valid from 2020 to the end of 9999. */
  private static X509Certificate selfSigned(KeyPair keyPair) throws GeneralSecurityException {
    byte[] algorithm = Der.sequence(ED25519);
    byte[] name = Der.sequence(Der.set(Der.sequence(COMMON_NAME, Der.utf8(SUBJECT))));
    byte[] validity = Der.sequence(Der.utcTime("200101000000Z"), Der.generalizedTime("99991231235959Z"));
    byte[] toBeSigned = Der.sequence(Der.integer(1), algorithm, name, validity, name, keyPair.getPublic().getEncoded());
    Signature signature = Signature.getInstance("Ed25519");
    signature.initSign(keyPair.getPrivate());
    signature.update(toBeSigned);
    byte[] encoded = Der.sequence(toBeSigned, algorithm, Der.bitString(signature.sign()));
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(encoded));
  }

  /**
   * Hands a key generator the seed once and refuses anything more, so it can mix in nothing else:
   * a generator that asked twice would fail here rather than make a key other processes cannot.
   */
  private static final class SeedOnce extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private transient byte[] seed;

    SeedOnce(byte[] seed) {
      this.seed = seed;
    }

    @Override
    public synchronized void nextBytes(byte[] bytes) {
      if (seed == null || bytes.length != seed.length) {
        throw new IllegalStateException("the key generator asked for other randomness than the derived seed");
      }
      System.arraycopy(seed, 0, bytes, 0, seed.length);
      seed = null;
    }

    @Override
    public byte[] generateSeed(int length) {
      throw new IllegalStateException("the key generator asked for a seed of its own");
    }
  }
}
