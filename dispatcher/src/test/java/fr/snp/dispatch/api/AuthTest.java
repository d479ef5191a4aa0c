package fr.snp.dispatch.api;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.redis.Keys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every route declares its roles: 401 without a token, 403 with a role it does not list. */
class AuthTest {
    static TestServer server;

    @BeforeAll
    static void start() throws Exception { server = TestServer.start(); }

    @AfterAll
    static void stop() { server.close(); }

    @Test
    void everyRouteRefusesMissingTokensAndRolesItDoesNotList() {
        List<ApiRouter.Route> routes = ApiRouter.declaredRoutes(server.dispatcher.vertx(), server.dispatcher.services());
        assertThat(routes).hasSizeGreaterThanOrEqualTo(15);
        for (ApiRouter.Route route : routes) {
            String path = route.path().replace(":id", "36-X1");
            assertThat(route.roles()).as(route.path()).isNotEmpty();
            Api.Response anonymous = server.api.send(route.method().name(), path, null, "{}", Map.of());
            assertThat(anonymous.status()).as("%s %s without token", route.method(), path).isEqualTo(401);
            assertThat(anonymous.code()).isEqualTo("UNAUTHENTICATED");
            Api.Response wrongToken = server.api.send(route.method().name(), path, "not-a-token", "{}", Map.of());
            assertThat(wrongToken.status()).isEqualTo(401);
            for (Role role : EnumSet.complementOf(EnumSet.copyOf(route.roles()))) {
                Api.Response r = server.api.send(route.method().name(), path, server.token(role), "{}", Map.of());
                assertThat(r.status()).as("%s %s as %s", route.method(), path, role).isEqualTo(403);
                assertThat(r.code()).isEqualTo("FORBIDDEN");
            }
            for (Role role : route.roles()) {
                Api.Response r = server.api.send(route.method().name(), path, server.token(role), "{}", Map.of());
                // past the role check: whatever comes next (404, 400, an ownership 403) is not a role refusal
                assertThat(r.status()).as("%s %s as %s passes authorisation", route.method(), path, role).isNotEqualTo(401);
                if (r.status() == 403) assertThat(r.code()).isNotEqualTo("FORBIDDEN");
            }
        }
    }

    @Test
    void tokensAreStoredHashedAndDemoTokensDoNotWorkOutsideDemoMode() {
        Map<String, String> stored = server.redis.hgetall(Keys.TOKENS);
        assertThat(stored).hasSizeGreaterThanOrEqualTo(Role.values().length);
        for (String token : server.tokens.values()) {
            assertThat(stored.keySet()).doesNotContain(token);
            assertThat(String.join(" ", stored.values())).doesNotContain(token);
        }
        Api.Response demo = server.api.get("/api/v1/effectors/36-E1", "demo-regulator");
        assertThat(demo.status()).isEqualTo(401);
    }

    @Test
    void healthIsPublic() {
        Api.Response health = server.api.get("/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().getString("status")).isEqualTo("UP");
        assertThat(health.json().getString("redis")).isEqualTo("UP");
    }

    @Test
    void aPharmacistSeesOnlyItsOwnRequests() throws Exception {
        String mine = server.requestId(Role.PHARMACIST, "PHARMACIST");
        String otherPharmacy = server.token(Role.PHARMACIST, "Autre pharmacie", null, java.util.Set.of());
        assertThat(server.api.get("/api/v1/requests/" + mine, server.token(Role.PHARMACIST)).status()).isEqualTo(200);
        assertThat(server.api.get("/api/v1/requests/" + mine, otherPharmacy).status()).isEqualTo(404);
        // the SAS works the shared queue
        assertThat(server.api.get("/api/v1/requests/" + mine, server.token(Role.REGULATOR)).status()).isEqualTo(200);
    }
}
