package fr.snp.dispatch.retention;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.redis.DiskRetention;
import fr.snp.dispatch.redis.EmbeddedRedis;
import fr.snp.dispatch.requests.Requests;
import fr.snp.dispatch.sim.SimulationClock;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Patient data leaves on time, in Redis and on its disk. A year of activity is replayed on a server whose Redis keeps an
 * append-only file (requests, holds, bookings with the patient's contact, feedback with free text, cancellations by a
 * desk and from the patient's link, patient messages, waiting-list entries, outcomes, "médecin traitant" requests and
 * their follow-up, a patient calling back), every patient with values of their own. Then:
 * <ul>
 * <li>every key is read (SCAN, whatever its type, key name included) and each one holding a patient value must
 * expire (a time-to-live no longer than the longest retention) or be an appointment, which the daily pass
 * pseudonymises;</li>
 * <li>the files of the data directory hold those values (the control: the check finds what it looks for);</li>
 * <li>time passes (the server's clock 100 days past the last appointment; the requests' real time-to-lives, short
 * here, run out), the retention pass runs (pseudonymisation, expiry sweep, AOF rewrite) and, once Redis has rewritten
 * the file: no key holds a patient value, every appointment is pseudonymised, and no file of the data directory
 * holds any patient value in any form it was stored in (as dictated, 0XXXXXXXXX, +33, the nine digits, the digest of
 * the phone index, the e-mail address, the initials with the year of birth).</li>
 * </ul>
 * Redis is asked to write its rewritten file as commands (aof-use-rdb-preamble no): an RDB base may hold a value
 * LZF-compressed or as a packed integer, where a grep would miss it; the keys written are the same either way.
 */
class RetentionTest {
    /** Requests expire after 2 s here ("médecin traitant" requests 6 s): Redis' time-to-lives run in real time. */
    private static final int REQUEST_RETENTION_SECONDS = 2;
    private static final int WEEKS = 52;
    /** The longest a key holding patient data may live: "médecin traitant" requests (3 × 30 days), contacts less. */
    private static final long LONGEST_RETENTION_MS = 91L * 86_400_000;

    /** One patient of the replay: values no other data can contain. */
    record Patient(int n, String initials, int birthYear, String phone, String sms, String email) {
        static Patient number(int n) {
            return new Patient(n, "QZ" + (char) ('A' + n / 26) + (char) ('A' + n % 26), 1925 + n % 80,
                    String.format("06 21 43 %02d %02d", n / 100, n % 100), String.format("07 31 42 %02d %02d", n / 100, n % 100),
                    String.format("patient%03d.retention@example.org", n));
        }

        JsonObject json() {
            return new JsonObject().put("initials", initials).put("birthYear", birthYear).put("phone", phone)
                    .put("communeInsee", "36044").put("over70", true).put("ald", true);
        }

        /** A desk's or a doctor's free text about this patient: what people do write. */
        String note(String what) { return what + " " + initials + " (né en " + birthYear + "), rappeler au " + phone; }

        /** Every form a value of this patient may be stored in, by the kind of value. */
        Map<String, List<String>> needles() {
            return Map.of("phone", phoneForms(phone), "sms", phoneForms(sms), "email", List.of(email),
                    "phone digest", List.of(Requests.phoneHash(compact(phone))));
        }

        static List<String> phoneForms(String dictated) {
            String compact = compact(dictated);
            return List.of(dictated, compact, "+33" + compact.substring(1), compact.substring(1));
        }

        static String compact(String phone) { return phone.replace(" ", ""); }
    }

    /**
     * Initials are looked for as a word of their own (ids and signatures are mixed-case letters and digits) with the
     * patient's year of birth close by: alone, four letters may be a segment of an appointment reference (36-K7Q2-M9XA).
     */
    private static final Pattern INITIALS = Pattern.compile("(?<![A-Za-z0-9])QZ[A-Z]{2}(?![A-Za-z0-9])");
    private static final int NEAR = 80;

