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
        else { items = null; prefix = null; } // one slot: the contract allows these three shapes only

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
        List<NewSlot> slots = new ArrayList<>(items.size()); // 1 to MAX_SLOTS_PER_CALL slot objects (the contract)
        for (int i = 0; i < items.size(); i++) slots.add(parseSlot(p, items.getJsonObject(i), prefix + "[" + i + "]", now));
        Http.reply(ctx, publishAll(p, slots, now).thenApply(result -> new Http.Reply(201, result)));
    }

    /** POST /api/v1/effectors/{id}/availability: a recurring rule or a CSNP half-day shift, turned into slots. */
    void availability(RoutingContext ctx) {
        String effectorId = ctx.pathParam("id");
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
        String effectorId = Input.string(o, "effectorId");
        Effector e;
        try {
            e = s.publishing().managed(p, effectorId);
        } catch (Refused r) {
            throw new Refused(r.outcome, r.getMessage(), Input.path(prefix, "effectorId"));
        }
        int location = location(o, e, prefix);
        OffsetDateTime start = Input.dateTime(o, "start", prefix);
        OffsetDateTime end = Input.dateTime(o, "end", prefix);
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
        Mode mode = Input.enumValue(Mode.class, o, "mode", Mode.AMB);
        if (mode == Mode.HH && e.homeVisitRadiusKm() <= 0) {
            throw Input.invalid(Input.path(prefix, "mode"), "HH needs the effector's homeVisitRadiusKm");
        }
        int audiences = audiences(o);
        long releaseAt = 0;
        int releaseTo = 0;
        OffsetDateTime release = Input.dateTime(o, "releaseAt", prefix);
        Set<Audience> to = Input.enumSet(Audience.class, o, "releaseTo");
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

    /** The audiences, required and non-empty (the contract). */
    private static int audiences(JsonObject o) { return Audience.mask(Input.enumSet(Audience.class, o, "audiences")); }

    /** One of the effector's practice locations (0, the first, by default): how many they have is not the contract's to say. */
    private static int location(JsonObject o, Effector e, String prefix) {
        int location = Input.integer(o, "locationId", 0);
        if (location >= e.locations().size()) {
            throw Input.invalid(Input.path(prefix, "locationId"), "must be between 0 and " + (e.locations().size() - 1)
                    + " (the effector's practice locations)");
        }
        return location;
    }

    private AvailabilityPlanner.Rule parseRule(JsonObject b, Effector e, Instant now) {
        String type = Input.string(b, "type");
        int location = location(b, e, null);
        Mode mode = Input.enumValue(Mode.class, b, "mode", Mode.AMB);
        if (mode == Mode.HH && e.homeVisitRadiusKm() <= 0) throw Input.invalid("mode", "HH needs the effector's homeVisitRadiusKm");
        int audiences = audiences(b);
        Duration releaseBefore = Input.duration(b, "releaseBefore", null);
        Set<Audience> releaseTo = Input.enumSet(Audience.class, b, "releaseTo");
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
                // what a recurring rule needs (the contract says which fields there are, not which go with which type)
                for (String needed : List.of("days", "startTime", "endTime", "slotMinutes", "until")) {
                    if (b.getValue(needed) == null) throw Input.missing(needed);
                }
                Set<DayOfWeek> days = days(b);
                LocalTime startTime = Input.time(b, "startTime");
                LocalTime endTime = Input.time(b, "endTime");
                if (!endTime.isAfter(startTime)) throw Input.invalid("endTime", "must be after startTime");
                int minutes = Input.integer(b, "slotMinutes", null);
                LocalDate from = Input.date(b, "from");
                if (from == null || from.isBefore(today)) from = today;
                LocalDate until = Input.date(b, "until");
                if (until.isBefore(from)) throw Input.invalid("until", "must not be before from");
                if (until.isAfter(lastDay)) {
                    throw ApiError.badRequest("HORIZON_EXCEEDED", "slots are published at most "
                            + s.planner().horizonDays() + " days ahead (until " + lastDay + ")", "until");
                }
                return new AvailabilityPlanner.Rule(location, days, startTime, endTime, minutes, from, until, mode,
                        audiences, releaseBefore, releaseMask);
            }
            case "shift": {
                if (b.getValue("date") == null) throw Input.missing("date");
                LocalDate date = Input.date(b, "date");
                if (date.isBefore(today) || date.isAfter(lastDay)) {
                    throw ApiError.badRequest("HORIZON_EXCEEDED", "date must be between " + today + " and " + lastDay, "date");
                }
                AvailabilityPlanner.HalfDay half = Input.enumValue(AvailabilityPlanner.HalfDay.class, b, "halfDay",
                        AvailabilityPlanner.HalfDay.AM);
                if (b.getValue("halfDay") == null && b.getValue("startTime") == null) throw Input.missing("halfDay");
                LocalTime[] hours = s.planner().shiftHours(half);
                LocalTime startTime = b.getValue("startTime") != null ? Input.time(b, "startTime") : hours[0];
                LocalTime endTime = b.getValue("endTime") != null ? Input.time(b, "endTime") : hours[1];
                if (!endTime.isAfter(startTime)) throw Input.invalid("endTime", "must be after startTime");
                int minutes = Input.integer(b, "slotMinutes", 20);
                return new AvailabilityPlanner.Rule(location, EnumSet.of(date.getDayOfWeek()), startTime, endTime,
                        minutes, date, date, mode, audiences, releaseBefore, releaseMask);
            }
            default:
                throw new IllegalStateException("type " + type + " passed the contract's enum");
        }
    }

    /** Days of the week, MON or MONDAY (the contract's enum). */
    private static Set<DayOfWeek> days(JsonObject b) {
        EnumSet<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (Object d : b.getJsonArray("days")) {
            for (DayOfWeek w : DayOfWeek.values()) if (w.name().startsWith((String) d)) days.add(w);
        }
        return days;
    }

    // --- read and withdraw ---------------------------------------------------------------------------------------

    void get(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        long now = s.nowMs();
        Http.reply(ctx, s.publishing().read(Authenticator.principal(ctx), id)
                .thenApply(slot -> new Http.Reply(200, Views.slot(slot, now))));
    }

    void withdraw(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        long now = s.nowMs();
        Http.reply(ctx, s.publishing().withdraw(Authenticator.principal(ctx), id)
                .thenApply(slot -> new Http.Reply(200, Views.slot(slot, now))));
    }

    // --- holds ---------------------------------------------------------------------------------------------------

    void hold(RoutingContext ctx) {
        String slotId = ctx.pathParam("id");
        JsonObject body = Input.object(ctx);
        String requestId = Input.string(body, "requestId");
        Http.reply(ctx, s.bookings().hold(Authenticator.principal(ctx), slotId, requestId).thenApply(h ->
                new Http.Reply(201, new JsonObject().put("holdId", h.holdId()).put("slotId", slotId).put("requestId", requestId)
                        .put("expiresAt", Views.time(h.expiresAtMs(), h.slot().offsetSeconds())))));
    }

    void releaseHold(RoutingContext ctx) {
        String slotId = ctx.pathParam("id");
        String holdId = ctx.queryParams().get("holdId");
        long now = s.nowMs();
        Http.reply(ctx, s.bookings().releaseHold(Authenticator.principal(ctx), slotId, holdId)
                .thenApply(slot -> new Http.Reply(200, Views.slot(slot, now))));
    }
}
