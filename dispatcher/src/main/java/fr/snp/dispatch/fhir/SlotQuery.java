package fr.snp.dispatch.fhir;

import fr.snp.dispatch.domain.Rpps;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The INT_R04 search as the SAS platform (and the ANS test kit) sends it, read from the raw query string:
 * {@code start=ge…&start=le…} (both required; a time without offset is Paris wall-clock time, as the platform
 * sends it), {@code schedule.actor:Practitioner.identifier} with 1 to 25 OR-ed {@code urn:oid:1.2.250.1.71.4.2.1|8<RPPS>},
 * {@code status=free}, and the four {@code _include}s. Parameters come in any order, percent-encoded or not; a
 * {@code +} is read as a plus (the offset of a date), never as a space, since no value of this search has spaces.
 * Unknown parameters are ignored (FHIR's lenient handling) unless the caller asks {@code Prefer: handling=strict}.
 */
record SlotQuery(long fromSec, long toSec, Set<String> rpps, boolean includeSchedule, boolean includeActors,
                 boolean includeServices, boolean includeOrganizations) {

    static final int MAX_IDENTIFIERS = 25;
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    static final String IDENTIFIER = "schedule.actor:Practitioner.identifier";
    private static final Set<String> KNOWN = Set.of("start", IDENTIFIER, "status", "_include", "_include:iterate",
            "_format", "_count");
    private static final Pattern DATE_TIME = Pattern.compile(
            "(\\d{4}-\\d{2}-\\d{2})(?:T(\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?)(Z|[+-]\\d{2}:\\d{2})?)?");
    private static final Pattern PREFIXED_RPPS = Pattern.compile("8\\d{11}");

    /** The raw query's parameters, decoded, in order. */
    static List<String[]> parameters(String rawQuery) {
        List<String[]> out = new ArrayList<>();
        if (rawQuery == null || rawQuery.isEmpty()) return out;
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.add(new String[]{name, value});
        }
        return out;
    }

    /** Percent-decoding that leaves '+' as it is (see the class comment); a malformed escape is refused. */
    static String decode(String s) {
        if (s.indexOf('%') < 0) return s;
        byte[] bytes = new byte[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) throw FhirError.invalid(null, "malformed percent-encoding in the query");
                int hi = Character.digit(s.charAt(i + 1), 16), lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) throw FhirError.invalid(null, "malformed percent-encoding in the query");
                bytes[n++] = (byte) (hi * 16 + lo);
                i += 2;
            } else if (c < 0x80) {
                bytes[n++] = (byte) c;
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (n + utf8.length > bytes.length) bytes = java.util.Arrays.copyOf(bytes, bytes.length + utf8.length * 4);
                System.arraycopy(utf8, 0, bytes, n, utf8.length);
                n += utf8.length;
            }
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    static SlotQuery parse(String rawQuery, boolean strict) {
        Long from = null, to = null;
        Set<String> rpps = new LinkedHashSet<>();
        boolean identifierSeen = false, statusSeen = false;
        boolean schedule = false, actors = false, services = false, organizations = false;
        for (String[] p : parameters(rawQuery)) {
            String name = p[0], value = p[1];
            switch (name) {
                case "start" -> {
                    if (value.startsWith("ge")) {
                        if (from != null) throw FhirError.invalid("start", "start=ge… is given twice");
                        from = instant(value.substring(2), false);
                    } else if (value.startsWith("le")) {
                        if (to != null) throw FhirError.invalid("start", "start=le… is given twice");
                        to = instant(value.substring(2), true);
                    } else {
                        throw FhirError.notSupported("start", "only the ge and le prefixes are supported (got '" + clip(value) + "')");
                    }
                }
                case IDENTIFIER -> {
                    identifierSeen = true;
                    for (String token : value.split(",", -1)) rpps.add(rpps(token));
                    if (rpps.size() > MAX_IDENTIFIERS) {
                        throw FhirError.invalid(IDENTIFIER, "at most " + MAX_IDENTIFIERS + " practitioners per search");
                    }
                }
                case "status" -> {
                    if (!"free".equals(value)) throw FhirError.notSupported("status", "only status=free is searched (got '" + clip(value) + "')");
                    statusSeen = true;
                }
                case "_include" -> {
                    switch (value) {
                        case "Slot:schedule" -> schedule = true;
                        case "Slot:service-type-reference" -> services = true;
                        default -> throw FhirError.notSupported("_include", "unsupported include '" + clip(value) + "'");
                    }
                }
                case "_include:iterate" -> {
                    switch (value) {
                        case "Schedule:actor" -> actors = true;
                        case "HealthcareService:organization" -> organizations = true;
                        default -> throw FhirError.notSupported("_include:iterate", "unsupported include '" + clip(value) + "'");
                    }
                }
                default -> {
                    if (strict && !KNOWN.contains(name)) {
                        throw FhirError.notSupported(name, "unknown search parameter (Prefer: handling=strict)");
                    }
                }
            }
        }
        if (from == null) throw FhirError.required("start", "start=ge… (the window's beginning) is required");
        if (to == null) throw FhirError.required("start", "start=le… (the window's end) is required");
        if (!identifierSeen) throw FhirError.required(IDENTIFIER, "1 to 25 practitioners (urn:oid:1.2.250.1.71.4.2.1|8<RPPS>) are required");
        if (!statusSeen) throw FhirError.required("status", "status=free is required");
        if (from > to) throw FhirError.invalid("start", "the window ends (le) before it begins (ge)");
        return new SlotQuery(from, to, Set.copyOf(rpps), schedule, actors, services, organizations);
    }

    /** One OR-ed value: the RPPS system (or none), the RPPS prefixed with 8; answers the 11-digit RPPS. */
    private static String rpps(String token) {
        String t = token.strip();
        int bar = t.indexOf('|');
        String system = bar < 0 ? null : t.substring(0, bar);
        String value = bar < 0 ? t : t.substring(bar + 1);
        if (system != null && !system.isEmpty() && !FhirResources.RPPS_OID.equals(system)) {
            throw FhirError.invalid(IDENTIFIER, "the identifier system must be " + FhirResources.RPPS_OID + " (got '" + clip(system) + "')");
        }
        if (!PREFIXED_RPPS.matcher(value).matches()) {
            throw FhirError.invalid(IDENTIFIER, "an identifier is an RPPS prefixed with 8: 12 digits (got '" + clip(value) + "')");
        }
        String normalised = Rpps.normalise(value);
        if (normalised == null) throw FhirError.invalid(IDENTIFIER, "'" + value + "' is not a valid RPPS (check digit)");
        return normalised;
    }

    /**
     * A FHIR dateTime as epoch seconds; without an offset, Paris wall-clock time; a date alone is its first second
     * (ge) or its last (le). A space before the offset is a '+' that a form decoder turned into a space.
     */
    static long instant(String raw, boolean end) {
        String v = raw.replace(' ', '+');
        Matcher m = DATE_TIME.matcher(v);
        if (!m.matches()) throw FhirError.invalid("start", "'" + clip(raw) + "' is not a FHIR dateTime (YYYY-MM-DDThh:mm:ss[.sss][+hh:mm])");
        try {
            LocalDate date = LocalDate.parse(m.group(1));
            if (m.group(2) == null) {
                return end ? date.plusDays(1).atStartOfDay(PARIS).toEpochSecond() - 1 : date.atStartOfDay(PARIS).toEpochSecond();
            }
            String time = m.group(2).length() == 5 ? m.group(2) + ":00" : m.group(2);
            LocalDateTime local = LocalDateTime.parse(m.group(1) + "T" + time);
            if (m.group(3) == null) return local.atZone(PARIS).toEpochSecond();
            return OffsetDateTime.parse(m.group(1) + "T" + time + m.group(3)).toEpochSecond();
        } catch (DateTimeParseException e) {
            throw FhirError.invalid("start", "'" + clip(raw) + "' is not a valid date-time");
        }
    }

    private static String clip(String s) { return s.length() > 60 ? s.substring(0, 60) + "…" : s; }
}
