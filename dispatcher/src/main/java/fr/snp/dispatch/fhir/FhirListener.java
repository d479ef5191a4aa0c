package fr.snp.dispatch.fhir;

import fr.snp.dispatch.config.CrlFiles;
import fr.snp.dispatch.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The FHIR endpoint's own HTTPS listener, for the national SAS platform: mutual TLS (TLS 1.2 or 1.3 only, a client
 * certificate required and chained to the configured CA bundle, e.g. IGC-Santé, within its validity dates and not in
 * the configured CRLs, re-read when they change), then the
 * certificate subject's CN and OU looked up in the allow-list ({@link FhirClients}). A listed caller's requests reach
 * the FHIR routes (mounted under {@code /fhir}) with its {@link fr.snp.dispatch.auth.Principal} in the routing context
 * under {@link #PRINCIPAL}; an unlisted one gets 403 with an OperationOutcome. It is a listener of its own, not a path
 * of the main port, because the main port sits behind a TLS reverse proxy that would end the client's TLS (and its
 * certificate) before us.
 * <p>
 * What the FHIR routes answer is not decided here: the caller passes its router (see {@link #start}).
 */
public final class FhirListener {
    private static final Logger LOG = Logger.getLogger(FhirListener.class.getName());

    /** Where the caller's principal is put: the same key api.Authenticator uses, so handlers read it the same way. */
    public static final String PRINCIPAL = "principal";
    static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

    /**
     * What the listener needs, read and checked at startup. {@code port} 0 here means any free port (tests); in the
     * settings, {@code fhir.port=0} means no listener at all (see {@link #config}). {@code crlReloadSeconds}: how
     * often the CRL files are looked at for a new version, 0 = read once at startup.
     */
    public record Config(String host, int port, Buffer keyStore, String keyStorePassword, Buffer trustedCa,
                         FhirClients clients, CrlFiles crl, int crlReloadSeconds) {
        /** Without revocation lists. */
        public Config(String host, int port, Buffer keyStore, String keyStorePassword, Buffer trustedCa,
                      FhirClients clients) {
            this(host, port, keyStore, keyStorePassword, trustedCa, clients, CrlFiles.none(), 0);
        }
    }

    private final HttpServer server;
    private final Vertx vertx;
    /** The CRL watch's timer, -1 when there is none. */
    private final long crlTimer;

    private FhirListener(HttpServer server, Vertx vertx, long crlTimer) {
        this.server = server;
        this.vertx = vertx;
        this.crlTimer = crlTimer;
    }

    /**
     * The listener's configuration from {@code fhir.*}, or null when {@code fhir.port} is 0 (off). Every file is read
     * and checked here, so that a missing or unreadable key store, a wrong password, an empty CA bundle or a malformed
     * allow-list, or a missing, unreadable or foreign CRL, stops the server at startup with a message naming the
     * setting, not at the platform's first call.
     */
    public static Config config(Settings settings) {
        int port = settings.integer("fhir.port");
        if (port == 0) return null;
        if (port < 0 || port > 65_535) throw new IllegalStateException("setting fhir.port is not a port: " + port);
        String password = settings.string("fhir.keyStorePassword");
        Buffer keyStore = Buffer.buffer(read(settings, "fhir.keyStore"));
        checkKeyStore(settings.string("fhir.keyStore"), keyStore, password);
        Buffer trusted = Buffer.buffer(read(settings, "fhir.trustedCa"));
        List<X509Certificate> cas = checkCaBundle(settings.string("fhir.trustedCa"), trusted);
        FhirClients clients = FhirClients.parse(settings.string("fhir.clients"));
        if (clients.isEmpty())
            throw new IllegalStateException("setting fhir.clients is empty while fhir.port is set: no client could call");
        CrlFiles crl = CrlFiles.read(settings, "fhir.crl", cas, "fhir.trustedCa");
        int reload = settings.integer("fhir.crlReloadSeconds");
        if (reload < 0) throw new IllegalStateException("setting fhir.crlReloadSeconds is negative: " + reload);
        return new Config(settings.string("fhir.host"), port, keyStore, password, trusted, clients, crl, reload);
    }

    /**
     * Listens with {@code config} and serves {@code fhirRoutes} under {@code /fhir} (a route {@code GET /metadata} of
     * the router answers {@code GET /fhir/metadata}). Every request, on any path, passes the allow-list first.
     */
    public static Future<FhirListener> start(Vertx vertx, Config config, Router fhirRoutes) {
        HttpServerOptions options = options(config);
        Router root = Router.router(vertx);
        root.route().handler(ctx -> admit(ctx, config.clients()));
        root.route("/fhir*").subRouter(fhirRoutes);
        // the contract wants every error as an OperationOutcome; the FHIR routes may answer their own errors first
        root.errorHandler(404, ctx -> outcome(ctx, 404, "not-found", "no such FHIR resource or operation: "
                + ctx.request().method() + " " + ctx.request().path()));
        root.errorHandler(405, ctx -> outcome(ctx, 405, "not-supported", "method not allowed: " + ctx.request().method()));
        root.errorHandler(500, ctx -> {
            LOG.log(java.util.logging.Level.WARNING, "FHIR request failed: " + ctx.request().path(), ctx.failure());
            outcome(ctx, 500, "exception", "internal error");
        });
        return vertx.createHttpServer(options).requestHandler(root).listen().map(s -> {
            LOG.info("FHIR endpoint listening on https://" + config.host() + ":" + s.actualPort() + "/fhir (mutual TLS"
                    + (config.crl().isEmpty() ? "" : ", revocation lists " + config.crl().files()) + ")");
            long timer = config.crl().isEmpty() || config.crlReloadSeconds() == 0 ? -1
                    : vertx.setPeriodic(config.crlReloadSeconds() * 1000L, id -> reloadCrl(vertx, s, config));
            return new FhirListener(s, vertx, timer);
        });
    }

    /** The server's options; the TLS part is built again, with the CRLs as last read, when they change. */
    static HttpServerOptions options(Config config) {
        HttpServerOptions options = new HttpServerOptions().setHost(config.host()).setPort(config.port())
                .setSsl(true)
                .setClientAuth(ClientAuth.REQUIRED)
                // TLS 1.0 and 1.1 are refused even on a JVM that still allows them
                .setEnabledSecureTransportProtocols(PROTOCOLS)
                .setKeyCertOptions(new PfxOptions().setValue(config.keyStore()).setPassword(config.keyStorePassword()))
                // only the configured CA bundle: never the JVM's default trust store (public web CAs)
                .setTrustOptions(new PemTrustOptions().addCertValue(config.trustedCa()))
                .setSslHandshakeTimeout(10);
        // values, not paths: what Vert.x is given is what CrlFiles read and checked, never a file changed in between
        for (byte[] crl : config.crl().current()) options.addCrlValue(Buffer.buffer(crl));
        return options;
    }

    /**
     * Looks at the CRL files (off the event loop: file reads) and, when one changed, hands the new lists to the
     * running server: connections opened afterwards are checked against them, open ones are not cut. A file that
     * cannot be used keeps the lists in force (logged; tried again at the next tick).
     */
    private static void reloadCrl(Vertx vertx, HttpServer server, Config config) {
        vertx.executeBlocking(() -> config.crl().reloadIfChanged()).compose(changed -> {
            if (!changed) return Future.succeededFuture(false);
            ServerSSLOptions ssl = options(config).getSslOptions();
            // forced: the TLS context is rebuilt even should Vert.x judge the options unchanged; the files did change
            return server.updateSSLOptions(ssl, true);
        }).onSuccess(updated -> {
            if (updated) LOG.info("FHIR listener: revocation lists re-read from " + config.crl().files());
        }).onFailure(e -> LOG.warning("FHIR listener: the revocation lists in force are kept: " + e.getMessage()));
    }

    /** The port it listens on (the actual one when configured with 0). */
    public int port() { return server.actualPort(); }

    public Future<Void> close() {
        if (crlTimer >= 0) vertx.cancelTimer(crlTimer);
        return server.close();
    }

    /**
     * The TLS handshake has checked the chain, the dates and the possession of the key; here the leaf's subject is
     * looked up. A missing chain cannot happen with a required client certificate, and is refused all the same.
     */
    static void admit(RoutingContext ctx, FhirClients clients) {
        List<Certificate> chain;
        try {
            chain = ctx.request().connection().peerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            chain = Collections.emptyList();
        }
        if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate leaf)) {
            forbidden(ctx, "a client certificate is required");
            return;
        }
        FhirClients.Client client = clients.match(leaf.getSubjectX500Principal());
        if (client == null) {
            // the subject is named so that the operator can tell what to add; it is not secret (sent in clear in TLS 1.2)
            String subject = leaf.getSubjectX500Principal().getName();
            LOG.warning("FHIR call refused: certificate subject not in fhir.clients: " + subject);
            forbidden(ctx, "the client certificate's subject (" + subject + ") is not allowed to call this endpoint");
            return;
        }
        ctx.put(PRINCIPAL, client.principal());
        ctx.next();
    }

    static void forbidden(RoutingContext ctx, String diagnostics) { outcome(ctx, 403, "forbidden", diagnostics); }

    /** An error as FHIR says: an OperationOutcome with one issue ({@code code} from the FHIR issue-type value set). */
    static void outcome(RoutingContext ctx, int status, String code, String diagnostics) {
        if (ctx.response().headWritten()) {
            ctx.response().reset();
            return;
        }
        JsonObject outcome = new JsonObject().put("resourceType", "OperationOutcome").put("issue", new JsonArray()
                .add(new JsonObject().put("severity", "error").put("code", code).put("diagnostics", diagnostics)));
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/fhir+json").end(outcome.encode());
    }

    private static byte[] read(Settings settings, String key) {
        String file = settings.string(key);
        if (file.isEmpty()) throw new IllegalStateException("setting " + key + " is empty while fhir.port is set");
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("setting " + key + ": cannot read " + file + " (" + e + ")", e);
        }
    }

    private static void checkKeyStore(String file, Buffer bytes, String password) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(new ByteArrayInputStream(bytes.getBytes()), password.toCharArray());
            for (String alias : Collections.list(ks.aliases())) if (ks.isKeyEntry(alias)) return;
            throw new IllegalStateException("setting fhir.keyStore: " + file + " holds no private key (the server's "
                    + "certificate and key, PKCS12)");
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("setting fhir.keyStore: " + file + " is not a PKCS12 key store this "
                    + "fhir.keyStorePassword opens (" + e.getMessage() + ")", e);
        }
    }

    private static List<X509Certificate> checkCaBundle(String file, Buffer bytes) {
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes.getBytes()));
            if (certs.isEmpty()) throw new CertificateException("no certificate in it");
            return certs.stream().map(c -> (X509Certificate) c).toList();
        } catch (CertificateException e) {
            throw new IllegalStateException("setting fhir.trustedCa: " + file + " is not a PEM bundle of CA certificates ("
                    + e.getMessage() + ")", e);
        }
    }
}
