package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.availability.AvailabilityPlanner;
import fr.snp.dispatch.booking.Publishing;
import fr.snp.dispatch.domain.NewSlot;
import fr.snp.dispatch.domain.Refused;
import fr.snp.dispatch.domain.Audience;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.domain.Mode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/** Publishing, reading, withdrawing and holding slots. */
final class SlotHandlers {
    static final int MAX_SLOTS_PER_CALL = 500;

    private final Services s;

    SlotHandlers(Services s) { this.s = s; }

    // --- publish -------------------------------------------------------------------------------------------------

    /** POST /api/v1/slots: one slot (an object), or a batch (an array, or {"slots": [...]}), all or nothing. */
    void publish(RoutingContext ctx) {
        Object body = Input.body(ctx);
        JsonArray items;
        String prefix;
        if (body instanceof JsonArray a) { items = a; prefix = ""; }
        else if (body instanceof JsonObject o && o.getValue("slots") instanceof JsonArray a) { items = a; prefix = "slots"; }
        else if (body instanceof JsonObject o) { items = null; prefix = null; }
        else throw ApiError.badRequest("INVALID_JSON", "the body must be a slot object or an array of slots", null);

        long now = s.nowMs();
        Principal p = Authenticator.principal(ctx);
        if (items == null) {
            NewSlot slot = parseSlot(p, (JsonObject) body, null, now);
            Http.reply(ctx, s.publishing().publish(p, slot).thenApply(r -> {
                JsonObject view = Views.slot(r.slot(), now).put("created", r.created());
                return new Http.Reply(r.created() ? 201 : 200, view, Map.of("Location", "/api/v1/slots/" + slot.id()));
            }));
            return;
        }
        if (items.isEmpty() || items.size() > MAX_SLOTS_PER_CALL) {
            throw Input.invalid(prefix.isEmpty() ? "body" : prefix, "must hold 1 to " + MAX_SLOTS_PER_CALL + " slots");
        }
        List<NewSlot> slots = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String itemPath = prefix + "[" + i + "]";
            if (!(items.getValue(i) instanceof JsonObject o)) throw Input.invalid(itemPath, "must be a slot object");
            slots.add(parseSlot(p, o, itemPath, now));
        }
        Http.reply(ctx, publishAll(p, slots, now).thenApply(result -> new Http.Reply(201, result)));
    }

    /** POST /api/v1/effectors/{id}/availability: a recurring rule or a CSNP half-day shift, turned into slots. */
    void availability(RoutingContext ctx) {
        String effectorId = Input.id(ctx.pathParam("id"), "effector");
        Principal p = Authenticator.principal(ctx);
        Effector e = s.publishing().managed(p, effectorId);
        JsonObject body = Input.object(ctx);
        Instant now = Instant.ofEpochMilli(s.nowMs());
        AvailabilityPlanner.Rule rule = parseRule(body, e, now);
        List<NewSlot> slots = s.planner().plan(effectorId, rule, now, MAX_SLOTS_PER_CALL);
        if (slots.size() > MAX_SLOTS_PER_CALL) {
            throw ApiError.badRequest("TOO_MANY_SLOTS", "this rule makes more than " + MAX_SLOTS_PER_CALL
                    + " slots: shorten the period or lengthen the slots", null);
        }
        if (slots.isEmpty()) {
            throw ApiError.badRequest("NO_SLOTS", "this rule makes no future slot (check days, times and dates)", null);
        }
        Http.reply(ctx, publishAll(p, slots, now.toEpochMilli())
                .thenApply(result -> new Http.Reply(201, result.put("effectorId", effectorId))));
    }

    private CompletionStage<JsonObject> publishAll(Principal p, List<NewSlot> slots, long now) {
        return s.publishing().publishAll(p, slots).thenApply(published -> {
            JsonArray views = new JsonArray();
            int created = 0;
            for (Publishing.Published r : published) {
                if (r.created()) created++;
                views.add(Views.slot(r.slot(), now).put("created", r.created()));
            }
            return new JsonObject().put("created", created).put("existing", slots.size() - created).put("slots", views);
        });
    }

    private NewSlot parseSlot(Principal p, JsonObject o, String prefix, long nowMs) {
        String effectorId = Input.string(o, "effectorId", prefix, true);
        Effector e;
        try {
            e = s.publishing().managed(p, effectorId);
        } catch (Refused r) {
            throw new Refused(r.outcome, r.getMessage(), Input.path(prefix, "effectorId"));
        }
        int location = Input.integer(o, "locationId", prefix, 0, e.locations().size() - 1, 0);
        OffsetDateTime start = Input.dateTime(o, "start", prefix, true);
        OffsetDateTime end = Input.dateTime(o, "end", prefix, true);
        long minutes = Duration.between(start, end).toMinutes();
        if (minutes < 5 || minutes > 720) throw Input.invalid(Input.path(prefix, "end"), "must be 5 minutes to 12 hours after start");
        if (start.toInstant().toEpochMilli() <= nowMs) {
            throw ApiError.badRequest("SLOT_IN_PAST", "start is in the past", Input.path(prefix, "start"));
        }
        Instant horizon = Instant.ofEpochMilli(nowMs).plus(Duration.ofDays(s.planner().horizonDays()));
        if (start.toInstant().isAfter(horizon)) {
            throw ApiError.badRequest("HORIZON_EXCEEDED", "slots are published at most " + s.planner().horizonDays()
                    + " days ahead", Input.path(prefix, "start"));
        }
        Mode mode = Input.enumValue(Mode.class, o, "mode", prefix, Mode.AMB);
        if (mode == Mode.HH && e.homeVisitRadiusKm() <= 0) {
            throw Input.invalid(Input.path(prefix, "mode"), "HH needs the effector's homeVisitRadiusKm");
        }
        int audiences = audiences(o, prefix);
        long releaseAt = 0;
        int releaseTo = 0;
        OffsetDateTime release = Input.dateTime(o, "releaseAt", prefix, false);
        Set<Audience> to = Input.enumSet(Audience.class, o, "releaseTo", prefix);
        if ((release == null) != (to == null)) {
            throw Input.invalid(Input.path(prefix, release == null ? "releaseAt" : "releaseTo"), "goes with "
                    + (release == null ? "releaseTo" : "releaseAt"));
        }
        if (release != null) {
            if (!release.isBefore(start)) throw Input.invalid(Input.path(prefix, "releaseAt"), "must be before start");
            releaseTo = Audience.mask(to);
            if ((releaseTo & ~audiences) == 0) {
                throw Input.invalid(Input.path(prefix, "releaseTo"), "must add an audience the slot does not have yet");
            }
            releaseAt = release.toInstant().toEpochMilli();
        }
        return new NewSlot(e.id(), location, start.toEpochSecond(), end.toEpochSecond(),
                start.getOffset().getTotalSeconds(), mode.name(), audiences, releaseAt, releaseTo,
                s.planner().week(start.toInstant()));
    }

    private static int audiences(JsonObject o, String prefix) {
        Set<Audience> a = Input.enumSet(Audience.class, o, "audiences", prefix);
        if (a == null) throw Input.missing(Input.path(prefix, "audiences"));
        return Audience.mask(a);
    }

    private AvailabilityPlanner.Rule parseRule(JsonObject b, Effector e, Instant now) {
        String type = Input.string(b, "type", null, true);
        int location = Input.integer(b, "locationId", null, 0, e.locations().size() - 1, 0);
        Mode mode = Input.enumValue(Mode.class, b, "mode", null, Mode.AMB);
        if (mode == Mode.HH && e.homeVisitRadiusKm() <= 0) throw Input.invalid("mode", "HH needs the effector's homeVisitRadiusKm");
        int audiences = audiences(b, null);
        Duration releaseBefore = Input.duration(b, "releaseBefore", null);
        Set<Audience> releaseTo = Input.enumSet(Audience.class, b, "releaseTo", null);
        if ((releaseBefore == null) != (releaseTo == null)) {
            throw Input.invalid(releaseBefore == null ? "releaseBefore" : "releaseTo", "goes with "
                    + (releaseBefore == null ? "releaseTo" : "releaseBefore"));
        }
        int releaseMask = releaseTo == null ? 0 : Audience.mask(releaseTo);
        if (releaseTo != null && (releaseMask & ~audiences) == 0) {
            throw Input.invalid("releaseTo", "must add an audience the slots do not have yet");
        }
        LocalDate today = s.planner().today(now);
        LocalDate lastDay = today.plusDays(s.planner().horizonDays());
        switch (type) {
            case "recurring": {
                Set<DayOfWeek> days = days(b);
                LocalTime startTime = Input.time(b, "startTime", null, true);
                LocalTime endTime = Input.time(b, "endTime", null, true);
                if (!endTime.isAfter(startTime)) throw Input.invalid("endTime", "must be after startTime");
                int minutes = Input.integer(b, "slotMinutes", null, 5, 240, null);
                LocalDate from = Input.date(b, "from", null, false);
                if (from == null || from.isBefore(today)) from = today;
                LocalDate until = Input.date(b, "until", null, true);
                if (until.isBefore(from)) throw Input.invalid("until", "must not be before from");
                if (until.isAfter(lastDay)) {
                    throw ApiError.badRequest("HORIZON_EXCEEDED", "slots are published at most "
                            + s.planner().horizonDays() + " days ahead (until " + lastDay + ")", "until");
                }
                return new AvailabilityPlanner.Rule(location, days, startTime, endTime, minutes, from, until, mode,
                        audiences, releaseBefore, releaseMask);
            }
            case "shift": {
                LocalDate date = Input.date(b, "date", null, true);
                if (date.isBefore(today) || date.isAfter(lastDay)) {
                    throw ApiError.badRequest("HORIZON_EXCEEDED", "date must be between " + today + " and " + lastDay, "date");
                }
                AvailabilityPlanner.HalfDay half = Input.enumValue(AvailabilityPlanner.HalfDay.class, b, "halfDay", null,
                        AvailabilityPlanner.HalfDay.AM);
                if (b.getValue("halfDay") == null && b.getValue("startTime") == null) throw Input.missing("halfDay");
                LocalTime[] hours = s.planner().shiftHours(half);
                LocalTime startTime = b.getValue("startTime") != null ? Input.time(b, "startTime", null, true) : hours[0];
                LocalTime endTime = b.getValue("endTime") != null ? Input.time(b, "endTime", null, true) : hours[1];
                if (!endTime.isAfter(startTime)) throw Input.invalid("endTime", "must be after startTime");
                int minutes = Input.integer(b, "slotMinutes", null, 5, 240, 20);
                return new AvailabilityPlanner.Rule(location, EnumSet.of(date.getDayOfWeek()), startTime, endTime,
                        minutes, date, date, mode, audiences, releaseBefore, releaseMask);
            }
            default:
                throw ApiError.badRequest("INVALID_ENUM", "unknown value '" + type + "', expected recurring or shift", "type");
        }
    }

    private static Set<DayOfWeek> days(JsonObject b) {
        Object raw = b.getValue("days");
        if (!(raw instanceof JsonArray a) || a.isEmpty()) throw Input.invalid("days", "must be a non-empty array such as [\"MON\",\"THU\"]");
        EnumSet<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (int i = 0; i < a.size(); i++) {
            String d = a.getValue(i) instanceof String str ? str.toUpperCase() : "";
            DayOfWeek match = null;
            for (DayOfWeek w : DayOfWeek.values()) if (w.name().equals(d) || w.name().substring(0, 3).equals(d)) match = w;
            if (match == null) {
                throw ApiError.badRequest("INVALID_ENUM", "unknown day '" + a.getValue(i) + "', expected MON..SUN", "days[" + i + "]");
            }
            days.add(match);
        }
        return days;
    }

    // --- read and withdraw ---------------------------------------------------------------------------------------

    void get(RoutingContext ctx) {
        String id = Input.id(ctx.pathParam("id"), "slot");
        long now = s.nowMs();
        Http.reply(ctx, s.publishing().read(Authenticator.principal(ctx), id)
                .thenApply(slot -> new Http.Reply(200, Views.slot(slot, now))));
    }

    void withdraw(RoutingContext ctx) {
        String id = Input.id(ctx.pathParam("id"), "slot");
        long now = s.nowMs();
        Http.reply(ctx, s.publishing().withdraw(Authenticator.principal(ctx), id)
                .thenApply(slot -> new Http.Reply(200, Views.slot(slot, now))));
    }

    // --- holds ---------------------------------------------------------------------------------------------------

    void hold(RoutingContext ctx) {
        String slotId = Input.id(ctx.pathParam("id"), "slot");
        JsonObject body = Input.object(ctx);
        String requestId = Input.string(body, "requestId", null, true);
        if (!Ids.isWellFormed(requestId)) throw Input.invalid("requestId", "is not a well-formed request id");
        Http.reply(ctx, s.bookings().hold(Authenticator.principal(ctx), slotId, requestId).thenApply(h ->
                new Http.Reply(201, new JsonObject().put("holdId", h.holdId()).put("slotId", slotId).put("requestId", requestId)
                        .put("expiresAt", Views.time(h.expiresAtMs(), h.slot().offsetSeconds())))));
    }

    void releaseHold(RoutingContext ctx) {
        String slotId = Input.id(ctx.pathParam("id"), "slot");
        String holdId = ctx.queryParams().get("holdId");
        if (holdId == null || holdId.isBlank()) throw Input.missing("holdId");
        long now = s.nowMs();
        Http.reply(ctx, s.bookings().releaseHold(Authenticator.principal(ctx), slotId, holdId)
                .thenApply(slot -> new Http.Reply(200, Views.slot(slot, now))));
    }
}
