package fr.snp.dispatch;

import fr.snp.dispatch.domain.Role;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** When Redis goes away the server says so at once (503), and scripts survive a SCRIPT FLUSH. */
class RedisOutageTest {

    @Test
    void scriptsAreReloadedAfterAFlushAndAnOutageAnswers503() throws Exception {
        try (TestServer server = TestServer.start()) {
            String effector = server.effector("36044", null);
            String slot = server.slot(effector, 90, "AMB", "SNP");
            String request = server.requestId(Role.REGULATOR, "SAS_116117");
            server.redis.scriptFlush(); // as after a Redis restart or failover: EVALSHA answers NOSCRIPT
            Api.Response booked = server.api.book(server.token(Role.REGULATOR), slot, request, null, "after-flush");
            assertThat(booked.status()).isEqualTo(201);

            server.redisServer.close();
            long start = System.nanoTime();
            Api.Response health = server.api.get("/health", null);
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.json().getString("redis")).isEqualTo("DOWN");
            Api.Response refused = server.request(Role.REGULATOR, "SAS_116117", "36044", null);
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.code()).isEqualTo("REDIS_UNAVAILABLE");
            assertThat((System.nanoTime() - start) / 1_000_000).as("answered without waiting for a reconnect").isLessThan(5000);
        }
    }
}
