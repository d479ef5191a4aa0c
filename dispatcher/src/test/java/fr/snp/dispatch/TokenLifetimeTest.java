package fr.snp.dispatch;

import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.auth.TokenStore;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.redis.Keys;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * API tokens expire (90 days unless said otherwise), note when they were last used (to the minute, one write a
 * minute at most), and are revoked by their exact id only.
 */
class TokenLifetimeTest {
    static TestServer server;
    static TokenStore tokens;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        tokens = server.dispatcher.services().tokens();
    }

    @AfterAll
    static void stop() { server.close(); }

    static Principal desk(String name) {
        return new Principal(null, Role.REGULATOR, name, Set.of("36"), "SAS-36", Set.of());
    }

    static JsonObject listed(String id) throws Exception {
        return tokens.describe().toCompletableFuture().get().stream().filter(j -> id.equals(j.getString("id"))).findFirst()
                .orElseThrow();
    }

    @Test
    void aTokenWorksNinetyDaysByDefault() throws Exception {
        var created = tokens.create(desk("poste 1")).toCompletableFuture().get();
        JsonObject j = listed(created.getValue().id());
        Instant createdAt = Instant.parse(j.getString("createdAt"));
        assertThat(Instant.parse(j.getString("expiresAt"))).isEqualTo(createdAt.plus(Duration.ofDays(90)));
        assertThat(createdAt).isBetween(Instant.now().minusSeconds(60), Instant.now());
        // the token itself is nowhere in Redis
        assertThat(String.join(" ", server.redis.hgetall(Keys.TOKENS).values())).doesNotContain(created.getKey());
    }

    @Test
    void anExpiredTokenIsRefusedEvenFromTheCache() throws Exception {
        var created = tokens.create(desk("poste court"), Duration.ofSeconds(2)).toCompletableFuture().get();
        assertThat(server.api.get("/api/v1/me", created.getKey()).status()).isEqualTo(200); // now cached for 5 s
        Thread.sleep(2_100);
        Api.Response expired = server.api.get("/api/v1/me", created.getKey());
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.code()).isEqualTo("UNAUTHENTICATED");
    }

    @Test
    void theLastUseIsWrittenAtMostOnceAMinute() throws Exception {
        var created = tokens.create(desk("poste 2")).toCompletableFuture().get();
        String hash = created.getValue().id();
        assertThat(listed(hash).getString("lastUsedAt")).isNull();
        long before = System.currentTimeMillis();
        assertThat(server.api.get("/api/v1/me", created.getKey()).status()).isEqualTo(200);
        String first = awaitLastUse(hash);
        assertThat(Instant.parse(first).toEpochMilli()).isBetween(before, System.currentTimeMillis());
        // more calls within the minute change nothing stored
        for (int i = 0; i < 5; i++) assertThat(server.api.get("/api/v1/me", created.getKey()).status()).isEqualTo(200);
        Thread.sleep(200);
        assertThat(listed(hash).getString("lastUsedAt")).isEqualTo(first);
    }

    private static String awaitLastUse(String id) throws Exception {
        for (int i = 0; i < 50; i++) {
            String at = listed(id).getString("lastUsedAt");
            if (at != null) return at;
            Thread.sleep(20);
        }
        throw new AssertionError("lastUsedAt never written");
    }

    @Test
    void onlyTheExactIdRevokes() throws Exception {
        var a = tokens.create(desk("poste A")).toCompletableFuture().get();
        String id = a.getValue().id();
        assertThat(tokens.revoke(id.substring(0, 15)).toCompletableFuture().get()).isZero();
        assertThat(tokens.revoke("").toCompletableFuture().get()).isZero();
        assertThat(server.api.get("/api/v1/me", a.getKey()).status()).isEqualTo(200);
        int before = server.redis.hlen(Keys.TOKENS).intValue();
        assertThat(tokens.revoke(id).toCompletableFuture().get()).isEqualTo(1L);
        assertThat(server.redis.hlen(Keys.TOKENS).intValue()).isEqualTo(before - 1);
        assertThat(server.redis.hkeys(Keys.TOKENS_USED)).noneMatch(h -> h.startsWith(id)); // its use is forgotten too
        // the other tokens still work; the revoked one stops within the cache's 5 s
        assertThat(server.api.get("/api/v1/me", server.token(Role.REGULATOR)).status()).isEqualTo(200);
        Thread.sleep(5_100);
        assertThat(server.api.get("/api/v1/me", a.getKey()).status()).isEqualTo(401);
        assertThat(List.of(tokens.describe().toCompletableFuture().get().stream().map(j -> j.getString("id")).toArray()))
                .doesNotContain(id);
    }
}