    @Test
    void aYearOfPatientDataLeavesRedisAndItsDiskOnTime(@TempDir Path dataDir) throws Exception {
        long t0 = System.nanoTime();
        SimulationClock clock = new SimulationClock();
        clock.set(OffsetDateTime.parse("2026-01-05T08:00:00+01:00").toInstant());
        List<Patient> patients = new ArrayList<>();
        try (TestServer server = TestServer.startPersistent(Map.of("requests.retentionSeconds", String.valueOf(REQUEST_RETENTION_SECONDS),
                "messages.sms.provider", "log", "messages.email.provider", "log", "http.instances", "1"), clock, dataDir)) {
            // the rewritten file as commands, every value as text (see the class comment)
            server.redis.configSet("aof-use-rdb-preamble", "no");
            String regulator = server.token(Role.REGULATOR);
            String osnp = server.token(Role.OSNP);
            String pharmacist = server.token(Role.PHARMACIST);
            String coordinator = server.token(Role.COORDINATOR);
            String effector = server.effector("36044", null);
            var services = server.dispatcher.services();

            long lastSlotEndMs = 0;
            for (int week = 0; week < WEEKS; week++) {
                clock.set(OffsetDateTime.parse("2026-01-05T08:00:00+01:00").toInstant().plus(Duration.ofDays(7L * week)));
                Patient booked = Patient.number(patients.size());
                Patient waiting = Patient.number(patients.size() + 1);
                Patient followed = Patient.number(patients.size() + 2);
                patients.addAll(List.of(booked, waiting, followed));

                // a caller gets a slot: request, option, booking with the patient told by SMS and e-mail
                String slot = server.slot(effector, 120, "AMB", "SNP");
                String request = created(server.api.post("/api/v1/requests", regulator, new JsonObject().put("origin", "SAS_116117")
                        .put("patient", booked.json())), "id");
                String hold = created(server.api.post("/api/v1/slots/" + slot + "/hold", regulator,
                        new JsonObject().put("requestId", request)), "holdId");
                String appointment = created(server.api.send("POST", "/api/v1/appointments", regulator, new JsonObject()
                        .put("slotId", slot).put("requestId", request).put("holdId", hold).put("patientContact", new JsonObject()
                                .put("sms", booked.sms()).put("email", booked.email()).put("consent", true)),
                        Map.of("Idempotency-Key", UUID.randomUUID().toString())), "id");
                lastSlotEndMs = Math.max(lastSlotEndMs, clock.millis() + 140 * 60_000L);
                if (week % 8 == 0) { // the patient calls back and is found by phone, initials and day
                    String day = clock.instant().atZone(java.time.ZoneId.of("Europe/Paris")).toLocalDate().toString();
                    assertThat(server.api.get("/api/v1/appointments?phone=" + Patient.compact(booked.phone()) + "&initials="
                            + booked.initials() + "&date=" + day, regulator).status()).isEqualTo(200);
                }
                assertThat(server.api.get("/api/v1/appointments/" + appointment + "/messages", regulator).status()).isEqualTo(200);
                switch (week % 4) {
                    case 0 -> assertThat(server.api.post("/api/v1/appointments/" + appointment + "/cancel", regulator,
                            new JsonObject().put("reason", "PATIENT")).status()).isEqualTo(200);
                    case 1 -> { // from the patient's own link
                        String link = services.feedbackLinks().patientLinks().tokenUntil(appointment, clock.millis() / 1000 + 3600);
                        assertThat(server.api.send("POST", "/rdv/" + link, null, "step=cancel",
                                Map.of("Content-Type", "application/x-www-form-urlencoded")).status()).isEqualTo(200);
                    }
                    case 2 -> { // the doctor answers with a comment (free text names the patient)
                        clock.advance(Duration.ofHours(3));
                        assertThat(server.api.post("/api/v1/appointments/" + appointment + "/feedback", coordinator,
                                new JsonObject().put("answer", "seen").put("comment", booked.note("vu"))).status()).isEqualTo(200);
                    }
                    default -> { // the same from the doctor's link, on a phone
                        clock.advance(Duration.ofHours(3));
                        String link = services.feedbackLinks().token(appointment, clock.millis() / 1000);
                        assertThat(server.api.send("POST", "/feedback/" + link, null, "answer=no-show&comment="
                                        + java.net.URLEncoder.encode(booked.note("absent"), StandardCharsets.UTF_8),
                                Map.of("Content-Type", "application/x-www-form-urlencoded")).status()).isEqualTo(200);
                    }
                }

                // a caller nothing fits waits on the list, or the call ends with advice
                String other = created(server.api.post("/api/v1/requests", osnp, new JsonObject().put("origin", "OSNP")
                        .put("patient", waiting.json()).put("need", new JsonObject().put("within", "PT6H").put("mode", "HH"))), "id");
                if (week % 2 == 0) {
                    assertThat(server.api.post("/api/v1/requests/" + other + "/wait", osnp, null).status()).isEqualTo(200);
                } else {
                    assertThat(server.api.post("/api/v1/requests/" + other + "/outcome", osnp, new JsonObject()
                            .put("type", "ADVICE").put("comment", waiting.note("conseil donné à"))).status()).isEqualTo(200);
                }

                // a pharmacy asks the CPTS to find a regular doctor; the coordinator follows it up
                String doctorRequest = created(server.api.post("/api/v1/doctor-requests", pharmacist, new JsonObject()
                        .put("patient", followed.json()).put("comment", followed.note("sans médecin traitant :"))), "id");
                if (week % 2 == 0) {
                    assertThat(server.api.post("/api/v1/doctor-requests/" + doctorRequest + "/status", coordinator,
                            new JsonObject().put("status", "CONTACTED").put("note", followed.note("appelé :"))).status()).isEqualTo(200);
                }
            }
            // the year's last callers, right before the look at Redis: their requests are certainly still there
            Patient last = Patient.number(patients.size());
            patients.add(last);
            created(server.api.post("/api/v1/requests", regulator, new JsonObject().put("origin", "SAS_116117").put("patient", last.json())), "id");
            created(server.api.post("/api/v1/doctor-requests", pharmacist, new JsonObject().put("patient", last.json())), "id");
            long lastWriteNanos = System.nanoTime();
            long replayMs = (System.nanoTime() - t0) / 1_000_000;

            // (a) before time passes: every key holding a patient value expires in time, or is an appointment
            Map<String, Set<String>> before = patientKeys(server.redis, patients);
            Map<String, String> withoutDeadline = new TreeMap<>();
            Map<String, Map<String, Integer>> kindsByPattern = new TreeMap<>(); // pattern -> kind -> keys
            before.forEach((key, kinds) -> {
                kinds.stream().map(k -> k.substring(0, k.indexOf(':'))).distinct().forEach(kind -> kindsByPattern
                        .computeIfAbsent(pattern(key), p -> new TreeMap<>()).merge(kind, 1, Integer::sum));
                long pttl = server.redis.pttl(key);
                // 0: expiring this very millisecond (the replay's short TTLs end while the keys are read); -1: none
                boolean expires = pttl >= 0 && pttl <= LONGEST_RETENTION_MS;
                if (!expires && pttl != -2 && !pattern(key).equals("snp:{t}:appt:*")) withoutDeadline.put(key, kinds + " pttl=" + pttl);
            });
            System.out.println("RetentionTest: keys holding patient values, by pattern and kind: " + kindsByPattern);
            assertThat(withoutDeadline).as("keys holding patient data that neither expire nor get pseudonymised").isEmpty();
            // the check saw what it must see (it is not vacuous)
            assertThat(kindsByPattern).containsKeys("snp:{t}:req:*", "snp:{t}:dr:*", "snp:{t}:contact:*", "snp:{t}:patient:*",
                    "snp:{t}:appt:*");

            // the control: the files on disk hold the values now (the same check afterwards must find none)
            Map<String, Set<String>> onDisk = filesHolding(dataDir, patients);
            assertThat(onDisk).as("the AOF holds the patient values before the retention pass").isNotEmpty();
            assertThat(onDisk.values().stream().flatMap(Set::stream).map(h -> h.substring(0, h.indexOf(':'))).distinct())
                    .contains("phone", "sms", "email", "phone digest", "initials+year");

            // time passes: the server's clock 100 days past the last appointment, the requests' time-to-lives run out
            clock.set(java.time.Instant.ofEpochMilli(lastSlotEndMs).plus(Duration.ofDays(100)));
            long waitMs = 3L * REQUEST_RETENTION_SECONDS * 1000 + 300 - (System.nanoTime() - lastWriteNanos) / 1_000_000;
            if (waitMs > 0) Thread.sleep(waitMs);

            long rewritesBefore = info(server.redis, "aof_rewrites");
            long passStart = System.nanoTime();
            assertThat(server.dispatcher.retentionPass().toCompletableFuture().get(30, TimeUnit.SECONDS))
                    .isEqualTo(DiskRetention.Rewrite.STARTED);
            awaitRewrite(server.redis, rewritesBefore, dataDir);
            long passMs = (System.nanoTime() - passStart) / 1_000_000;

            // (a) afterwards: no key holds a patient value, every appointment is pseudonymised
            assertThat(patientKeys(server.redis, patients)).as("keys still holding patient values").isEmpty();
            List<String> appointments = keys(server.redis, "snp:{36}:appt:*");
            assertThat(appointments).hasSize(WEEKS);
            for (String key : appointments) {
                assertThat(server.redis.hexists(key, "pseudonymisedAt")).as(key + " pseudonymised").isTrue();
            }
            assertThat(keys(server.redis, "snp:{36}:contact:*")).isEmpty();

            // (b) on disk: no file of the data directory holds a patient value in any form
            assertThat(filesHolding(dataDir, patients)).as("files of the data directory holding patient values").isEmpty();
            System.out.println("RetentionTest: replay " + replayMs + " ms, retention pass + rewrite " + passMs + " ms, total "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
    }

    /**
     * A Redis that refuses the rewrite (a managed service: here an ACL without BGREWRITEAOF) is reported once, clearly,
     * and the pass goes on.
     */
    @Test
    void aRedisThatRefusesTheRewriteIsReportedOnceForTheOperator(@TempDir Path dataDir) throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override public void publish(LogRecord r) { if (r.getLevel().intValue() >= Level.WARNING.intValue()) warnings.add(r.getMessage()); }

            @Override public void flush() {}

            @Override public void close() {}
        };
        Logger logger = Logger.getLogger(DiskRetention.class.getName());
        logger.addHandler(capture);
        EmbeddedRedis redis = EmbeddedRedis.start(dataDir, true);
        RedisClient admin = RedisClient.create(redis.url());
        RedisClient limited = RedisClient.create("redis://limited:limited-secret@127.0.0.1:" + redis.port());
        try (StatefulRedisConnection<String, String> a = admin.connect()) {
            a.sync().aclSetuser("limited", io.lettuce.core.AclSetuserArgs.Builder.on().addPassword("limited-secret")
                    .allKeys().allChannels().allCommands().removeCommand(io.lettuce.core.protocol.CommandType.BGREWRITEAOF)
                    .removeCommand(io.lettuce.core.protocol.CommandType.CONFIG));
            try (StatefulRedisConnection<String, String> c = limited.connect()) {
                DiskRetention retention = new DiskRetention(c.async(), true);
                c.sync().set("snp:{36}:req:gone", "x", io.lettuce.core.SetArgs.Builder.px(50));
                Thread.sleep(100);
                assertThat(retention.expireDue().toCompletableFuture().get(5, TimeUnit.SECONDS)).isZero();
                assertThat(retention.rewriteAof().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(DiskRetention.Rewrite.REFUSED);
                assertThat(retention.rewriteAof().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(DiskRetention.Rewrite.REFUSED);
                assertThat(warnings).hasSize(1);
                assertThat(warnings.get(0)).contains("BGREWRITEAOF").contains("operator");
                // the same with the rewrite left to the operator by configuration: nothing asked, nothing said
                assertThat(new DiskRetention(c.async(), false).rewriteAof().toCompletableFuture().get(5, TimeUnit.SECONDS))
                        .isEqualTo(DiskRetention.Rewrite.DISABLED);
                assertThat(warnings).hasSize(1);
            }
            // and a Redis without an append-only file has nothing to rewrite
            a.sync().configSet("appendonly", "no");
            assertThat(new DiskRetention(a.async(), true).rewriteAof().toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .isEqualTo(DiskRetention.Rewrite.AOF_OFF);
        } finally {
            logger.removeHandler(capture);
            limited.shutdown();
            admin.shutdown();
            redis.close();
        }
    }

    // --- what holds patient values --------------------------------------------------------------------------------

    /** Every key (its name and content, whatever its type) holding a value of one of the patients, with the kinds found. */
    static Map<String, Set<String>> patientKeys(RedisCommands<String, String> redis, List<Patient> patients) {
        Map<String, Set<String>> found = new TreeMap<>();
        for (String key : keys(redis, "*")) {
            String content = key + "\n" + content(redis, key);
            Set<String> kinds = kindsIn(content, patients);
            if (!kinds.isEmpty()) found.put(key, kinds);
        }
        return found;
    }

    /** The kinds of patient values ("phone", "initials+year"…) a text holds, each with the form found. */
    static Set<String> kindsIn(String text, List<Patient> patients) {
        Set<String> kinds = new TreeSet<>();
        Map<String, Patient> byInitials = new java.util.HashMap<>();
        for (Patient p : patients) {
            byInitials.put(p.initials(), p);
            p.needles().forEach((kind, forms) -> forms.stream().filter(form -> holds(text, form, 0, text.length())).findFirst()
                    .ifPresent(form -> kinds.add(kind + ": " + form)));
        }
        Matcher m = INITIALS.matcher(text);
        while (m.find()) {
            Patient p = byInitials.get(m.group());
            if (p != null && holds(text, String.valueOf(p.birthYear()), Math.max(0, m.start() - NEAR), Math.min(text.length(), m.end() + NEAR))) {
                kinds.add("initials+year: " + p.initials() + " " + p.birthYear());
            }
        }
        return kinds;
    }

    /**
     * Whether {@code text[from, to)} holds {@code value}, a number as a number of its own (the nine digits of a phone
     * or a year inside a longer number, a time in ms, are not that value).
     */
    static boolean holds(String text, String value, int from, int to) {
        for (int i = text.indexOf(value, from); i >= 0 && i + value.length() <= to; i = text.indexOf(value, i + 1)) {
            int end = i + value.length();
            boolean digitBefore = i > 0 && Character.isDigit(value.charAt(0)) && Character.isDigit(text.charAt(i - 1));
            boolean digitAfter = end < text.length() && Character.isDigit(value.charAt(value.length() - 1))
                    && Character.isDigit(text.charAt(end));
            if (!digitBefore && !digitAfter) return true;
        }
        return false;
    }

    static String content(RedisCommands<String, String> redis, String key) {
        return switch (redis.type(key)) {
            case "string" -> String.valueOf(redis.get(key));
            case "hash" -> redis.hgetall(key).toString();
            case "set" -> redis.smembers(key).toString();
            case "zset" -> redis.zrange(key, 0, -1).toString();
            case "list" -> redis.lrange(key, 0, -1).toString();
            case "stream" -> redis.xrange(key, Range.create("-", "+")).stream()
                    .map(m -> m.getId() + m.getBody()).toList().toString();
            default -> ""; // gone meanwhile ("none")
        };
    }

    static List<String> keys(RedisCommands<String, String> redis, String match) {
        List<String> all = new ArrayList<>();
        io.lettuce.core.ScanCursor cursor = io.lettuce.core.ScanCursor.INITIAL;
        do {
            var page = redis.scan(cursor, io.lettuce.core.ScanArgs.Builder.matches(match).limit(1000));
            all.addAll(page.getKeys());
            cursor = page;
        } while (!cursor.isFinished());
        return all;
    }

    /** snp:{36}:req:36-R… → snp:{t}:req:*; keys without a territory stay as they are, up to their variable part. */
    static String pattern(String key) {
        Matcher m = Pattern.compile("^snp:\\{[^}]+}:([a-z-]+)(:.*)?$").matcher(key);
        if (m.matches()) return "snp:{t}:" + m.group(1) + (m.group(2) == null ? "" : ":*");
        return key.replaceAll("^(snp:[a-z-]+):.*$", "$1:*");
    }

    // --- what the disk holds ----------------------------------------------------------------------------------------

    /** Each file of the data directory holding patient values, with the kinds found. */
    static Map<String, Set<String>> filesHolding(Path dir, List<Patient> patients) throws Exception {
        Map<String, Set<String>> found = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text;
                try {
                    text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1); // bytes as they are
                } catch (java.nio.file.NoSuchFileException removed) {
                    continue; // a previous AOF removed meanwhile
                }
                // UTF-8 text (the notes' "né") read as bytes: the values looked for are ASCII, unchanged either way
                Set<String> kinds = kindsIn(text, patients);
                if (!kinds.isEmpty()) found.put(dir.relativize(f).toString(), kinds);
            }
        }
        return found;
    }

