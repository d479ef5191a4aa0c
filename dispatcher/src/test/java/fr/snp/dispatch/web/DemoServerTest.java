package fr.snp.dispatch.web;

import fr.snp.dispatch.Dispatcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Clock;

/** Page tests against one demo-mode dispatcher per test class (demo territory, demo tokens). */
abstract class DemoServerTest {
    static Dispatcher server;
    static String base;

    @BeforeAll
    static void startDemoServer() throws Exception {
        server = Browser.demoServer(Clock.systemUTC());
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stopDemoServer() { server.close(); }
}
