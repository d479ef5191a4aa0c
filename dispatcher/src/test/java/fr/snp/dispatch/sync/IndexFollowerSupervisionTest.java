package fr.snp.dispatch.sync;

import fr.snp.dispatch.Await;
import fr.snp.dispatch.Dispatcher;
import fr.snp.dispatch.TestServer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The index follower goes on after an Error: another instance's changes still reach this one's index. */
class IndexFollowerSupervisionTest {

    @Test
    void theFollowerGoesOnAfterAnError() throws Exception {
        try (TestServer server = TestServer.start(); Dispatcher second = server.secondInstance()) {
            IndexSync follower = second.indexSync();
            AtomicBoolean thrown = new AtomicBoolean();
            follower.tickHook = () -> {
                if (thrown.compareAndSet(false, true)) throw new OutOfMemoryError("injected by the test");
            };
            Await.until("the injected Error", 10_000, thrown::get);
            String effector = server.effector("36044", null);
            String slot = server.slot(effector, 90, "AMB", "SNP");
            Await.until("the first instance's slot in the second one's index", 10_000, () -> second.services().index().slot(slot) != null);
            assertThat(System.currentTimeMillis() - follower.lastTickMs()).as("ms since the follower went round").isLessThan(2_000);
            String gauge = second.services().metrics().scrape().lines()
                    .filter(l -> l.startsWith("dispatch_loop_last_tick_seconds{loop=\"index-follower\"}")).findFirst().orElseThrow();
            assertThat(System.currentTimeMillis() / 1000.0 - Double.parseDouble(gauge.split(" ")[1])).isLessThan(5);
        }
    }
}
