package fr.snp.dispatch.config;

import fr.snp.dispatch.Dispatcher;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Demo mode stays on loopback: its public tokens never reach the network, nor a shared Redis. */
class DemoGuardTest {
    @Test
    void aDemoOnANetworkAddressRefusesToStartAndListensNowhere() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) { port = s.getLocalPort(); }
        Settings settings = Settings.defaultsWith(Map.of("redis.url", "", "http.host", "0.0.0.0", "http.port", String.valueOf(port),
                "redis.embedded.dataDir", Files.createTempDirectory("snp-demo-guard").toString()));
        assertThatThrownBy(() -> Dispatcher.start(settings, true, Clock.systemUTC()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("refusing to start in demo mode on '0.0.0.0'")
                .hasMessageContaining("HOST=127.0.0.1");
        // nothing was bound: the port is still free
        try (ServerSocket again = new ServerSocket(port)) { assertThat(again.isBound()).isTrue(); }
    }

    @Test
    void theDemoTokensNeedLoopbackForTheServerAndForRedis() {
        assertThat(DemoGuard.tokensAllowed("127.0.0.1", "")).isTrue();
        assertThat(DemoGuard.tokensAllowed("localhost", "redis://127.0.0.1:6379/0")).isTrue();
        assertThat(DemoGuard.tokensAllowed("127.0.0.1", "redis://10.20.30.40:6379/0")).as("a shared Redis").isFalse();
        assertThat(DemoGuard.tokensAllowed("127.0.0.1", "redis-sentinel://10.0.0.1:26379,10.0.0.2:26379/0#snp")).isFalse();
        assertThat(DemoGuard.tokensAllowed("0.0.0.0", "")).isFalse();
        assertThat(DemoGuard.isLoopback("::1")).isTrue();
        assertThat(DemoGuard.isLoopback("192.168.1.10")).isFalse();
    }
}
