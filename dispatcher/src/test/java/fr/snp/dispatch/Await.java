package fr.snp.dispatch;

import java.util.function.BooleanSupplier;

/** Waiting in a test for something another thread or process does, with a deadline and a message that says what. */
public final class Await {
    private Await() {}

    /** Polls {@code condition} every 20 ms; fails with "timed out waiting for {what}" after {@code ms}. */
    public static void until(String what, long ms, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }
}
