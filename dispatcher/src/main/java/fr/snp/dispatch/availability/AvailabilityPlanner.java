package fr.snp.dispatch.availability;

import fr.snp.dispatch.domain.NewSlot;
import fr.snp.dispatch.config.Settings;
import fr.snp.dispatch.domain.Mode;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns what an effector says ("Mondays and Thursdays 18:00-20:00, 15-minute slots, until 7 December", or "the
 * afternoon shift at the CSNP on Wednesday") into slots, in the territory's local time. Past slots are skipped.
 */
public final class AvailabilityPlanner {
    public enum HalfDay { AM, PM, EVENING }

    /** Slots every {@code slotMinutes} between two local times, on the given days, from one date to another. */
    public record Rule(int location, Set<DayOfWeek> days, LocalTime startTime, LocalTime endTime, int slotMinutes,
                       LocalDate from, LocalDate until, Mode mode, int audiences, Duration releaseBefore,
                       int releaseTo) {}

    private final ZoneId zone;
    private final int horizonDays;
    private final Map<HalfDay, LocalTime[]> shifts = new EnumMap<>(HalfDay.class);

    public AvailabilityPlanner(Settings settings) {
        this.zone = settings.zone("territory.zone");
        this.horizonDays = settings.integer("availability.horizonDays");
        for (HalfDay h : HalfDay.values()) {
            String[] range = settings.string("availability.shift." + h.name()).split("-");
            shifts.put(h, new LocalTime[]{LocalTime.parse(range[0]), LocalTime.parse(range[1])});
        }
    }

    public ZoneId zone() { return zone; }

    public int horizonDays() { return horizonDays; }

    public LocalTime[] shiftHours(HalfDay halfDay) { return shifts.get(halfDay).clone(); }

    public LocalDate today(Instant now) { return now.atZone(zone).toLocalDate(); }

    public List<NewSlot> plan(String effectorId, Rule r, Instant now, int maxSlots) {
        List<NewSlot> slots = new ArrayList<>();
        for (LocalDate d = r.from(); !d.isAfter(r.until()); d = d.plusDays(1)) {
            if (!r.days().contains(d.getDayOfWeek())) continue;
            for (LocalTime t = r.startTime(); !t.plusMinutes(r.slotMinutes()).isAfter(r.endTime())
                    && !t.plusMinutes(r.slotMinutes()).isBefore(t); t = t.plusMinutes(r.slotMinutes())) {
                ZonedDateTime start = d.atTime(t).atZone(zone);
                if (!start.toInstant().isAfter(now)) continue;
                ZonedDateTime end = start.plusMinutes(r.slotMinutes());
                long releaseAt = r.releaseBefore() == null ? 0 : start.toInstant().minus(r.releaseBefore()).toEpochMilli();
                slots.add(new NewSlot(effectorId, r.location(), start.toEpochSecond(), end.toEpochSecond(),
                        start.getOffset().getTotalSeconds(), r.mode().name(), r.audiences(), Math.max(0, releaseAt),
                        r.releaseBefore() == null ? 0 : r.releaseTo(), week(start.toInstant())));
                if (slots.size() > maxSlots) return slots;
                if (t.plusMinutes(r.slotMinutes()).equals(LocalTime.MIDNIGHT)) break;
            }
        }
        return slots;
    }

    /** The local day of an instant, "20261123": the bucket of the statistics. */
    public String day(Instant instant) {
        return instant.atZone(zone).toLocalDate().format(java.time.format.DateTimeFormatter.BASIC_ISO_DATE);
    }

    /** The local hour of day, "0" to "23". */
    public String hour(Instant instant) { return String.valueOf(instant.atZone(zone).getHour()); }

    /** ISO week of an instant in the territory's zone, e.g. "2026W48": the period of the weekly SAS cap. */
    public String week(Instant instant) {
        ZonedDateTime z = instant.atZone(zone);
        return String.format("%dW%02d", z.get(IsoFields.WEEK_BASED_YEAR), z.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
    }
}
