package fr.snp.dispatch.sas;

import fr.snp.dispatch.config.CrlFiles;
import fr.snp.dispatch.config.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP side of INT_R03: creates an appointment on the national SAS platform ({@code POST {sas.baseUrl}/Appointment},
 * 201 + Location) and updates it (conditional {@code PUT {sas.baseUrl}/Appointment?identifier=system|value}, 200),
 * over mutual TLS: our client certificate from {@code sas.clientKeyStore} (PKCS12), the platform's certificate
 * checked against {@code sas.trustedCa} (PEM), its host name and the revocation lists {@code sas.crl} (read once, at
 * startup), TLS 1.2 or 1.3 only, no redirect followed.
 * Blocking calls: the push worker has a thread of its own. The answer's body is never logged (an OperationOutcome
 * could quote what we sent, which holds no patient data anyway).
 */
public final class SasPush implements AutoCloseable {
    public static final String FHIR_JSON = "application/fhir+json";

    /** The answer of one push: its HTTP status (0: no answer), and a short reason when it failed. */
    public record Result(int status, String failure) {
        public boolean ok() { return failure == null; }

        /**
         * Whether the platform refused this push for good: a 4xx says the request itself is wrong (400/422 an invalid
         * Appointment, 404, 409, 412...), so sending it again as it is will not help; except 408 (request time-out),
         * 425 (too early) and 429 (too many requests), which say "later", and 401/403, which say who we are is not
         * accepted (a certificate renewed on one side only, an authorisation not yet granted): that is every push at
         * once, fixed by an operator, after which each must still go; the SasPushStuck alert calls for them.
         * No answer (0) and 5xx are transient.
         */
        public boolean permanent() {
            return !ok() && status >= 400 && status < 500 && status != 401 && status != 403 && status != 408
                    && status != 425 && status != 429;
        }
    }

    private final String baseUrl;
    private final WebClient client;
    private final long timeoutMs;

    private SasPush(String baseUrl, WebClient client, long timeoutMs) {
        this.baseUrl = baseUrl;
        this.client = client;
        this.timeoutMs = timeoutMs;
    }

    /** The push as configured, or null when {@code sas.baseUrl} is empty (push off). */
    public static SasPush from(Vertx vertx, Settings settings) {
        String base = settings.string("sas.baseUrl").replaceAll("/+$", "");
        if (base.isEmpty()) return null;
        WebClientOptions options = new WebClientOptions().setFollowRedirects(false).setVerifyHost(true)
                .setConnectTimeout(settings.integer("sas.timeoutMs"))
                .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"));
        if (!base.startsWith("https://")) {
            throw new IllegalArgumentException("sas.baseUrl must be https (mutual TLS with the SAS platform): " + base);
        }
        options.setSsl(true);
        if (settings.isSet("sas.clientKeyStore")) {
            options.setKeyCertOptions(new PfxOptions().setPath(settings.string("sas.clientKeyStore"))
                    .setPassword(settings.string("sas.clientKeyStorePassword")));
        }
        // without it, the JVM's default trust store: IGC-Santé is not in it, so set it for the real platform
        if (settings.isSet("sas.trustedCa")) {
            options.setTrustOptions(new PemTrustOptions().addCertPath(settings.string("sas.trustedCa")));
        }
        for (byte[] value : crl(settings).current()) options.addCrlValue(Buffer.buffer(value));
        return new SasPush(base, WebClient.create(vertx, options), settings.integer("sas.timeoutMs"));
    }

    /**
     * Reads and checks what can stop the push at startup ({@code sas.crl}), when the push is on: called before the
     * server starts anything, so that a bad file is a clean startup error, not one half-way through.
     */
    public static void checkSettings(Settings settings) {
        if (settings.isSet("sas.baseUrl")) crl(settings);
    }

    /** The revocation lists of {@code sas.crl}; isSet: a configuration file older than the setting means none. */
    private static CrlFiles crl(Settings settings) {
        return settings.isSet("sas.crl") ? CrlFiles.read(settings, "sas.crl", trustedCas(settings), "sas.trustedCa")
                : CrlFiles.none();
    }

    /** The CAs of {@code sas.trustedCa}, which must sign the CRLs; none (the JVM's trust store): CRLs unchecked. */
    private static List<X509Certificate> trustedCas(Settings settings) {
        if (!settings.isSet("sas.trustedCa")) return List.of();
        String file = settings.string("sas.trustedCa");
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(c -> (X509Certificate) c).toList();
        } catch (IOException | CertificateException | RuntimeException e) {
            throw new IllegalStateException("setting sas.trustedCa: cannot read " + file + " as PEM certificates (" + e + ")", e);
        }
    }

    /** Creates the appointment (its first push); a conditional create, so that a retried POST makes no duplicate. */
    public Result create(SasAppointment a) throws InterruptedException {
        HttpRequest<Buffer> r = client.requestAbs(HttpMethod.POST, baseUrl + "/Appointment")
                .putHeader("If-None-Exist", "identifier=" + a.identifierSearch());
        // 201 created; 200 when a conditional create found it (a POST retried after its answer was lost)
        return send(r, a, 201, 200);
    }

    /** Updates it: the conditional update by our identifier. */
    public Result update(SasAppointment a) throws InterruptedException {
        HttpRequest<Buffer> r = client.requestAbs(HttpMethod.PUT, baseUrl + "/Appointment")
                .addQueryParam("identifier", a.identifierSearch());
        return send(r, a, 200, 201);
    }

    private Result send(HttpRequest<Buffer> r, SasAppointment a, int expected, int alsoFine) throws InterruptedException {
        r.putHeader("Content-Type", FHIR_JSON).putHeader("Accept", FHIR_JSON).timeout(timeoutMs);
        try {
            HttpResponse<Buffer> answer = r.sendBuffer(Buffer.buffer(a.toFhir().encode())).toCompletionStage()
                    .toCompletableFuture().get(timeoutMs + 1000, TimeUnit.MILLISECONDS);
            int status = answer.statusCode();
            return status == expected || status == alsoFine ? new Result(status, null)
                    : new Result(status, "the SAS platform answered " + status);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            // a refused handshake (our certificate not trusted, theirs not ours to trust), a time-out, a refused connection
            return new Result(0, cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
    }

    public String baseUrl() { return baseUrl; }

    /** How long one push may take (connection and answer). */
    public long timeoutMs() { return timeoutMs; }

    @Override
    public void close() { client.close(); }
}
