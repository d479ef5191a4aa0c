package fr.snp.dispatch.fhir;

import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Mode;
import fr.snp.dispatch.domain.SlotState;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes a search's Bundle straight to bytes: the platform polls, and a Bundle of 25 doctors over two days holds
 * hundreds of Slots (~600 kB), which a JSON tree then an encoder built in ~5 ms. The resources themselves still come
 * from {@link FhirResources} (one source of truth, which the reads use as they are): a Slot is written from a
 * template — the Slot of the same effector, place, audiences and mode encoded once with markers where its id, start
 * and end go — and the other resources are encoded once per effector (or CPTS) and kept while the effector is the
 * same object in the index (an update replaces it).
 */
final class BundleWriter {
    private static final String ID = "@@ID@@", START = "@@START@@", END = "@@END@@";
    private static final byte[] SLOT_ENTRY_SEARCH = ascii(",\"search\":{\"mode\":\"match\"}}");
    private static final byte[] INCLUDE_SEARCH = ascii(",\"search\":{\"mode\":\"include\"}}");

    private final FhirResources resources;
    /** Slot templates: "effector|location|audiences|mode" -> the encoded Slot cut at its markers. */
    private final ConcurrentHashMap<String, Template> templates = new ConcurrentHashMap<>();
    /** Other resources encoded: "Type/id" -> bytes, with the object they were made from. */
    private final ConcurrentHashMap<String, Encoded> encoded = new ConcurrentHashMap<>();

    private record Template(Effector source, byte[][] parts, char[] holes) {}

    private record Encoded(Object source, byte[] json) {}

    BundleWriter(FhirResources resources) { this.resources = resources; }

    static byte[] ascii(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    /** A JSON string literal's bytes (quotes included). */
    static byte[] jsonString(String s) { return Json.encode(s).getBytes(StandardCharsets.UTF_8); }

    private Template template(Effector e, int location, int audiences, Mode mode) {
        String key = e.id() + "|" + location + "|" + audiences + "|" + mode.ordinal();
        Template t = templates.get(key);
        if (t != null && t.source() == e) return t;
        String json = resources.slot(ID, START, END, audiences, mode, location, e).encode();
        List<byte[]> parts = new ArrayList<>();
        StringBuilder holes = new StringBuilder();
        int from = 0;
        while (true) {
            int at = -1;
            String marker = null;
            for (String m : new String[]{ID, START, END}) {
                int i = json.indexOf(m, from);
                if (i >= 0 && (at < 0 || i < at)) { at = i; marker = m; }
            }
            if (at < 0) break;
            parts.add(json.substring(from, at).getBytes(StandardCharsets.UTF_8));
            holes.append(marker == ID ? 'i' : marker == START ? 's' : 'e');
            from = at + marker.length();
        }
        parts.add(json.substring(from).getBytes(StandardCharsets.UTF_8));
        t = new Template(e, parts.toArray(byte[][]::new), holes.toString().toCharArray());
        templates.put(key, t);
        return t;
    }

    /** The resource's JSON, encoded once while {@code source} stays the same object. */
    byte[] encoded(String key, Object source, java.util.function.Supplier<JsonObject> build) {
        Encoded c = encoded.get(key);
        if (c != null && c.source() == source) return c.json();
        byte[] json = build.get().encode().getBytes(StandardCharsets.UTF_8);
        encoded.put(key, new Encoded(source, json));
        return json;
    }

    /** The opening of an entry: {"fullUrl":"<base>/<type>/<id>","resource": */
    static void entryStart(Bytes out, byte[] baseInString, String type, String id) {
        out.ascii("{\"fullUrl\":\"").bytes(baseInString).ascii('/').ascii(type).ascii('/').raw(id).ascii("\",\"resource\":");
    }

    void slotEntry(Bytes out, byte[] baseInString, SlotState s, Effector e, long nowMs) {
        entryStart(out, baseInString, "Slot", s.id());
        Template t = template(e, s.location(), s.audiencesAt(nowMs), s.mode());
        for (int i = 0; i < t.holes().length; i++) {
            out.bytes(t.parts()[i]);
            switch (t.holes()[i]) {
                case 'i' -> out.raw(s.id());
                case 's' -> FhirResources.instant(s.start(), s.offsetSeconds(), out);
                default -> FhirResources.instant(s.end(), s.offsetSeconds(), out);
            }
        }
        out.bytes(t.parts()[t.holes().length]).bytes(SLOT_ENTRY_SEARCH);
    }

    void includeEntry(Bytes out, byte[] baseInString, String type, String id, byte[] json) {
        entryStart(out, baseInString, type, id);
        out.bytes(json).bytes(INCLUDE_SEARCH);
    }

    /**
     * A growing byte array. {@link #raw} writes an id as it is: ours (slots, effectors: letters, digits, '-') and the
     * CPTS ids of the catalogue, which FHIR ids restrict alike; anything else goes through {@link #jsonString}.
     */
    static final class Bytes {
        byte[] data;
        int size;

        Bytes(int capacity) { data = new byte[capacity]; }

        private void room(int n) {
            if (size + n > data.length) data = Arrays.copyOf(data, Math.max(data.length * 2, size + n));
        }

        Bytes bytes(byte[] b) {
            room(b.length);
            System.arraycopy(b, 0, data, size, b.length);
            size += b.length;
            return this;
        }

        Bytes ascii(char c) {
            room(1);
            data[size++] = (byte) c;
            return this;
        }

        Bytes ascii(String s) {
            int n = s.length();
            room(n);
            for (int i = 0; i < n; i++) data[size++] = (byte) s.charAt(i);
            return this;
        }

        Bytes raw(String id) {
            for (int i = 0; i < id.length(); i++) {
                char c = id.charAt(i);
                if (c >= 0x80 || c == '"' || c == '\\' || c < 0x20) return bytes(strip(jsonString(id)));
            }
            return ascii(id);
        }

        private static byte[] strip(byte[] quoted) { return Arrays.copyOfRange(quoted, 1, quoted.length - 1); }

        Bytes digits(int value, int width) {
            room(width);
            for (int i = width - 1; i >= 0; i--) {
                data[size + i] = (byte) ('0' + value % 10);
                value /= 10;
            }
            size += width;
            return this;
        }

        Bytes number(long v) { return ascii(Long.toString(v)); }

        /** The bytes as a Buffer, wrapped rather than copied (600 kB a search, a thousand searches a second). */
        Buffer toBuffer() {
            return io.vertx.core.internal.buffer.BufferInternal.buffer(io.netty.buffer.Unpooled.wrappedBuffer(data, 0, size));
        }
    }
}
