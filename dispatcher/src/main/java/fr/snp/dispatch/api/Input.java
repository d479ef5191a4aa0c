package fr.snp.dispatch.api;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * Reading JSON input: every wrong value becomes a 400 naming the field (with its path, e.g. "patient.phone")
 * and saying what was expected, before anything is stored.
 */
final class Input {
    private Input() {}

    /** No body sent (none at all, or empty). A request without one has a body of length -1, not 0. */
    static boolean noBody(RoutingContext ctx) {
        return ctx.body() == null || ctx.body().buffer() == null || ctx.body().buffer().length() == 0;
    }

    /** The body as the contract's check parsed it (ContractValidation), so that a request is parsed once. */
    static final String PARSED_BODY = "contract.body";

    static Object body(RoutingContext ctx) {
        Object parsed = ctx.get(PARSED_BODY);
        if (parsed != null) return parsed;
        String text = ctx.body() == null ? null : ctx.body().asString();
        if (text == null || text.isBlank()) throw ApiError.badRequest("MISSING_BODY", "a JSON body is required", null);
        try {
            return io.vertx.core.json.Json.decodeValue(text);
        } catch (DecodeException e) {
            throw ApiError.badRequest("INVALID_JSON", "the body is not valid JSON", null);
        }
    }

    static JsonObject object(RoutingContext ctx) {
        Object body = body(ctx);
        if (!(body instanceof JsonObject o)) throw ApiError.badRequest("INVALID_JSON", "the body must be a JSON object", null);
        return o;
    }

    static String path(String prefix, String field) { return prefix == null || prefix.isEmpty() ? field : prefix + "." + field; }

    static JsonObject object(JsonObject o, String field, String prefix, boolean required) {
        Object v = o.getValue(field);
        if (v == null) {
            if (required) throw missing(path(prefix, field));
            return null;
        }
        if (!(v instanceof JsonObject j)) throw invalid(path(prefix, field), "must be a JSON object");
        return j;
    }

    static String string(JsonObject o, String field, String prefix, boolean required) {
        Object v = o.getValue(field);
        if (v == null || (v instanceof String s && s.isBlank())) {
            if (required) throw missing(path(prefix, field));
            return null;
        }
        if (!(v instanceof String s)) throw invalid(path(prefix, field), "must be a string");
        if (s.length() > 200) throw invalid(path(prefix, field), "is longer than 200 characters");
        return s.strip();
    }

    static Integer integer(JsonObject o, String field, String prefix, int min, int max, Integer otherwise) {
        Object v = o.getValue(field);
        if (v == null) {
            if (otherwise == null) throw missing(path(prefix, field));
            return otherwise;
        }
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw invalid(path(prefix, field), "must be a whole number");
        }
        long value = n.longValue();
        if (value < min || value > max) throw invalid(path(prefix, field), "must be between " + min + " and " + max);
        return (int) value;
    }

    static Double number(JsonObject o, String field, String prefix, boolean required) {
        Object v = o.getValue(field);
        if (v == null) {
            if (required) throw missing(path(prefix, field));
            return null;
        }
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) throw invalid(path(prefix, field), "must be a number");
        return n.doubleValue();
    }

    static boolean bool(JsonObject o, String field, String prefix) {
        Object v = o.getValue(field);
        if (v == null) return false;
        if (!(v instanceof Boolean b)) throw invalid(path(prefix, field), "must be true or false");
        return b;
    }

    static <E extends Enum<E>> E enumValue(Class<E> type, JsonObject o, String field, String prefix, E otherwise) {
        String s = string(o, field, prefix, otherwise == null);
        if (s == null) return otherwise;
        return parseEnum(type, s, path(prefix, field));
    }

    static <E extends Enum<E>> E parseEnum(Class<E> type, String value, String path) {
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("INVALID_ENUM", "unknown value '" + value + "', expected one of "
                    + Arrays.toString(type.getEnumConstants()), path);
        }
    }

    /** A JSON array of enum names; null when absent. Duplicates collapse; an empty array is refused. */
    static <E extends Enum<E>> Set<E> enumSet(Class<E> type, JsonObject o, String field, String prefix) {
        Object v = o.getValue(field);
        if (v == null) return null;
        if (!(v instanceof JsonArray a) || a.isEmpty()) throw invalid(path(prefix, field), "must be a non-empty array");
        EnumSet<E> set = EnumSet.noneOf(type);
        for (int i = 0; i < a.size(); i++) {
            if (!(a.getValue(i) instanceof String s)) throw invalid(path(prefix, field) + "[" + i + "]", "must be a string");
            set.add(parseEnum(type, s, path(prefix, field) + "[" + i + "]"));
        }
        return set;
    }

    /** ISO-8601 date-time with an offset (2026-11-23T18:30:00+01:00 or ...Z). */
    static OffsetDateTime dateTime(JsonObject o, String field, String prefix, boolean required) {
        String s = string(o, field, prefix, required);
        if (s == null) return null;
        try {
            return OffsetDateTime.parse(s);
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest("INVALID_DATETIME", "'" + s + "' is not an ISO-8601 date-time with offset, e.g. "
                    + "2026-11-23T18:30:00+01:00", path(prefix, field));
        }
    }

    static LocalDate date(JsonObject o, String field, String prefix, boolean required) {
        String s = string(o, field, prefix, required);
        if (s == null) return null;
        try {
            return LocalDate.parse(s);
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest("INVALID_DATE", "'" + s + "' is not an ISO-8601 date, e.g. 2026-11-23", path(prefix, field));
        }
    }

    static LocalTime time(JsonObject o, String field, String prefix, boolean required) {
        String s = string(o, field, prefix, required);
        if (s == null) return null;
        try {
            return LocalTime.parse(s);
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest("INVALID_TIME", "'" + s + "' is not a time of day, e.g. 18:30", path(prefix, field));
        }
    }

    static Duration duration(JsonObject o, String field, String prefix) {
        String s = string(o, field, prefix, false);
        if (s == null) return null;
        try {
            Duration d = Duration.parse(s);
            if (d.isNegative() || d.isZero()) throw invalid(path(prefix, field), "must be a positive duration");
            return d;
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest("INVALID_DURATION", "'" + s + "' is not an ISO-8601 duration, e.g. PT2H or PT48H",
                    path(prefix, field));
        }
    }

    /** A territory (département code, e.g. 36): missing or malformed is a 400 naming {@code field}. */
    static String territory(String value, String field) {
        if (value == null || value.isBlank()) {
            throw ApiError.badRequest("MISSING_FIELD", "territory must be a département code, e.g. 36", field);
        }
        if (!fr.snp.dispatch.domain.Ids.isTerritory(value)) {
            throw ApiError.badRequest("INVALID_FIELD", "territory must be a département code, e.g. 36", field);
        }
        return value;
    }

    static String id(String value, String what) {
        if (!fr.snp.dispatch.domain.Ids.isWellFormed(value)) {
            throw ApiError.badRequest("INVALID_ID", "'" + value + "' is not a well-formed " + what + " id", null);
        }
        return value;
    }

    static ApiError missing(String path) { return ApiError.badRequest("MISSING_FIELD", path + " is required", path); }

    static ApiError invalid(String path, String what) { return ApiError.badRequest("INVALID_FIELD", path + " " + what, path); }
}
