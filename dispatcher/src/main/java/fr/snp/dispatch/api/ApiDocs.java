package fr.snp.dispatch.api;

import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * GET /api/docs: the contract's documentation page, Swagger UI on /api/v1/openapi.json. Swagger UI's files come from
 * its webjar (org.webjars:swagger-ui) in the jar, served under /api/docs/ui/ from the webjar's own folder, whose name
 * carries its version: read from the webjar's pom.properties, so that a version bump in the pom needs nothing here.
 */
final class ApiDocs {
    private static final String WEBJAR = "META-INF/maven/org.webjars/swagger-ui/pom.properties";

    private final String page;
    private final String uiRoot;

    private ApiDocs(String page, String uiRoot) {
        this.page = page;
        this.uiRoot = uiRoot;
    }

    /** {@code demo}: the demo tokens work, and the page is handed the demo regulator's to try the calls with. */
    static ApiDocs load(boolean demo) {
        Properties webjar = new Properties();
        try (InputStream in = resource(WEBJAR); InputStream html = resource("webroot/api-docs.html")) {
            webjar.load(in);
            String text = new String(html.readAllBytes(), StandardCharsets.UTF_8);
            return new ApiDocs(text.replace("{{demoToken}}", demo ? "demo-regulator" : ""),
                    "META-INF/resources/webjars/swagger-ui/" + webjar.getProperty("version"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(name);
        if (in == null) throw new IOException(name + " is missing from the class path");
        return in;
    }

    /** Where Swagger UI's files are on the class path (for a StaticHandler). */
    String uiRoot() { return uiRoot; }

    void page(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(page);
    }
}
