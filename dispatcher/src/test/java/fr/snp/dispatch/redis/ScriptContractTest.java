package fr.snp.dispatch.redis;

import fr.snp.dispatch.booking.Bookings;
import fr.snp.dispatch.booking.FeedbackFollowUp;
import fr.snp.dispatch.booking.Publishing;
import fr.snp.dispatch.coordination.DoctorRequests;
import fr.snp.dispatch.directory.EffectorStore;
import fr.snp.dispatch.requests.Requests;
import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every Lua script's header lists its KEYS and ARGV by name, in order; the Java record that calls it must have the
 * same components in the same order (keys marked @Key first), and the script body reads them by those names only
 * (KEY.slot, ARG.nowMs: never KEYS[3]). Every script also loads in a real Redis.
 */
class ScriptContractTest {
    private static final Pattern ENTRY = Pattern.compile("^-- {3}(\\w+)(\\s|$)");

    static List<LuaScript<?>> all() {
        return Stream.of(Bookings.scripts(), FeedbackFollowUp.scripts(), Publishing.scripts(), Requests.scripts(),
                DoctorRequests.scripts(), EffectorStore.scripts(), fr.snp.dispatch.waiting.WaitingList.scripts(),
                fr.snp.dispatch.limits.WriteLimits.scripts(), fr.snp.dispatch.sas.SasPushWorker.scripts(),
                fr.snp.dispatch.sas.RegulatorAccounts.scripts(),
                fr.snp.dispatch.notifications.OutboxWorker.scripts())
                .flatMap(List::stream).toList();
    }

    /** The names the header lists under "-- KEYS" and "-- ARGV". */
    static List<List<String>> header(String source) {
        List<String> keys = new ArrayList<>();
        List<String> args = new ArrayList<>();
        List<String> current = null;
        for (String line : source.split("\n")) {
            if (!line.startsWith("--")) break; // the header is the leading comment
            if (line.strip().equals("-- KEYS")) { current = keys; continue; }
            if (line.strip().equals("-- ARGV")) { current = args; continue; }
            Matcher m = ENTRY.matcher(line);
            if (current != null && m.find()) current.add(m.group(1));
        }
        return List.of(keys, args);
    }

    @Test
    void everyRecordMatchesItsScriptsHeaderAndTheBodyUsesNamesOnly() {
        List<LuaScript<?>> scripts = all();
        assertThat(scripts).hasSizeGreaterThanOrEqualTo(16);
        for (LuaScript<?> s : scripts) {
            List<List<String>> h = header(s.source());
            assertThat(h.get(0)).as("%s: KEYS in the header vs %s", s.name(), s.callType().getSimpleName())
                    .containsExactlyElementsOf(s.keyNames());
            assertThat(h.get(1)).as("%s: ARGV in the header vs %s", s.name(), s.callType().getSimpleName())
                    .containsExactlyElementsOf(s.argNames());
            assertThat(s.keyNames()).as(s.name()).isNotEmpty();
            assertThat(s.source()).as("%s reads keys and arguments by name", s.name()).doesNotContain("KEYS[")
                    .doesNotContain("ARGV[");
            // the generated names line binds exactly the record's components, in order
            String first = s.body().substring(0, s.body().indexOf('\n'));
            for (int i = 0; i < s.keyNames().size(); i++) assertThat(first).contains(s.keyNames().get(i) + " = KEYS[" + (i + 1) + "]");
            for (int i = 0; i < s.argNames().size(); i++) assertThat(first).contains(s.argNames().get(i) + " = ARGV[" + (i + 1) + "]");
        }
    }

    @Test
    void theHeaderCheckCatchesAScriptWhoseRecordDisagrees() {
        // shown able to fail: a header with two arguments swapped does not match the record's order
        LuaScript<?> book = all().stream().filter(s -> s.name().equals("book.lua")).findFirst().orElseThrow();
        String swapped = book.source().replace("--   slotId ", "--   TMP ").replace("--   appointmentId ", "--   slotId ")
                .replace("--   TMP ", "--   appointmentId ");
        assertThat(header(swapped).get(1)).isNotEqualTo(book.argNames());
        assertThat(header(book.source()).get(1)).isEqualTo(book.argNames());
    }

    @Test
    void everyScriptLoadsInRedis() throws Exception {
        try (EmbeddedRedis redis = EmbeddedRedis.start(Files.createTempDirectory("snp-scripts"), false)) {
            RedisClient client = RedisClient.create(redis.url());
            try (var c = client.connect()) {
                for (LuaScript<?> s : all()) {
                    assertThat(c.sync().scriptLoad(s.body())).as(s.name()).isEqualTo(s.sha());
                }
            } finally {
                client.shutdown();
            }
        }
    }
}
