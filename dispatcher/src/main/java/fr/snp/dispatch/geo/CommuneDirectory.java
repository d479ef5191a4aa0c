package fr.snp.dispatch.geo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The communes the server knows: Indre and its neighbouring départements, copied from the INSEE list
 * (resource communes.csv: insee,name,postalCode,lat,lng,population).
 */
public final class CommuneDirectory {
    private final Map<String, Commune> byInsee;
    private final List<Commune> all;

    public CommuneDirectory(List<Commune> communes) {
        Map<String, Commune> map = new HashMap<>();
        communes.forEach(c -> map.put(c.insee(), c));
        this.byInsee = Map.copyOf(map);
        this.all = List.copyOf(communes);
    }

    public static CommuneDirectory loadDefault() {
        try (InputStream in = CommuneDirectory.class.getResourceAsStream("communes.csv")) {
            if (in == null) throw new IllegalStateException("communes.csv missing from the classpath");
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<Commune> communes = new ArrayList<>();
            String line = reader.readLine(); // header
            while ((line = reader.readLine()) != null) {
                String[] f = line.split(",", -1);
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

    public List<Commune> inDepartement(String dep) {
        return all.stream().filter(c -> c.departement().equals(dep)).toList();
    }

    /** The commune whose centre is nearest: how a lat/lng given without a commune finds its territory. */
    public Commune nearest(double lat, double lng) {
        Commune best = null;
        double bestKm = Double.MAX_VALUE;
        for (Commune c : all) {
            double d = Distance.km(lat, lng, c.lat(), c.lng());
            if (d < bestKm) { bestKm = d; best = c; }
        }
        return best;
    }

    /** Name prefix search, accent- and case-insensitive, for autocomplete. */
    public List<Commune> search(String prefix, int limit) {
        String p = fold(prefix);
        if (p.isEmpty()) return Collections.emptyList();
        return all.stream().filter(c -> fold(c.name()).startsWith(p) || c.postalCode().startsWith(p))
                .sorted((a, b) -> Integer.compare(b.population(), a.population())).limit(limit).toList();
    }

    static String fold(String s) {
        String n = Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
        return n.toLowerCase(Locale.ROOT).replace('-', ' ').replace('\'', ' ').strip();
    }
}
