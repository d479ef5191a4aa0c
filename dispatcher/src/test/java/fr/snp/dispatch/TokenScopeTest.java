package fr.snp.dispatch;

import fr.snp.dispatch.auth.TokenStore;
import fr.snp.dispatch.config.Settings;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.redis.EmbeddedRedis;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A token made before tenancy serves no territory: the server refuses to start with it (rather than let it reach
 * every territory) and says how to fix it; once scoped, it serves its territory only.
 */
class TokenScopeTest {

    @Test
    void anUnscopedTokenStopsTheStartUntilItIsScoped() throws Exception {
        try (EmbeddedRedis redis = EmbeddedRedis.start(Files.createTempDirectory("snp-scope"), false)) {
            RedisClient client = RedisClient.create(redis.url());
            try (var c = client.connect()) {
                String token = "snp_old-token-made-before-tenancy";
                String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
                // the form tokens were stored in before: a role, a name, no territory, no organisation
                c.sync().hset(Keys.TOKENS, hash, "{\"id\":\"" + hash.substring(0, 16) + "\",\"role\":\"regulator\",\"name\":\"SAS poste 1\","
                        + "\"effectorId\":null,\"cpts\":[]}");
                Settings settings = Settings.defaultsWith(Map.of("redis.url", redis.url(), "http.port", "0", "http.instances", "1",
                        "redis.allowUnsafe", "true"));
                assertThatThrownBy(() -> Dispatcher.start(settings, false, Clock.systemUTC()))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("token " + hash.substring(0, 16))
                        .hasMessageContaining("token scope " + hash.substring(0, 16) + " --territory");

                assertThat(new TokenStore(c.async()).scope(hash.substring(0, 16), Set.of("36"), "SAS-36").toCompletableFuture().get())
                        .isEqualTo(1);
                try (Dispatcher d = Dispatcher.start(settings, false, Clock.systemUTC())) {
                    Api api = new Api("http://127.0.0.1:" + d.port());
                    assertThat(api.get("/api/v1/effectors?territory=36", token).status()).isEqualTo(200);
                    assertThat(api.get("/api/v1/effectors?territory=18", token).code()).isEqualTo("TERRITORY_NOT_SERVED");
                }
            } finally {
                client.shutdown();
            }
        }
    }

    @Test
    void tokenCreateWantsAnOrganisationThatFitsTheRole() {
        assertThat(Main.orgProblem(Role.REGULATOR, null, Set.of("36"))).contains("--org is required");
        assertThat(Main.orgProblem(Role.COORDINATOR, "cpts castel", Set.of("36"))).contains("--org");
        assertThat(Main.orgProblem(Role.COORDINATOR, "CPTS-CASTELROUSSINE", Set.of("36"))).isNull();
        // an effector token speaks for an effector of a territory it serves
        assertThat(Main.orgProblem(Role.EFFECTOR, "18-E3", Set.of("36"))).contains("--effector");
        assertThat(Main.orgProblem(Role.EFFECTOR, "36-E3", Set.of("36"))).isNull();
    }
}
