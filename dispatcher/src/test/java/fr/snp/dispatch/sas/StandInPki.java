package fr.snp.dispatch.sas;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/**
 * A throwaway PKI for the SAS platform stand-in, made in-process with BouncyCastle (milliseconds; keytool took tens
 * of seconds on a busy machine): a test CA, the stand-in's server certificate (localhost, 127.0.0.1) and our client
 * certificate, both signed by it, and another CA that signed nothing of ours (a platform that does not trust us).
 * PKCS12 stores and PEM CAs, one password, valid a day. A minimal one of our own: the mutual-TLS listener's TestPki
 * will replace it when the branches meet.
 */
final class StandInPki {
    static final String PASSWORD = "stand-in-pw";
    private static final SecureRandom RANDOM = new SecureRandom();

    final Path dir;
    final Path caPem;
    final Path serverP12;
    final Path clientP12;
    final Path otherCaPem;

    private StandInPki(Path dir) {
        this.dir = dir;
        this.caPem = dir.resolve("ca.pem");
        this.serverP12 = dir.resolve("server.p12");
        this.clientP12 = dir.resolve("client.p12");
        this.otherCaPem = dir.resolve("other-ca.pem");
    }

    /** Removes the certificates and keys (the test's temporary directory). */
    void delete() throws java.io.IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
        }
        Files.deleteIfExists(dir);
    }

    static StandInPki make() throws Exception {
        StandInPki pki = new StandInPki(Files.createTempDirectory("sas-stand-in-pki"));
        KeyPair ca = keyPair();
        X500Name caName = new X500Name("CN=SNP test SAS CA");
        X509Certificate caCert = sign(caName, ca, caName, ca, true, null, null);
        pem(caCert, pki.caPem);
        KeyPair server = keyPair();
        X509Certificate serverCert = sign(caName, ca, new X500Name("CN=localhost, OU=SAS platform stand-in"), server, false,
                KeyPurposeId.id_kp_serverAuth, new GeneralNames(new GeneralName[]{
                        new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        pkcs12("server", server, new Certificate[]{serverCert, caCert}, pki.serverP12);
        KeyPair client = keyPair();
        X509Certificate clientCert = sign(caName, ca, new X500Name("CN=cpts-test.snp.example, OU=SNP dispatcher"), client,
                false, KeyPurposeId.id_kp_clientAuth, null);
        pkcs12("client", client, new Certificate[]{clientCert, caCert}, pki.clientP12);
        KeyPair other = keyPair();
        X500Name otherName = new X500Name("CN=Another CA");
        pem(sign(otherName, other, otherName, other, true, null, null), pki.otherCaPem);
        return pki;
    }

    private static KeyPair keyPair() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256, RANDOM);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X500Name issuer, KeyPair issuerKeys, X500Name subject, KeyPair subjectKeys,
                                        boolean authority, KeyPurposeId purpose, GeneralNames names) throws Exception {
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM).abs().add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(1))), subject, subjectKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(authority ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                : KeyUsage.digitalSignature | KeyUsage.keyAgreement));
        if (purpose != null) b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        if (names != null) b.addExtension(Extension.subjectAlternativeName, false, names);
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }

    private static void pem(X509Certificate cert, Path file) throws Exception {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded());
        Files.writeString(file, "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n");
    }

    private static void pkcs12(String alias, KeyPair keys, Certificate[] chain, Path file) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(alias, keys.getPrivate(), PASSWORD.toCharArray(), chain);
        try (OutputStream out = Files.newOutputStream(file)) { ks.store(out, PASSWORD.toCharArray()); }
    }
}
