package fr.snp.dispatch.fhir;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A throwaway PKI for tests of mutual TLS (the FHIR listener, the SAS platform stand-in of the appointment push): a CA,
 * a server certificate for {@code localhost} / {@code 127.0.0.1}, client certificates, valid, expired or
 * self-signed, and the CA's revocation lists. Another CA, for a peer that trusts none of ours, is another
 * {@code create} in another directory. Every file is written under the directory given (a JUnit {@code @TempDir}); every PKCS12 file has the
 * password {@link #PASSWORD}. RSA 2048 and SHA-256, as IGC-Santé certificates.
 * <pre>
 *   TestPki pki = TestPki.create(dir);                      // CA + server certificate
 *   pki.caPem();                                            // the CA bundle to trust (fhir.trustedCa)
 *   pki.server().p12();                                     // the server's key store (fhir.keyStore)
 *   TestPki.Issued sas = pki.client("CN=sas.sante.fr,OU=ANS");
 *   SSLContext tls = pki.clientContext(sas);                // presents sas, trusts the CA
 *   pki.crl(dir.resolve("ca.crl"), false, sas.certificate()); // a CRL revoking it (fhir.crl)
 * </pre>
 */
public final class TestPki {
    public static final String PASSWORD = "test-pki";
    public static final String CA_SUBJECT = "CN=Test IGC-Sante CA,O=SNP tests,C=FR";

    /** One certificate and its key, as a PKCS12 file (key, certificate, CA) and as PEM files (certificate, key). */
    public record Issued(Path p12, Path certPem, Path keyPem, X509Certificate certificate) {}

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final Path caPem;
    private final Issued server;

    private TestPki(Path dir, KeyPair caKeys, X509Certificate ca, Path caPem) throws Exception {
        this.dir = dir;
        this.caKeys = caKeys;
        this.ca = ca;
        this.caPem = caPem;
        this.server = issue("server", "CN=localhost,O=SNP tests,C=FR", caKeys, ca, Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)), false);
    }

    /** A new CA (its certificate in {@code ca.pem}) and a server certificate signed by it, under {@code dir}. */
    public static TestPki create(Path dir) throws Exception {
        Files.createDirectories(dir);
        KeyPair keys = rsa();
        Instant now = Instant.now();
        X509Certificate ca = sign(new X500Name(CA_SUBJECT), keys.getPublic(), new X500Name(CA_SUBJECT), keys.getPrivate(),
                now.minus(Duration.ofDays(30)), now.plus(Duration.ofDays(3650)), Kind.CA, null);
        Path pem = dir.resolve("ca.pem");
        Files.writeString(pem, pem(ca));
        return new TestPki(dir, keys, ca, pem);
    }

    /** The CA's certificate, PEM: what the server (or the client) trusts. */
    public Path caPem() { return caPem; }

    public X509Certificate caCertificate() { return ca; }

    /** The server certificate: subject CN=localhost, SAN DNS localhost and IP 127.0.0.1, signed by the CA. */
    public Issued server() { return server; }

    /** A client certificate for {@code subject} (RFC 4514, e.g. "CN=sas.sante.fr,OU=ANS"), valid now, signed by the CA. */
    public Issued client(String subject) throws Exception {
        return issue(fileName(subject), subject, caKeys, ca, Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)), true);
    }

    /** A client certificate signed by the CA whose validity ended yesterday (it began 60 days ago). */
    public Issued expiredClient(String subject) throws Exception {
        return issue(fileName(subject) + "-expired", subject, caKeys, ca, Instant.now().minus(Duration.ofDays(60)),
                Instant.now().minus(Duration.ofDays(1)), true);
    }

    /** A client certificate signed by its own key (no CA): what anyone can make with the right subject. */
    public Issued selfSignedClient(String subject) throws Exception {
        return issue(fileName(subject) + "-selfsigned", subject, null, null, Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)), true);
    }

    /**
     * Writes to {@code file} a CRL of this CA (PEM, or DER when {@code der}) listing {@code revoked} (none: an empty
     * list), issued a minute ago, next update in a day. The file is replaced in one move, as a fetch job should do it,
     * so that a reader never sees half of it.
     */
    public Path crl(Path file, boolean der, X509Certificate... revoked) throws Exception {
        Instant now = Instant.now();
        X509v2CRLBuilder b = new X509v2CRLBuilder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
                Date.from(now.minus(Duration.ofMinutes(1))));
        b.setNextUpdate(Date.from(now.plus(Duration.ofDays(1))));
        for (X509Certificate c : revoked) b.addCRLEntry(c.getSerialNumber(), Date.from(now.minus(Duration.ofMinutes(1))),
                CRLReason.keyCompromise);
        b.addExtension(Extension.authorityKeyIdentifier, false, new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca));
        X509CRL crl = new JcaX509CRLConverter().getCRL(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate())));
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
        if (der) Files.write(tmp, crl.getEncoded());
        else Files.writeString(tmp, pem("X509 CRL", crl.getEncoded()));
        return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A TLS client context that presents {@code client} (null: no certificate) and trusts this CA only. */
    public SSLContext clientContext(Issued client) throws Exception {
        return context(client == null ? null : client.p12(), caPem);
    }

    /** A TLS context from a PKCS12 key store ({@link #PASSWORD}; null: no key) and a PEM bundle of trusted CAs. */
    public static SSLContext context(Path p12, Path trustedPem) throws Exception {
        KeyManagerFactory kmf = null;
        if (p12 != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) { ks.load(in, PASSWORD.toCharArray()); }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, PASSWORD.toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        try (InputStream in = Files.newInputStream(trustedPem)) {
            for (Certificate c : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in))
                trust.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : new KeyManager[] {new AlwaysPresent((X509ExtendedKeyManager) kmf.getKeyManagers()[0])},
                tmf.getTrustManagers(), null);
        return ctx;
    }

    /**
     * Presents the key store's certificate whatever CAs the server names in its certificate request. The JDK's own
     * key manager sends nothing when its certificate's issuer is not among them: a test of a self-signed or foreign
     * certificate would then only test "no certificate". A client out to get in sends its certificate anyway.
     */
    private static final class AlwaysPresent extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager keys;

        AlwaysPresent(X509ExtendedKeyManager keys) { this.keys = keys; }

        private String any(String[] types) {
            for (String t : types) {
                String[] aliases = keys.getClientAliases(t, null);
                if (aliases != null && aliases.length > 0) return aliases[0];
            }
            return null;
        }

        @Override public String chooseClientAlias(String[] types, Principal[] issuers, Socket socket) { return any(types); }
        @Override public String chooseEngineClientAlias(String[] types, Principal[] issuers, SSLEngine engine) { return any(types); }
        @Override public String[] getClientAliases(String type, Principal[] issuers) { return keys.getClientAliases(type, null); }
        @Override public String[] getServerAliases(String type, Principal[] issuers) { return keys.getServerAliases(type, issuers); }
        @Override public String chooseServerAlias(String type, Principal[] issuers, Socket socket) { return keys.chooseServerAlias(type, issuers, socket); }
        @Override public X509Certificate[] getCertificateChain(String alias) { return keys.getCertificateChain(alias); }
        @Override public PrivateKey getPrivateKey(String alias) { return keys.getPrivateKey(alias); }
    }

    private enum Kind { CA, SERVER, CLIENT }

    private Issued issue(String name, String subject, KeyPair issuerKeys, X509Certificate issuer, Instant from, Instant to,
                         boolean client) throws Exception {
        KeyPair keys = rsa();
        X500Name subjectName = new X500Name(subject);
        boolean selfSigned = issuer == null;
        X509Certificate cert = sign(subjectName, keys.getPublic(),
                selfSigned ? subjectName : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()),
                selfSigned ? keys.getPrivate() : issuerKeys.getPrivate(), from, to, client ? Kind.CLIENT : Kind.SERVER,
                selfSigned ? null : issuer);
        Certificate[] chain = selfSigned ? new Certificate[] {cert} : new Certificate[] {cert, issuer};
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("key", keys.getPrivate(), PASSWORD.toCharArray(), chain);
        Path p12 = dir.resolve(name + ".p12");
        try (OutputStream out = Files.newOutputStream(p12)) { ks.store(out, PASSWORD.toCharArray()); }
        Path certPem = dir.resolve(name + ".crt.pem");
        Files.writeString(certPem, pem(cert) + (selfSigned ? "" : pem(issuer)));
        Path keyPem = dir.resolve(name + ".key.pem");
        Files.writeString(keyPem, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        return new Issued(p12, certPem, keyPem, cert);
    }

    private static X509Certificate sign(X500Name subject, PublicKey key, X500Name issuer, PrivateKey issuerKey,
                                        Instant from, Instant to, Kind kind, X509Certificate issuerCert) throws Exception {
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(from), Date.from(to), subject, key);
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
        if (issuerCert != null) b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuerCert));
        switch (kind) {
            case CA -> {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            }
            case SERVER -> {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            }
            case CLIENT -> {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            }
        }
        X509CertificateHolder holder = b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey));
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static String fileName(String subject) {
        return "client-" + subject.replaceAll("[^A-Za-z0-9.-]+", "_") + "-" + SERIAL.incrementAndGet();
    }

    static String pem(X509Certificate cert) throws IOException {
        try {
            return pem("CERTIFICATE", cert.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IOException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
