package fr.snp.dispatch.ops;

import fr.snp.dispatch.Api;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A real HAProxy 2.6 (Debian's) for the tests: the shipped configuration, a test certificate, waits. */
public final class Haproxy {
    public static final String HAPROXY = "/usr/sbin/haproxy";
    /** The repository's ops/ directory (the tests run in dispatcher/). */
    public static final Path OPS = Path.of("..", "ops").toAbsolutePath().normalize();

    private Haproxy() {}

    /** A foreground HAProxy (-db) with its log (stdout) and errors into {@code log}, listening on {@code port}. */
    public static Process start(Path cfg, Map<String, String> env, Path log, int port) throws Exception {
        ProcessBuilder b = new ProcessBuilder(HAPROXY, "-db", "-f", cfg.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        b.environment().putAll(env);
        Process p = b.start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            assertThat(p.isAlive()).as("haproxy " + cfg.getFileName() + " runs: " + Files.readString(log)).isTrue();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return p;
            } catch (java.io.IOException notYet) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new AssertionError("haproxy " + cfg.getFileName() + " not listening: " + Files.readString(log));
    }

    /** The dispatcher answers through both proxies (the edge's health check has seen it). */
    public static void awaitUp(Api api) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (api.get("/health", null).status() != 200) {
            assertThat(System.currentTimeMillis()).as("the dispatcher answers through the proxies").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /**
     * A certificate for 127.0.0.1 made by the JDK's keytool (no openssl needed), as HAProxy reads it (certificate and
     * key in one PEM file), and a TLS context that trusts it alone.
     */
    public record TestCertificate(Path pem, Certificate certificate) {
        public static TestCertificate make(Path dir) throws Exception {
            Path store = dir.resolve("proxy.p12");
            char[] pass = "test-only".toCharArray();
            Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair", "-alias", "proxy", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                    "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                    "-storepass", new String(pass), "-keypass", new String(pass)).redirectErrorStream(true).start();
            String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(keytool.waitFor(30, TimeUnit.SECONDS) && keytool.exitValue() == 0).as(out).isTrue();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) { ks.load(in, pass); }
            Certificate cert = ks.getCertificate("proxy");
            Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
            Path pem = dir.resolve("proxy.pem");
            Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + b64.encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n"
                    + "-----BEGIN PRIVATE KEY-----\n" + b64.encodeToString(ks.getKey("proxy", pass).getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");
            Files.setPosixFilePermissions(pem, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            return new TestCertificate(pem, cert);
        }

        public SSLContext trusting() throws Exception {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("proxy", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        }
    }
}
