package fr.snp.dispatch.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.Set;

/**
 * Reads of a request the contract (openapi.yaml) has checked before its handler ran (ContractValidation): which
 * fields are required, their types, enums, bounds, lengths and patterns are the contract's, strings come trimmed and
 * a blank one as absent. So these are plain reads. What stays here is what a schema cannot say about a value's text
 * (that a date-time its pattern allows is a real one, not 30 February; that a duration is one Java can count) and
 * the refusals the handlers' domain checks build ({@link #invalid}, {@link #missing}).
 *
 * <p>A value of another shape than the contract promised is the contract and the handler disagreeing: a server bug,
 * which fails as one (a ClassCastException, 500) and is found by the fuzzing of every route (FuzzTest), never
 * answered as the client's error.
 */
final class Input {
    private Input() {}

    /** No body sent (none at all, or empty). A request without one has a body of length -1, not 0. */
    static boolean noBody(RoutingContext ctx) {
        return ctx.body() == null || ctx.body().buffer() == null || ctx.body().buffer().length() == 0;
    }

    /** The body as the contract's check parsed and trimmed it (ContractValidation): a request is parsed once. */
    static final String PARSED_BODY = "contract.body";

    /** The checked body, an object or an array (null when the operation's optional body was not sent). */
    static Object body(RoutingContext ctx) { return ctx.get(PARSED_BODY); }

    /** The checked JSON object body; an empty one when the operation's optional body was not sent. */
    static JsonObject object(RoutingContext ctx) {
        Object body = body(ctx);
        return body == null ? new JsonObject() : (JsonObject) body;
    }

    static String path(String prefix, String field) { return prefix == null || prefix.isEmpty() ? field : prefix + "." + field; }

    static JsonObject object(JsonObject o, String field) { return o.getJsonObject(field); }

    /** A string member (trimmed by the check), or null when absent. */
    static String string(JsonObject o, String field) { return o.getString(field); }

    static Integer integer(JsonObject o, String field, Integer otherwise) {
        Number n = o.getNumber(field);
        return n == null ? otherwise : Integer.valueOf(n.intValue());
    }

    static Double number(JsonObject o, String field) {
        Number n = o.getNumber(field);
        return n == null ? null : n.doubleValue();
    }

    /** A boolean member, false when absent. */
    static boolean bool(JsonObject o, String field) { return Boolean.TRUE.equals(o.getBoolean(field)); }

    static <E extends Enum<E>> E enumValue(Class<E> type, JsonObject o, String field, E otherwise) {
        String s = o.getString(field);
        return s == null ? otherwise : Enum.valueOf(type, s);
    }

    /** A JSON array of enum names (duplicates collapse); null when absent. */
    static <E extends Enum<E>> Set<E> enumSet(Class<E> type, JsonObject o, String field) {
        JsonArray a = o.getJsonArray(field);
        if (a == null) return null;
        EnumSet<E> set = EnumSet.noneOf(type);
        for (int i = 0; i < a.size(); i++) set.add(Enum.valueOf(type, a.getString(i)));
        return set;
    }

    /** An ISO-8601 date-time with its offset: the contract's pattern lets through a 30 February, the calendar does not. */
    static OffsetDateTime dateTime(JsonObject o, String field, String prefix) {
        String s = o.getString(field);
        if (s == null) return null;
        try {
            return OffsetDateTime.parse(s);
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest("INVALID_DATETIME", "'" + s + "' is not a date-time with offset, e.g. "
                    + "2026-11-23T18:30:00+01:00", path(prefix, field));
        }
    }

    /** An ISO-8601 date (the contract's format checks its shape; the calendar, the day). */
    static LocalDate date(JsonObject o, String field) {
        String s = o.getString(field);
        if (s == null) return null;
        try {
            return LocalDate.parse(s);
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest("INVALID_DATE", "'" + s + "' is not a date, e.g. 2026-11-23", field);
        }
    }

    /** A time of day (18:30 or 18:30:00): the contract's pattern allows only real ones. */
    static LocalTime time(JsonObject o, String field) {
        String s = o.getString(field);
        return s == null ? null : LocalTime.parse(s);
    }

    /**
     * A positive duration. JSON Schema's {@code duration} format also allows months and years (P1M), which have no
     * fixed length: Java counts days, hours, minutes and seconds only.
     */
    static Duration duration(JsonObject o, String field, String prefix) {
        String s = o.getString(field);
        if (s == null) return null;
        Duration d;
        try {
            d = Duration.parse(s);
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest("INVALID_DURATION", "'" + s + "' is not a duration in days, hours or minutes, "
                    + "e.g. PT2H or P2D", path(prefix, field));
        }
        if (d.isNegative() || d.isZero()) throw invalid(path(prefix, field), "must be a positive duration");
        return d;
    }

    static ApiError missing(String path) { return ApiError.badRequest("MISSING_FIELD", path + " is required", path); }

    static ApiError invalid(String path, String what) { return ApiError.badRequest("INVALID_FIELD", path + " " + what, path); }
}
