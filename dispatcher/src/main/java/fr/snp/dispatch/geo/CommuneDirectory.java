package fr.snp.dispatch.geo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The communes the server knows: every commune of France (metropolitan, Corsica 2A/2B and the overseas
 * départements 971-976), copied from the INSEE list (resource communes.csv: insee,name,postalCode,lat,lng,population,
 * one row per commune and postal code: Tours has three rows, 37000, 37100 and 37200; Paris, Lyon and Marseille one
 * row each, not their arrondissements).
 *
 * <p>Everything a request needs is precomputed once: the communes by INSEE code and by département, a grid of
 * 0.1° cells (and one of 1° cells) for {@link #nearest}, and the folded names and postal codes sorted for {@link #search}.
 */
public final class CommuneDirectory {
    private static final Pattern MARKS = Pattern.compile("\\p{M}");
    private static final double EARTH_RADIUS_KM = 6371.0088;

    private final Map<String, Commune> byInsee;
    private final List<Commune> all;
    private final Map<String, List<Commune>> byDepartement;

    // nearest(): a grid of 0.1° cells (about 11 km north-south, 7.5 km east-west in metropolitan France), and one of
    // 1° cells for a point far from every commune (at sea), where the fine grid would be mostly empty rings
    private final double[] lats;
    private final double[] lngs;
    private final Grid fine;
    private final Grid coarse;
    private final double minLat, maxLat, minLng, maxLng;
    private final double minCosLat;

    // search(): folded names and postal codes, each sorted, with the index of their commune
    private final String[] namesSorted;
    private final int[] nameOrder;
    private final String[] postalSorted;
    private final int[] postalOrder;
    private final int[] byPopulation;     // commune indexes, most populated first, ties in file order
    private final int[] rankByPopulation; // the inverse
    private final String[] departement;

    public CommuneDirectory(List<Commune> communes) {
        this.all = List.copyOf(communes);
        int n = all.size();
        Map<String, Commune> map = new HashMap<>();
        Map<String, List<Commune>> deps = new LinkedHashMap<>();
        lats = new double[n];
        lngs = new double[n];
        departement = new String[n];
        for (int i = 0; i < n; i++) {
            Commune c = all.get(i);
            map.put(c.insee(), c); // a commune with several postal codes: the last row, as before
            departement[i] = c.departement();
            deps.computeIfAbsent(departement[i], k -> new ArrayList<>()).add(c);
            lats[i] = c.lat();
            lngs[i] = c.lng();
        }
        this.byInsee = Map.copyOf(map);
        Map<String, List<Commune>> frozen = new HashMap<>();
        deps.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        this.byDepartement = Map.copyOf(frozen);

        // the grids
        double laMin = Double.MAX_VALUE, laMax = -Double.MAX_VALUE, lnMin = Double.MAX_VALUE, lnMax = -Double.MAX_VALUE;
        double cosMin = 1;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(lats[i]) || !Double.isFinite(lngs[i])) continue; // only a full scan could see it
            laMin = Math.min(laMin, lats[i]); laMax = Math.max(laMax, lats[i]);
            lnMin = Math.min(lnMin, lngs[i]); lnMax = Math.max(lnMax, lngs[i]);
            cosMin = Math.min(cosMin, Math.cos(Math.toRadians(lats[i])));
        }
        this.minLat = laMin; this.maxLat = laMax; this.minLng = lnMin; this.maxLng = lnMax;
        this.minCosLat = Math.max(0, cosMin);
        this.fine = new Grid(10.0, lats, lngs, minCosLat);
        this.coarse = new Grid(1.0, lats, lngs, minCosLat);

        // the search arrays
        String[] folded = new String[n];
        for (int i = 0; i < n; i++) folded[i] = fold(all.get(i).name());
        Integer[] byName = new Integer[n];
        Integer[] byPostal = new Integer[n];
        for (int i = 0; i < n; i++) { byName[i] = i; byPostal[i] = i; }
        Arrays.sort(byName, (a, b) -> folded[a].compareTo(folded[b]));
        Arrays.sort(byPostal, (a, b) -> all.get(a).postalCode().compareTo(all.get(b).postalCode()));
        long[] byPop = new long[n]; // population descending, then file order
        for (int i = 0; i < n; i++) byPop[i] = ((long) (Integer.MAX_VALUE - Math.max(0, all.get(i).population())) << 32) | i;
        Arrays.sort(byPop);
        byPopulation = new int[n];
        rankByPopulation = new int[n];
        for (int k = 0; k < n; k++) { byPopulation[k] = (int) byPop[k]; rankByPopulation[(int) byPop[k]] = k; }
        nameOrder = new int[n];
        namesSorted = new String[n];
        postalOrder = new int[n];
        postalSorted = new String[n];
        for (int k = 0; k < n; k++) {
            nameOrder[k] = byName[k];
            namesSorted[k] = folded[byName[k]];
            postalOrder[k] = byPostal[k];
            postalSorted[k] = all.get(byPostal[k]).postalCode();
        }
    }

    public static CommuneDirectory loadDefault() {
        try (InputStream in = CommuneDirectory.class.getResourceAsStream("communes.csv")) {
            if (in == null) throw new IllegalStateException("communes.csv missing from the classpath");
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<Commune> communes = new ArrayList<>(36_000);
            String line = reader.readLine(); // header
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) continue;
                String[] f = line.split(",", -1); // no name holds a comma (checked when the file was made)
                communes.add(new Commune(f[0], f[1], f[2], Double.parseDouble(f[3]), Double.parseDouble(f[4]),
                        f[5].isEmpty() ? 0 : Integer.parseInt(f[5])));
            }
            return new CommuneDirectory(communes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Commune byInsee(String insee) { return insee == null ? null : byInsee.get(insee); }

    public List<Commune> all() { return all; }

    /** The communes of a département ("36", "2A", "971"), in file order (by INSEE code); empty when unknown. */
    public List<Commune> inDepartement(String dep) {
        return dep == null ? List.of() : byDepartement.getOrDefault(dep, List.of());
    }

    /**
     * The commune whose centre is nearest: how a lat/lng given without a commune finds its territory. Exactly what a
     * scan of {@link #all()} in order would answer (on a tie, the first commune of the file), but it looks only at
     * the grid cells around the point, ring by ring, until no commune not seen yet can be as near.
     */
    public Commune nearest(double lat, double lng) {
        // the grids' bounds need a point near the communes (less than 180° of longitude from every one of them)
        if (fine.isEmpty() || !Double.isFinite(lat) || !Double.isFinite(lng)
                || lat < minLat - 5 || lat > maxLat + 5 || lng < minLng - 5 || lng > maxLng + 5) {
            return nearestByScan(lat, lng);
        }
        int best = fine.nearest(lat, lng, 12);
        if (best < 0) best = coarse.nearest(lat, lng, Integer.MAX_VALUE);
        return best < 0 ? nearestByScan(lat, lng) : all.get(best);
    }

    /** The plain scan {@link #nearest} must agree with. */
    Commune nearestByScan(double lat, double lng) {
        Commune best = null;
        double bestKm = Double.MAX_VALUE;
        for (int i = 0; i < all.size(); i++) {
            double d = Distance.km(lat, lng, lats[i], lngs[i]);
            if (d < bestKm) { bestKm = d; best = all.get(i); }
        }
        return best;
    }

    /** Commune indexes (ascending) by cell of a lat/lng grid. */
    private static final class Grid {
        private final double cellsPerDegree;
        private final Map<Long, int[]> cells;
        private final double[] lats;
        private final double[] lngs;
        private final double minCosLat;
        private final int minRow, maxRow, minCol, maxCol;

        Grid(double cellsPerDegree, double[] lats, double[] lngs, double minCosLat) {
            this.cellsPerDegree = cellsPerDegree;
            this.lats = lats;
            this.lngs = lngs;
            this.minCosLat = minCosLat;
            Map<Long, List<Integer>> grid = new HashMap<>();
            int rMin = Integer.MAX_VALUE, rMax = Integer.MIN_VALUE, cMin = Integer.MAX_VALUE, cMax = Integer.MIN_VALUE;
            for (int i = 0; i < lats.length; i++) {
                if (!Double.isFinite(lats[i]) || !Double.isFinite(lngs[i])) continue;
                int row = row(lats[i]), col = col(lngs[i]);
                grid.computeIfAbsent(key(row, col), k -> new ArrayList<>()).add(i);
                rMin = Math.min(rMin, row); rMax = Math.max(rMax, row);
                cMin = Math.min(cMin, col); cMax = Math.max(cMax, col);
            }
            Map<Long, int[]> packed = new HashMap<>(grid.size() * 2);
            grid.forEach((k, v) -> packed.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
            this.cells = packed;
            this.minRow = rMin; this.maxRow = rMax; this.minCol = cMin; this.maxCol = cMax;
        }

        boolean isEmpty() { return cells.isEmpty(); }

        /** The index of the nearest commune (the first on a tie), or -1 when {@code maxRings} rings did not settle it. */
        int nearest(double lat, double lng, int maxRings) {
            int row0 = row(lat), col0 = col(lng);
            int best = -1;
            double bestKm = Double.MAX_VALUE;
            double cosLat = Math.cos(Math.toRadians(lat));
            for (int r = 0; r <= maxRings; r++) {
                for (int row = Math.max(row0 - r, minRow); row <= Math.min(row0 + r, maxRow); row++) {
                    int step = row == row0 - r || row == row0 + r ? 1 : Math.max(1, 2 * r); // the ring only
                    for (int col = col0 - r; col <= col0 + r; col += step) {
                        int[] members = cells.get(key(row, col));
                        if (members == null) continue;
                        for (int i : members) {
                            double d = Distance.km(lat, lng, lats[i], lngs[i]);
                            if (d < bestKm || (d == bestKm && i < best)) { bestKm = d; best = i; }
                        }
                    }
                }
                // every commune not seen yet lies outside rows row0-r..row0+r or columns col0-r..col0+r
                boolean south = row0 - r > minRow, north = row0 + r < maxRow, west = col0 - r > minCol, east = col0 + r < maxCol;
                if (!south && !north && !west && !east) return best;
                if (best >= 0) {
                    double bound = Double.MAX_VALUE;
                    // less 1e-9°: a centre on a cell edge may have been rounded into the neighbouring cell
                    if (south) bound = Math.min(bound, latKm(lat - (row0 - r) / cellsPerDegree - 1e-9));
                    if (north) bound = Math.min(bound, latKm((row0 + r + 1) / cellsPerDegree - lat - 1e-9));
                    if (west) bound = Math.min(bound, lngKm(cosLat, lng - (col0 - r) / cellsPerDegree - 1e-9));
                    if (east) bound = Math.min(bound, lngKm(cosLat, (col0 + r + 1) / cellsPerDegree - lng - 1e-9));
                    if (bound > bestKm) return best;
                }
            }
            return -1;
        }

        /** A lower bound of the distance to any point at least {@code deg} degrees of latitude away. */
        private static double latKm(double deg) {
            if (deg <= 0) return 0;
            return EARTH_RADIUS_KM * Math.toRadians(deg) * (1 - 1e-9);
        }

        /**
         * A lower bound of the distance to any commune at least {@code deg} (and less than 180) degrees of longitude
         * away: haversine's a ≥ cos φ1 · cos φ2 · sin²(Δλ/2), and cos φ2 is at least the smallest cosine of a
         * commune's latitude.
         */
        private double lngKm(double cosLat, double deg) {
            if (deg <= 0) return 0;
            double s = Math.sin(Math.toRadians(Math.min(deg, 180)) / 2);
            double a = cosLat * minCosLat * s * s;
            return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(Math.max(0, a)))) * (1 - 1e-9);
        }

        private int row(double lat) { return (int) Math.floor(lat * cellsPerDegree); }

        private int col(double lng) { return (int) Math.floor(lng * cellsPerDegree); }

        private static long key(int row, int col) { return ((long) row << 32) ^ (col & 0xffffffffL); }
    }

    /**
     * Name prefix search, accent- and case-insensitive, or postal code prefix, for autocomplete: the most populated
     * first.
     */
    public List<Commune> search(String prefix, int limit) {
        return search(prefix, limit, Set.of());
    }

    /**
     * The same, with the communes of the preferred départements (the caller's territory) first, then by population.
     * Equal populations keep the file order.
     */
    public List<Commune> search(String prefix, int limit, Set<String> preferredDepartements) {
        if (prefix == null || limit <= 0) return Collections.emptyList();
        String p = saint(fold(prefix));
        if (p.isEmpty()) return Collections.emptyList();
        Set<String> preferred = preferredDepartements == null ? Set.of() : preferredDepartements;
        int[] matches = new int[16];
        int count = 0;
        boolean[] seen = null;
        int from = lowerBound(namesSorted, p);
        for (int k = from; k < namesSorted.length && namesSorted[k].startsWith(p); k++) {
            if (count == matches.length) matches = Arrays.copyOf(matches, count * 2);
            matches[count++] = nameOrder[k];
        }
        int pFrom = lowerBound(postalSorted, p);
        if (pFrom < postalSorted.length && postalSorted[pFrom].startsWith(p)) {
            if (count > 0) {
                seen = new boolean[all.size()];
                for (int k = 0; k < count; k++) seen[matches[k]] = true;
            }
            for (int k = pFrom; k < postalSorted.length && postalSorted[k].startsWith(p); k++) {
                int i = postalOrder[k];
                if (seen != null && seen[i]) continue;
                if (count == matches.length) matches = Arrays.copyOf(matches, count * 2);
                matches[count++] = i;
            }
        }
        // one primitive sort: preferred départements first, then the rank by population (ties in file order)
        long[] keys = new long[count];
        for (int k = 0; k < count; k++) {
            int i = matches[k];
            boolean first = !preferred.isEmpty() && preferred.contains(departement[i]);
            keys[k] = ((first ? 0L : 1L) << 32) | rankByPopulation[i];
        }
        Arrays.sort(keys);
        List<Commune> result = new ArrayList<>(Math.min(limit, count));
        for (int k = 0; k < count && k < limit; k++) result.add(all.get(byPopulation[(int) keys[k]]));
        return result;
    }

    private static int lowerBound(String[] sorted, String key) {
        int lo = 0, hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid].compareTo(key) < 0) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /** "St Maur", "ste gemme": the abbreviations callers type for Saint and Sainte, as INSEE names spell them. */
    static String saint(String folded) {
        if (folded.equals("st") || folded.startsWith("st ")) return "saint" + folded.substring(2);
        if (folded.equals("ste") || folded.startsWith("ste ")) return "sainte" + folded.substring(3);
        return folded;
    }

    static String fold(String s) {
        boolean ascii = true;
        for (int i = 0; i < s.length() && ascii; i++) ascii = s.charAt(i) < 0x80;
        if (ascii) return s.toLowerCase(Locale.ROOT).replace('-', ' ').replace('\'', ' ').strip();
        String n = MARKS.matcher(Normalizer.normalize(s, Normalizer.Form.NFD)).replaceAll("");
        return n.toLowerCase(Locale.ROOT).replace('-', ' ').replace('\'', ' ').strip();
    }
}