    /** Waits until Redis has finished the rewrite asked for and removed the previous files (history). */
    static void awaitRewrite(RedisCommands<String, String> redis, long rewritesBefore, Path dataDir) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (true) {
            boolean done = info(redis, "aof_rewrites") > rewritesBefore && info(redis, "aof_rewrite_in_progress") == 0
                    && info(redis, "aof_rewrite_scheduled") == 0;
            if (done) {
                assertThat(redis.info("persistence")).contains("aof_last_bgrewrite_status:ok");
                Path aofDir = dataDir.resolve("appendonlydir");
                Set<String> listed = new TreeSet<>();
                for (String line : Files.readAllLines(aofDir.resolve("appendonly.aof.manifest"))) listed.add(line.split(" ")[1]);
                listed.add("appendonly.aof.manifest");
                Set<String> present = new TreeSet<>();
                try (Stream<Path> files = Files.list(aofDir)) { files.forEach(f -> present.add(f.getFileName().toString())); }
                if (present.equals(listed)) return;
            }
            assertThat(System.currentTimeMillis()).as("the AOF rewrite ended within 20 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    static long info(RedisCommands<String, String> redis, String field) {
        for (String line : redis.info("persistence").split("\r?\n")) {
            if (line.startsWith(field + ":")) return Long.parseLong(line.substring(field.length() + 1).strip());
        }
        throw new IllegalStateException("no " + field + " in INFO persistence");
    }

    private static String created(Api.Response r, String field) {
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
        return r.json().getString(field);
    }
}
