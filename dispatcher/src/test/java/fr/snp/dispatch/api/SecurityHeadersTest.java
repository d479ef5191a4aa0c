package fr.snp.dispatch.api;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Every answer, page, API or error, carries the security headers; the pages need nothing the policy forbids. */
class SecurityHeadersTest {
    static TestServer server;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    /** A script element without src (inline code), or an inline event handler attribute. */
    static final Pattern INLINE_SCRIPT = Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>|\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE);

    @BeforeAll
    static void start() throws Exception { server = TestServer.start(Map.of()); }

    @AfterAll
    static void stop() { server.close(); }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.dispatcher.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void assertSecured(HttpResponse<String> r) {
        String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
        assertThat(csp).as("%s %s", r.uri(), r.statusCode()).contains("default-src 'self'").contains("script-src 'self';")
                .contains("frame-ancestors 'none'").doesNotContain("unsafe-eval");
        assertThat(csp.substring(csp.indexOf("script-src"))).startsWith("script-src 'self';"); // no inline scripts
        assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(r.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    }

    @Test
    void pagesApiAnswersAndErrorsCarryTheHeaders() throws Exception {
        HttpResponse<String> console = get("/console");
        assertThat(console.statusCode()).isEqualTo(200);
        assertSecured(console);
        HttpResponse<String> codes = get("/api/v1/codes");
        assertThat(codes.statusCode()).isEqualTo(200);
        assertSecured(codes);
        HttpResponse<String> unauthenticated = get("/api/v1/requests/36-Rabc");
        assertThat(unauthenticated.statusCode()).isEqualTo(401);
        assertSecured(unauthenticated);
        HttpResponse<String> noRoute = get("/api/v1/no-such-route");
        assertThat(noRoute.statusCode()).isEqualTo(404);
        assertSecured(noRoute);
        HttpResponse<String> badLink = get("/feedback/not-a-signed-token");
        assertThat(badLink.statusCode()).isGreaterThanOrEqualTo(400);
        assertSecured(badLink);
        assertSecured(get("/widget/snp-widget.js"));
        assertSecured(get("/assets/feedback-undo.js"));
        Api.Response invalid = server.api.post("/api/v1/requests", server.token(fr.snp.dispatch.domain.Role.REGULATOR), "{");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.header("Content-Security-Policy")).contains("default-src 'self'");
    }

    @Test
    void thePagesHaveNoInlineScript() throws Exception {
        for (String page : List.of("/console", "/coordinator", "/widget/demo.html", "/feedback/not-a-signed-token",
                "/rdv/not-a-signed-token")) {
            HttpResponse<String> r = get(page);
            assertThat(r.body()).as(page).contains("<");
            assertThat(INLINE_SCRIPT.matcher(r.body()).find()).as("%s has inline script", page).isFalse();
        }
        // the check itself catches one
        assertThat(INLINE_SCRIPT.matcher("<p>x</p><script>alert(1)</script>").find()).isTrue();
        assertThat(INLINE_SCRIPT.matcher("<button onclick=\"x()\">").find()).isTrue();
        assertThat(INLINE_SCRIPT.matcher("<script type=module src=\"/a.js\"></script>").find()).isFalse();
    }
}
