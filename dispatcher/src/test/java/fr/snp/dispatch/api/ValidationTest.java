package fr.snp.dispatch.api;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.redis.Keys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every bad input gets a 4xx {"code","message","field"} and leaves what is stored as it was. */
class ValidationTest {
    static TestServer server;
    static String effector;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        effector = server.effector("36044", null);
    }

    @AfterAll
    static void stop() { server.close(); }

    static JsonObject request(String patientJson, String needJson) {
        return new JsonObject("{\"origin\":\"SAS_116117\",\"patient\":" + patientJson + (needJson == null ? "" : ",\"need\":" + needJson) + "}");
    }

    static final String PATIENT = "{\"initials\":\"JD\",\"birthYear\":1950,\"phone\":\"0612345678\",\"communeInsee\":\"36044\"}";

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of(request("{\"initials\":\"JD\",\"birthYear\":1950,\"phone\":\"0612345678\",\"communeInsee\":\"36999\"}", null), 400, "UNKNOWN_COMMUNE", "patient.communeInsee"),
                // Paris is a commune of France, outside the territories this desk serves
                Arguments.of(request("{\"initials\":\"JD\",\"birthYear\":1950,\"phone\":\"0612345678\",\"communeInsee\":\"75056\"}", null), 422, "OUTSIDE_TERRITORY", "patient.communeInsee"),
                Arguments.of(request("{\"initials\":\"JD\",\"birthYear\":1950,\"phone\":\"12345\",\"communeInsee\":\"36044\"}", null), 400, "INVALID_PHONE", "patient.phone"),
                Arguments.of(request("{\"initials\":\"J4\",\"birthYear\":1950,\"phone\":\"0612345678\",\"communeInsee\":\"36044\"}", null), 400, "INVALID_FIELD", "patient.initials"),
                Arguments.of(request("{\"initials\":\"JD\",\"birthYear\":1850,\"phone\":\"0612345678\",\"communeInsee\":\"36044\"}", null), 400, "INVALID_FIELD", "patient.birthYear"),
                Arguments.of(request("{\"initials\":\"JD\",\"birthYear\":\"old\",\"phone\":\"0612345678\",\"communeInsee\":\"36044\"}", null), 400, "INVALID_FIELD", "patient.birthYear"),
                Arguments.of(request("{\"initials\":\"JD\",\"birthYear\":1950,\"phone\":\"0612345678\"}", null), 400, "MISSING_FIELD", "patient.communeInsee"),
                // out at sea, far from any commune; then in Marseille, outside the served territories
                Arguments.of(request("{\"initials\":\"JD\",\"birthYear\":1950,\"phone\":\"0612345678\",\"lat\":45.0,\"lng\":-5.0}", null), 400, "OUTSIDE_SERVED_AREA", "patient.lat"),
                Arguments.of(request("{\"initials\":\"JD\",\"birthYear\":1950,\"phone\":\"0612345678\",\"lat\":43.3,\"lng\":5.4}", null), 422, "OUTSIDE_TERRITORY", "patient.communeInsee"),
                Arguments.of(request(PATIENT, "{\"within\":\"P8D\"}"), 400, "WINDOW_TOO_LONG", "need.within"),
                Arguments.of(request(PATIENT, "{\"within\":\"tomorrow\"}"), 400, "INVALID_DURATION", "need.within"),
                Arguments.of(request(PATIENT, "{\"from\":\"2026-11-24T08:00:00+01:00\",\"to\":\"2026-12-24T08:00:00+01:00\"}"), 400, "WINDOW_TOO_LONG", "need.to"),
                Arguments.of(request(PATIENT, "{\"from\":\"24/11/2026 08:00\",\"to\":\"2026-11-25T08:00:00+01:00\"}"), 400, "INVALID_DATETIME", "need.from"),
                Arguments.of(request(PATIENT, "{\"to\":\"2026-11-25T08:00:00\"}"), 400, "INVALID_DATETIME", "need.to"),
                Arguments.of(request(PATIENT, "{\"radiusKm\":500}"), 400, "RADIUS_OUT_OF_RANGE", "need.radiusKm"),
                Arguments.of(request(PATIENT, "{\"radiusKm\":0}"), 400, "RADIUS_OUT_OF_RANGE", "need.radiusKm"),
                Arguments.of(request(PATIENT, "{\"mode\":\"TELEPORT\"}"), 400, "INVALID_ENUM", "need.mode"),
                Arguments.of(new JsonObject("{\"origin\":\"FAX\",\"patient\":" + PATIENT + "}"), 400, "INVALID_ENUM", "origin"),
                Arguments.of(new JsonObject("{\"origin\":\"PHARMACIST\",\"patient\":" + PATIENT + "}"), 403, "ORIGIN_NOT_ALLOWED", "origin"),
                Arguments.of(new JsonObject("{\"patient\":" + PATIENT + "}"), 400, "MISSING_FIELD", "origin"));
    }

    @ParameterizedTest(name = "{2} on {3}")
    @MethodSource("badRequests")
    void badCareRequestsAreRefusedWithTheFieldAndNothingIsStored(JsonObject body, int status, String code, String field) {
        long before = server.redis.keys("snp:{36}:req:*").size();
        Api.Response r = server.api.post("/api/v1/requests", server.token(Role.REGULATOR), body);
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.json().getString("code")).isEqualTo(code);
        assertThat(r.json().getString("field")).isEqualTo(field);
        assertThat(r.json().getString("message")).isNotBlank();
        assertThat(server.redis.keys("snp:{36}:req:*")).hasSize((int) before);
    }

    @Test
    void malformedOrOversizeBodiesAreRefused() {
        String token = server.token(Role.REGULATOR);
        Api.Response notJson = server.api.post("/api/v1/requests", token, "{\"origin\":");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.code()).isEqualTo("INVALID_JSON");
        Api.Response array = server.api.post("/api/v1/requests", token, "[1,2]");
        assertThat(array.code()).isEqualTo("INVALID_JSON");
        Api.Response huge = server.api.post("/api/v1/requests", token, "{\"x\":\"" + "a".repeat(400_000) + "\"}");
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.code()).isEqualTo("PAYLOAD_TOO_LARGE");
        Api.Response unknownRoute = server.api.get("/api/v1/nothing", token);
        assertThat(unknownRoute.status()).isEqualTo(404);
        assertThat(unknownRoute.code()).isEqualTo("NOT_FOUND");
    }

    @Test
    void aMissingOrMalformedTerritoryIsRefusedAlikeEverywhere() {
        String coordinator = server.token(Role.COORDINATOR);
        for (String path : List.of("/api/v1/effectors", "/api/v1/stats/noshow", "/api/v1/ops/outbox", "/api/v1/doctor-requests",
                "/api/v1/appointments?awaitingFeedback=true")) {
            Api.Response missing = server.api.get(path, coordinator);
            assertThat(missing.status()).as(path).isEqualTo(400);
            assertThat(missing.code()).as(path).isEqualTo("MISSING_FIELD");
            assertThat(missing.json().getString("field")).isEqualTo("territory");
            Api.Response malformed = server.api.get(path + (path.contains("?") ? "&" : "?") + "territory=99", coordinator);
            assertThat(malformed.code()).as(path).isEqualTo("INVALID_FIELD");
        }
        assertThat(server.api.get("/api/v1/territories/XX/planning", coordinator).code()).isEqualTo("INVALID_FIELD");
    }

    @Test
    void badEffectorsAreRefused() {
        String token = server.token(Role.COORDINATOR);
        JsonObject valid = new JsonObject().put("rpps", "10001056117").put("firstName", "A").put("lastName", "B")
                .put("locations", new JsonArray().add(new JsonObject().put("communeInsee", "36044")));
        Api.Response badRpps = server.api.post("/api/v1/effectors", token, valid.copy().put("rpps", "10001056118"));
        assertThat(badRpps.code()).isEqualTo("INVALID_RPPS");
        assertThat(badRpps.json().getString("field")).isEqualTo("rpps");
        assertThat(server.api.post("/api/v1/effectors", token, valid.copy().put("rpps", "1234")).code()).isEqualTo("INVALID_RPPS");
        Api.Response badCommune = server.api.post("/api/v1/effectors", token, valid.copy().put("locations",
                new JsonArray().add(new JsonObject().put("communeInsee", "36999"))));
        assertThat(badCommune.code()).isEqualTo("UNKNOWN_COMMUNE");
        assertThat(badCommune.json().getString("field")).isEqualTo("locations[0].communeInsee");
        assertThat(server.api.post("/api/v1/effectors", token, valid.copy().put("specialty", "cardio")).json()
                .getString("field")).isEqualTo("specialty");
        // the structure ids of a place: a SIRET with a wrong check digit, a FINESS with a wrong key or shape
        long effectorsBefore = server.redis.hlen(Keys.effectors("36"));
        Api.Response badSiret = server.api.post("/api/v1/effectors", token, valid.copy().put("locations", new JsonArray()
                .add(new JsonObject().put("communeInsee", "36044").put("siret", "73282932000079"))));
        assertThat(badSiret.status()).isEqualTo(400);
        assertThat(badSiret.code()).isEqualTo("INVALID_SIRET");
        assertThat(badSiret.json().getString("field")).isEqualTo("locations[0].siret");
        assertThat(badSiret.json().getString("message")).isNotBlank();
        Api.Response badFiness = server.api.post("/api/v1/effectors", token, valid.copy().put("locations", new JsonArray()
                .add(new JsonObject().put("communeInsee", "36044").put("finess", "368000006"))
                .add(new JsonObject().put("communeInsee", "36044").put("finess", "368000007"))));
        assertThat(badFiness.code()).isEqualTo("INVALID_FINESS");
        assertThat(badFiness.json().getString("field")).isEqualTo("locations[1].finess");
        for (Object bad : List.of("36800000", "3680000060", "36X000006", 368000006)) {
            Api.Response r = server.api.post("/api/v1/effectors", token, valid.copy().put("locations", new JsonArray()
                    .add(new JsonObject().put("communeInsee", "36044").put("finess", bad))));
            assertThat(r.status()).as(String.valueOf(bad)).isEqualTo(400);
            assertThat(r.json().getString("field")).as(String.valueOf(bad)).isEqualTo("locations[0].finess");
        }
        assertThat(server.redis.hlen(Keys.effectors("36"))).isEqualTo(effectorsBefore);

        // valid structure ids are stored with the place and shown (spaces dropped); a place without any has none
        JsonObject withIds = valid.copy().put("locations", new JsonArray()
                .add(new JsonObject().put("communeInsee", "36044").put("kind", "MSP").put("finess", "368000006")
                        .put("siret", "732 829 320 00074"))
                .add(new JsonObject().put("communeInsee", "36044")));
        Api.Response created = server.api.post("/api/v1/effectors", token, withIds);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().getString("rpps")).isEqualTo("10001056117");
        JsonObject place = created.json().getJsonArray("locations").getJsonObject(0);
        assertThat(place.getString("finess")).isEqualTo("368000006");
        assertThat(place.getString("siret")).isEqualTo("73282932000074");
        assertThat(created.json().getJsonArray("locations").getJsonObject(1).containsKey("finess")).isFalse();
        String stored = server.redis.hget(Keys.effectors("36"), created.json().getString("id"));
        assertThat(new JsonObject(stored).getJsonArray("locations").getJsonObject(0).getString("finess")).isEqualTo("368000006");
        assertThat(server.api.get("/api/v1/effectors/" + created.json().getString("id"), token).json()
                .getJsonArray("locations").getJsonObject(0).getString("siret")).isEqualTo("73282932000074");
        // the SAS form of the RPPS (prefixed with 8) is the same professional
        Api.Response duplicate = server.api.post("/api/v1/effectors", token, valid.copy().put("rpps", "810001056117"));
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.code()).isEqualTo("EFFECTOR_EXISTS");
        assertThat(duplicate.json().getString("message")).contains(created.json().getString("id"));
    }

    @Test
    void aBatchWithOneBadSlotStoresNone() {
        OffsetDateTime start = OffsetDateTime.now(ZoneId.of("Europe/Paris")).truncatedTo(ChronoUnit.MINUTES).plusHours(3);
        JsonArray batch = new JsonArray();
        for (int i = 0; i < 5; i++) {
            batch.add(new JsonObject().put("effectorId", effector).put("start", start.plusMinutes(20L * i).toString())
                    .put("end", start.plusMinutes(20L * i + 20).toString()).put("audiences", new JsonArray().add("SNP")));
        }
        batch.getJsonObject(3).put("mode", "SOMETIMES");
        long before = server.redis.zcard(Keys.effectorSlots("36", effector));
        Api.Response r = server.api.post("/api/v1/slots", server.token(Role.COORDINATOR), batch);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().getString("field")).isEqualTo("[3].mode");
        assertThat(server.redis.zcard(Keys.effectorSlots("36", effector))).isEqualTo(before);

        batch.getJsonObject(3).put("mode", "VR");
        Api.Response ok = server.api.post("/api/v1/slots", server.token(Role.COORDINATOR), new JsonObject().put("slots", batch));
        assertThat(ok.status()).isEqualTo(201);
        assertThat(ok.json().getInteger("created")).isEqualTo(5);
        // the same batch again creates nothing: a slot is its effector and start minute
        Api.Response again = server.api.post("/api/v1/slots", server.token(Role.COORDINATOR), batch);
        assertThat(again.json().getInteger("created")).isZero();
        assertThat(again.json().getInteger("existing")).isEqualTo(5);
    }

    static Stream<Arguments> badSlots() {
        OffsetDateTime start = OffsetDateTime.now(ZoneId.of("Europe/Paris")).truncatedTo(ChronoUnit.MINUTES).plusHours(5);
        String s = start.toString();
        String e = start.plusMinutes(20).toString();
        return Stream.of(
                Arguments.of(Map.of("start", "2026-13-01T10:00:00+01:00", "end", e), "INVALID_DATETIME", "start"),
                Arguments.of(Map.of("start", s, "end", s), "INVALID_FIELD", "end"),
                Arguments.of(Map.of("start", start.minusDays(2).toString(), "end", start.minusDays(2).plusMinutes(20).toString()), "SLOT_IN_PAST", "start"),
                Arguments.of(Map.of("start", start.plusDays(60).toString(), "end", start.plusDays(60).plusMinutes(20).toString()), "HORIZON_EXCEEDED", "start"),
                Arguments.of(Map.of("start", s, "end", e, "audiences", new JsonArray().add("EVERYONE")), "INVALID_ENUM", "audiences[0]"),
                Arguments.of(Map.of("start", s, "end", e, "audiences", new JsonArray()), "INVALID_FIELD", "audiences"),
                Arguments.of(Map.of("start", s, "end", e, "mode", "HH"), "INVALID_FIELD", "mode"),
                Arguments.of(Map.of("start", s, "end", e, "releaseAt", start.minusHours(1).toString()), "INVALID_FIELD", "releaseTo"),
                Arguments.of(Map.of("start", s, "end", e, "locationId", 4), "INVALID_FIELD", "locationId"));
    }

    @ParameterizedTest(name = "{1} on {2}")
    @MethodSource("badSlots")
    void badSlotsAreRefused(Map<String, Object> fields, String code, String field) {
        JsonObject slot = new JsonObject().put("effectorId", effector).put("audiences", new JsonArray().add("SNP"));
        fields.forEach(slot::put);
        Api.Response r = server.api.post("/api/v1/slots", server.token(Role.COORDINATOR), slot);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo(code);
        assertThat(r.json().getString("field")).isEqualTo(field);
    }

    @Test
    void anEffectorTokenManagesOnlyItsOwnSlots() throws Exception {
        String own = server.effector("36088", null);
        String token = server.token(Role.EFFECTOR, "Dr test", own, java.util.Set.of());
        OffsetDateTime start = OffsetDateTime.now(ZoneId.of("Europe/Paris")).truncatedTo(ChronoUnit.MINUTES).plusHours(4);
        JsonObject slot = new JsonObject().put("start", start.toString()).put("end", start.plusMinutes(15).toString())
                .put("audiences", new JsonArray().add("SNP"));
        assertThat(server.api.post("/api/v1/slots", token, slot.copy().put("effectorId", own)).status()).isEqualTo(201);
        Api.Response other = server.api.post("/api/v1/slots", token, slot.copy().put("effectorId", effector));
        assertThat(other.status()).isEqualTo(403);
        assertThat(other.code()).isEqualTo("NOT_YOUR_EFFECTOR");
    }

    @Test
    void availabilityRulesAndShiftsMakeSlotsAndBadRulesAreRefused() {
        String token = server.token(Role.COORDINATOR);
        String csnp = server.effector("36088", new JsonObject().put("locations", new JsonArray()
                .add(new JsonObject().put("communeInsee", "36088").put("name", "Cabinet"))
                .add(new JsonObject().put("communeInsee", "36088").put("name", "CSNP d'Issoudun").put("kind", "CSNP"))));
        String tomorrow = java.time.LocalDate.now(ZoneId.of("Europe/Paris")).plusDays(1).toString();
        Api.Response shift = server.api.post("/api/v1/effectors/" + csnp + "/availability", token, new JsonObject()
                .put("type", "shift").put("date", tomorrow).put("halfDay", "PM").put("locationId", 1)
                .put("audiences", new JsonArray().add("SNP").add("CPTS")));
        assertThat(shift.status()).isEqualTo(201);
        assertThat(shift.json().getInteger("created")).isEqualTo(12); // 14:00-18:00 in 20-minute slots
        assertThat(shift.json().getJsonArray("slots").getJsonObject(0).getString("start")).startsWith(tomorrow + "T14:00");

        Api.Response rule = server.api.post("/api/v1/effectors/" + csnp + "/availability", token, new JsonObject()
                .put("type", "recurring").put("days", new JsonArray().add("MON").add("TUESDAY").add("WED").add("THU")
                        .add("FRI").add("SAT").add("SUN"))
                .put("startTime", "18:00").put("endTime", "19:00").put("slotMinutes", 15)
                .put("from", tomorrow).put("until", java.time.LocalDate.parse(tomorrow).plusDays(6).toString())
                .put("audiences", new JsonArray().add("SNP")).put("releaseBefore", "PT2H")
                .put("releaseTo", new JsonArray().add("PUBLIC")));
        assertThat(rule.status()).isEqualTo(201);
        assertThat(rule.json().getInteger("created")).isEqualTo(28);
        assertThat(rule.json().getJsonArray("slots").getJsonObject(0).getJsonArray("releaseTo").getList()).containsExactly("PUBLIC");

        Api.Response badDay = server.api.post("/api/v1/effectors/" + csnp + "/availability", token, new JsonObject()
                .put("type", "recurring").put("days", new JsonArray().add("FUNDAY")).put("startTime", "18:00")
                .put("endTime", "19:00").put("slotMinutes", 15).put("until", tomorrow).put("audiences", new JsonArray().add("SNP")));
        assertThat(badDay.code()).isEqualTo("INVALID_ENUM");
        assertThat(badDay.json().getString("field")).isEqualTo("days[0]");
        Api.Response tooFar = server.api.post("/api/v1/effectors/" + csnp + "/availability", token, new JsonObject()
                .put("type", "recurring").put("days", new JsonArray().add("MON")).put("startTime", "18:00")
                .put("endTime", "19:00").put("slotMinutes", 15).put("until", "2030-01-01").put("audiences", new JsonArray().add("SNP")));
        assertThat(tooFar.code()).isEqualTo("HORIZON_EXCEEDED");
        Api.Response badTime = server.api.post("/api/v1/effectors/" + csnp + "/availability", token, new JsonObject()
                .put("type", "shift").put("date", tomorrow).put("startTime", "25:00").put("audiences", new JsonArray().add("SNP")));
        assertThat(badTime.code()).isEqualTo("INVALID_TIME");
    }
}
