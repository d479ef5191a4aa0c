package fr.snp.dispatch.demo;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.availability.AvailabilityPlanner;
import fr.snp.dispatch.domain.Audience;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Mode;
import fr.snp.dispatch.domain.NewSlot;
import fr.snp.dispatch.domain.PracticeLocation;
import fr.snp.dispatch.domain.Refused;
import fr.snp.dispatch.domain.Rpps;
import fr.snp.dispatch.domain.StructureIds;
import fr.snp.dispatch.geo.Commune;
import fr.snp.dispatch.geo.CommuneDirectory;
import fr.snp.dispatch.geo.Distance;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A demo territory built from a {@link Spec}: CPTS (names made up for the demo, around real towns), effectors with
 * plausible RPPS numbers in real communes of the département (drawn by population), CSNP care centres staffed by
 * half-day shifts, and a week of slots from today mixing audiences (SNP, CPTS, PRO, PUBLIC, reserved slots released
 * two hours before), modes (practice, home visit, teleconsultation) and accessibility. Seeded, and safe to load
 * again: effectors are unique by RPPS and slot ids come from effector and start.
 *
 * <p>Two specs: {@link #INDRE} (36: six CPTS, 120 effectors, two CSNP, as the Indre interCPTS SAS) and
 * {@link #VENDEE} (85: six CSNP staffed by half-day shifts, as the Vendée organisation of 2022, six CPTS, 100
 * effectors).
 */
public final class DemoTerritory {
    private static final Logger LOG = Logger.getLogger(DemoTerritory.class.getName());

    /**
     * A CPTS of the demo, around a hub town (INSEE code), with its FINESS number (9 characters: what the SAS
     * platform names a CPTS by, INT_R04). The demo ones are made up from the hub: département, "9", hub INSEE, "1"; so
     * is their phone number (Organization.telecom): "+33209", hub INSEE, "0" (made up too).
     */
    public record Cpts(String id, String name, String hubInsee, String finess) {
        public Cpts(String id, String name, String hubInsee) {
            this(id, name, hubInsee, hubInsee.substring(0, 2) + "9" + hubInsee + "1");
        }

        public String phone() { return "+33209" + hubInsee + "0"; }
    }

    /** A CSNP care centre of the demo: its commune (INSEE code), name and street address. */
    public record Csnp(String insee, String name, String address) {}

    /**
     * What a demo territory is made of.
     *
     * @param territory     the département code, also the effectors' territory
     * @param name          for messages ("Indre")
     * @param cpts          its CPTS; the first one's hub is the first effector's (the demo-effector token's) commune
     * @param effectors     how many effectors
     * @param seed          the seed of the effector draws
     * @param slotSeed      the seed of the slot draws
     * @param csnp          its CSNP care centres; an effector taking shifts goes to the nearest (the first on a tie)
     * @param csnpEvery     the first effector and every effector i with i % csnpEvery == 1 take CSNP shifts
     * @param rppsBase      RPPS bodies are "10" + 8 digits from rppsBase + i * 7919 (+ up to 6999): keep the
     *                      territories' ranges apart
     * @param phoneBase     phones are "02" + 8 digits from phoneBase (54 000 000: 02 54, Indre)
     * @param streets       street names for the practices' addresses
     * @param onePerCommune draw practices among communes, not rows of the commune list (which has one row per postal
     *                      code); Indre's spec keeps the rows, as its draws were first made on them
     * @param elideArticles "Maison de santé des Herbiers", not "de Les Herbiers" (Indre keeps its first names)
     */
    public record Spec(String territory, String name, List<Cpts> cpts, int effectors, long seed, long slotSeed,
                       List<Csnp> csnp, int csnpEvery, int rppsBase, int phoneBase, List<String> streets,
                       boolean onePerCommune, boolean elideArticles) {
        public Spec {
            cpts = List.copyOf(cpts);
            csnp = List.copyOf(csnp);
            streets = List.copyOf(streets);
            if (cpts.isEmpty() || csnp.isEmpty() || streets.isEmpty() || effectors < 1 || csnpEvery < 1) {
                throw new IllegalArgumentException("a demo territory needs CPTS, a CSNP, streets and effectors");
            }
            if (rppsBase < 0 || rppsBase + effectors * 7919L + 7000 > 99_999_999L || phoneBase < 0 || phoneBase > 99_000_000) {
                throw new IllegalArgumentException("RPPS or phone numbers out of range");
            }
        }
    }

    private static final List<String> BERRY_STREETS = List.of("rue de la République", "avenue de la Gare",
            "place du Marché", "rue Victor Hugo", "rue Jean Jaurès", "boulevard George Sand", "rue des Écoles",
            "rue du Château", "avenue de Verdun", "rue Nationale", "place de l'Église", "rue Gambetta");

    private static final List<String> VENDEE_STREETS = List.of("rue de la République", "avenue de la Gare",
            "place du Marché", "rue Georges Clemenceau", "boulevard Aristide Briand", "rue des Écoles", "rue du Calvaire",
            "rue Nationale", "place de l'Église", "rue de la Mer", "route de Nantes", "rue du Marais", "rue des Sables",
            "avenue de Lattre de Tassigny");

    /** Indre (36): six CPTS (names invented for the demo), Châteauroux and Issoudun CSNP, 120 effectors. */
    public static final Spec INDRE = new Spec("36", "Indre", List.of(
            new Cpts("CPTS-CASTELROUSSINE", "CPTS Castelroussine", "36044"),
            new Cpts("CPTS-CHAMPAGNE-BERRICHONNE", "CPTS Champagne Berrichonne", "36088"),
            new Cpts("CPTS-BOISCHAUT-SUD", "CPTS du Boischaut Sud", "36046"),
            new Cpts("CPTS-BRENNE", "CPTS Cœur de Brenne", "36018"),
            new Cpts("CPTS-BOISCHAUT-NORD", "CPTS du Boischaut Nord", "36228"),
            new Cpts("CPTS-VAL-DE-CREUSE", "CPTS Val de Creuse", "36006")),
            120, 36, 3636,
            List.of(new Csnp("36044", "Centre de soins non programmés de Châteauroux", "216 avenue de Verdun"),
                    new Csnp("36088", "Centre de soins non programmés de Issoudun", "4 rue du Sacré-Cœur")),
            4, 100_000, 54_000_000, BERRY_STREETS, false, false);

    /**
     * Vendée (85): the six CSNP of the département's organisation (La Roche-sur-Yon, Les Sables-d'Olonne, Challans,
     * Fontenay-le-Comte, Luçon, Montaigu-Vendée), one CPTS around each town, 100 effectors of whom one in two takes
     * half-day shifts in the nearest CSNP (99 doctors did in 2022). "CPTS Loire Vendée Océan" (Challans) is real;
     * the five other CPTS names and every CSNP address are invented for the demo.
     */
    public static final Spec VENDEE = new Spec("85", "Vendée", List.of(
            new Cpts("CPTS-LOIRE-VENDEE-OCEAN", "CPTS Loire Vendée Océan", "85047"),
            new Cpts("CPTS-PAYS-YONNAIS", "CPTS du Pays Yonnais", "85191"),           // demo name
            new Cpts("CPTS-COTE-DE-LUMIERE", "CPTS Côte de Lumière", "85194"),        // demo name
            new Cpts("CPTS-SUD-VENDEE", "CPTS Sud Vendée", "85092"),                  // demo name
            new Cpts("CPTS-PLAINE-ET-MARAIS", "CPTS Plaine et Marais", "85128"),      // demo name
            new Cpts("CPTS-TERRES-DE-MONTAIGU", "CPTS Terres de Montaigu", "85146")), // demo name
            100, 85, 8585,
            List.of(new Csnp("85191", "Centre de soins non programmés de La Roche-sur-Yon", "12 boulevard Aristide Briand"),
                    new Csnp("85194", "Centre de soins non programmés des Sables-d'Olonne", "35 avenue d'Aquitaine"),
                    new Csnp("85047", "Centre de soins non programmés de Challans", "8 boulevard Lucien Dodin"),
                    new Csnp("85092", "Centre de soins non programmés de Fontenay-le-Comte", "21 rue Rabelais"),
                    new Csnp("85128", "Centre de soins non programmés de Luçon", "3 rue de l'Hôpital"),
                    new Csnp("85146", "Centre de soins non programmés de Montaigu-Vendée", "5 avenue Villebois-Mareuil")),
            2, 20_000_000, 51_000_000, VENDEE_STREETS, true, true);

    public static final List<Spec> ALL = List.of(INDRE, VENDEE);

    /** Indre's territory, effector count and CPTS (what the demo tokens and the tests of Indre use). */
    public static final String TERRITORY = INDRE.territory();
    public static final int EFFECTORS = INDRE.effectors();
    public static final List<Cpts> CPTS = INDRE.cpts();

    private static final String[] FIRST = {"Claire", "Thomas", "Sophie", "Nicolas", "Julie", "Pierre", "Camille",
            "Antoine", "Marie", "Julien", "Isabelle", "François", "Céline", "Laurent", "Aurélie", "Mathieu", "Hélène",
            "Olivier", "Anne", "Sébastien", "Émilie", "Philippe", "Caroline", "Vincent", "Nathalie", "Guillaume",
            "Élodie", "Benoît", "Sandrine", "Jérôme"};
    private static final String[] LAST = {"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit",
            "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand",
            "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert",
            "Bonnet", "François", "Martinez", "Chevalier", "Aubert", "Berthier", "Renaud", "Marchand", "Rousseau",
            "Perrin", "Morin", "Gauthier", "Blanchard"};

    private final Services s;
    private final Spec spec;

    /** Indre, as before there were several demo territories. */
    public DemoTerritory(Services s) { this(s, INDRE); }

    public DemoTerritory(Services s, Spec spec) {
        this.s = s;
        this.spec = spec;
    }

    public Spec spec() { return spec; }

    /** Loads (or tops up) the territory; returns the id of its first effector (the demo-effector token's). */
    public String load() throws Exception {
        long t0 = System.nanoTime();
        String t = spec.territory();
        Principal server = Principal.server(t);
        List<Effector> stored = new ArrayList<>();
        // one after the other: the first effector gets the territory's first id
        for (Effector e : effectors(spec, s.communes())) {
            String id = s.effectors().create(server, e).toCompletableFuture().get(10, TimeUnit.SECONDS).id();
            Effector known = s.index().effector(id);
            if (known == null) known = s.effectors().load(t, id).toCompletableFuture().get(10, TimeUnit.SECONDS);
            stored.add(known);
        }
        Instant now = Instant.ofEpochMilli(s.nowMs());
        Random slotRandom = new Random(spec.slotSeed());
        List<CompletableFuture<Boolean>> published = new ArrayList<>();
        for (Effector e : stored) {
            for (NewSlot slot : week(e, slotRandom, now, s.planner())) {
                published.add(s.publishing().publish(server, slot).toCompletableFuture().handle((p, ex) -> {
                    if (ex == null) return p.created();
                    Throwable cause = ex instanceof CompletionException && ex.getCause() != null ? ex.getCause() : ex;
                    if (cause instanceof Refused) return false; // e.g. a slot starting at the same minute as another
                    throw new CompletionException(cause);
                }));
                // at most 256 in flight: thousands queued at once wait behind each other past the 2 s command timeout
                // on a busy machine
                if (published.size() % 256 == 0) published.get(published.size() - 1).get(60, TimeUnit.SECONDS);
            }
        }
        CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        long created = published.stream().filter(CompletableFuture::join).count();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        LOG.info(() -> "demo territory " + t + " (" + spec.name() + "): " + stored.size() + " effectors, " + created
                + " new slots (" + (published.size() - created) + " already there, or starting at the same minute as"
                + " another slot of the same effector), " + ms + " ms");
        return stored.get(0).id();
    }

    /** The spec's effectors (id "__ID__", as registered), from the spec's seed: the same list on every call. */
    static List<Effector> effectors(Spec spec, CommuneDirectory directory) {
        List<Commune> communes = directory.inDepartement(spec.territory());
        if (spec.onePerCommune()) {
            Map<String, Commune> first = new LinkedHashMap<>();
            communes.forEach(c -> first.putIfAbsent(c.insee(), c));
            communes = List.copyOf(first.values());
        }
        if (communes.isEmpty()) throw new IllegalStateException("no commune in département " + spec.territory());
        Random random = new Random(spec.seed());
        List<Commune> csnpCommunes = new ArrayList<>();
        for (Csnp c : spec.csnp()) csnpCommunes.add(commune(communes, c.insee()));
        Commune firstHome = commune(communes, spec.cpts().get(0).hubInsee());
        String[] streets = spec.streets().toArray(String[]::new);
        List<Effector> list = new ArrayList<>();
        double totalWeight = communes.stream().mapToDouble(DemoTerritory::weight).sum();
        for (int i = 0; i < spec.effectors(); i++) {
            // the draws, in this order, make Indre's 120 effectors: do not reorder
            Commune home = i == 0 ? firstHome : pick(communes, totalWeight, random);
            String first = FIRST[random.nextInt(FIRST.length)];
            String last = LAST[random.nextInt(LAST.length)];
            String rpps = Rpps.withCheckDigit(String.format("10%08d", spec.rppsBase() + i * 7919 + random.nextInt(7000)));
            String specialty = i % 40 == 7 ? "SM40" : (i % 25 == 3 ? "SM26" : (i % 30 == 5 ? "SM53" : "SM54"));
            boolean msp = random.nextInt(10) < 3;
            List<PracticeLocation> places = new ArrayList<>();
            places.add(new PracticeLocation(0, msp ? "Maison de santé " + of(home.name(), spec.elideArticles())
                    : "Cabinet médical, " + home.name(),
                    (1 + random.nextInt(60)) + " " + streets[random.nextInt(streets.length)], home.insee(), home.name(),
                    jitter(home.lat(), random), jitter(home.lng(), random), msp ? "MSP" : "PRACTICE",
                    i == 0 || random.nextInt(10) < 7, msp ? demoFiness(spec.territory(), "8", i) : null,
                    msp ? null : demoSiret(spec.territory(), i)));
            // some effectors also take half-day shifts in the nearest CSNP
            if (i == 0 || i % spec.csnpEvery() == 1) {
                int nearest = 0;
                for (int k = 1; k < csnpCommunes.size(); k++) {
                    Commune c = csnpCommunes.get(k), best = csnpCommunes.get(nearest);
                    if (Distance.km(home.lat(), home.lng(), c.lat(), c.lng())
                            < Distance.km(home.lat(), home.lng(), best.lat(), best.lng())) nearest = k;
                }
                Csnp centre = spec.csnp().get(nearest);
                Commune town = csnpCommunes.get(nearest);
                places.add(new PracticeLocation(1, centre.name(), centre.address(), town.insee(), town.name(),
                        town.lat() + 0.004, town.lng() - 0.003, "CSNP", true, demoFiness(spec.territory(), "7", nearest),
                        null));
            }
            Set<String> cpts = Set.of(nearestCpts(spec.cpts(), home, communes).id());
            int cap = random.nextInt(10) < 8 ? 20 : 10 + random.nextInt(2) * 5;
            double homeVisits = random.nextInt(4) == 0 ? 10 + random.nextInt(6) : 0;
            String phone = String.format("02%08d", spec.phoneBase() + random.nextInt(999_999));
            // one in five general practitioners takes up to 2 patients a day in addition to their slots when the
            // regulator asks ("surnuméraire"): chosen by position, so the random draws (and the demo) stay as they were
            int supernumerary = i % 5 == 0 && specialty.equals("SM54") ? 2 : 0;
            list.add(new Effector("__ID__", spec.territory(), rpps, first, last, specialty, places, cpts, cap, homeVisits,
                    phone, null, supernumerary));
        }
        return list;
    }

    /**
     * A made-up FINESS for a demo MSP ({@code kind} "8") or CSNP ("7"): département, kind, the place's number, and
     * a valid check key. Fictitious, like every structure id of the demo: no real establishment is meant. Derived
     * from the position, not drawn, so that the seeded draws (and the demo) stay as they were.
     */
    static String demoFiness(String territory, String kind, int n) {
        String head = territory + kind;
        return StructureIds.withLuhnDigit(head + String.format("%0" + (8 - head.length()) + "d", n));
    }

    /**
     * A made-up SIRET for a demo cabinet: a SIREN "8" + département + the effector's number (with its Luhn digit),
     * establishment 0001, and the SIRET's check digit. Fictitious too.
     */
    static String demoSiret(String territory, int n) {
        String head = "8" + territory;
        String siren = StructureIds.withLuhnDigit(head + String.format("%0" + (8 - head.length()) + "d", n));
        return StructureIds.withLuhnDigit(siren + "0001");
    }

    /** About a week of slots from today: practice sessions, some home visits, teleconsultation, CSNP shifts. */
    static List<NewSlot> week(Effector e, Random r, Instant now, AvailabilityPlanner planner) {
        LocalDate today = planner.today(now);
        LocalDate until = today.plusDays(6);
        List<NewSlot> slots = new ArrayList<>();
        int snpCpts = Audience.SNP.bit | Audience.CPTS.bit;
        int pro = Audience.PRO.bit | Audience.CPTS.bit;
        List<DayOfWeek> days = new ArrayList<>(List.of(DayOfWeek.values()).subList(0, 6));
        Collections.shuffle(days, r);
        // two or three practice sessions a week
        LocalTime[][] sessions = {{LocalTime.of(8, 0), LocalTime.of(9, 0)}, {LocalTime.of(12, 0), LocalTime.of(13, 30)},
                {LocalTime.of(17, 30), LocalTime.of(19, 30)}, {LocalTime.of(18, 0), LocalTime.of(20, 0)}};
        int n = 2 + r.nextInt(2);
        for (int k = 0; k < n; k++) {
            LocalTime[] hours = days.get(k) == DayOfWeek.SATURDAY
                    ? new LocalTime[]{LocalTime.of(9, 0), LocalTime.of(12, 0)} : sessions[r.nextInt(sessions.length)];
            int kind = r.nextInt(10);
            int audiences = kind < 5 ? snpCpts : (kind < 8 ? pro : Audience.SNP.bit);
            Duration releaseBefore = kind >= 8 ? Duration.ofHours(2) : null; // reserved SNP slots, released to all
            int releaseTo = kind >= 8 ? Audience.PUBLIC.bit | Audience.PRO.bit : 0;
            slots.addAll(planner.plan(e.id(), new AvailabilityPlanner.Rule(0, EnumSet.of(days.get(k)), hours[0], hours[1],
                    r.nextBoolean() ? 15 : 20, today, until, Mode.AMB, audiences, releaseBefore, releaseTo), now, 500));
        }
        if (e.homeVisitRadiusKm() > 0) {
            slots.addAll(planner.plan(e.id(), new AvailabilityPlanner.Rule(0, EnumSet.of(days.get(n)), LocalTime.of(14, 0),
                    LocalTime.of(16, 0), 30, today, until, Mode.HH, snpCpts, null, 0), now, 500));
        }
        if (r.nextInt(10) == 0) {
            slots.addAll(planner.plan(e.id(), new AvailabilityPlanner.Rule(0, EnumSet.of(days.get(n + 1)), LocalTime.of(20, 0),
                    LocalTime.of(21, 0), 15, today, until, Mode.VR, Audience.SNP.bit | Audience.PRO.bit, null, 0), now, 500));
        }
        if (e.locations().size() > 1) { // CSNP half-day shifts
            AvailabilityPlanner.HalfDay[] halves = AvailabilityPlanner.HalfDay.values();
            int firstDay = r.nextInt(7);
            for (int k = 0; k < 1 + r.nextInt(2); k++) {
                LocalDate date = today.plusDays((firstDay + 3L * k) % 7); // two shifts never on the same day
                LocalTime[] hours = planner.shiftHours(halves[r.nextInt(halves.length)]);
                slots.addAll(planner.plan(e.id(), new AvailabilityPlanner.Rule(1, EnumSet.of(date.getDayOfWeek()), hours[0],
                        hours[1], 20, date, date, Mode.AMB, snpCpts | Audience.PRO.bit, null, 0), now, 500));
            }
        }
        return slots;
    }

    private static double weight(Commune c) { return Math.pow(Math.max(c.population(), 50), 0.85); }

    private static Commune pick(List<Commune> communes, double totalWeight, Random random) {
        double x = random.nextDouble() * totalWeight;
        for (Commune c : communes) {
            x -= weight(c);
            if (x <= 0) return c;
        }
        return communes.get(communes.size() - 1);
    }

    private static double jitter(double v, Random random) { return v + (random.nextDouble() - 0.5) * 0.01; }

    private static Commune commune(List<Commune> communes, String insee) {
        return communes.stream().filter(c -> c.insee().equals(insee)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no commune " + insee + " in the commune list"));
    }

    /** "de Challans", and with {@code elide} "des Herbiers", "du Poiré-sur-Vie", "d'Aizenay". */
    static String of(String commune, boolean elide) {
        if (!elide) return "de " + commune;
        if (commune.startsWith("Les ")) return "des " + commune.substring(4);
        if (commune.startsWith("Le ")) return "du " + commune.substring(3);
        if (!commune.isEmpty() && "AEIOUYÉÈÊÎÔÂaeiouy".indexOf(commune.charAt(0)) >= 0) return "d'" + commune;
        return "de " + commune;
    }

    /** Indre's CPTS nearest to a commune. */
    public static Cpts nearestCpts(Commune c, List<Commune> communes) { return nearestCpts(CPTS, c, communes); }

    /** The CPTS whose hub is nearest to a commune (the first on a tie). */
    public static Cpts nearestCpts(List<Cpts> cpts, Commune c, List<Commune> communes) {
        return cpts.stream().min(Comparator.comparingDouble(k -> {
            Commune hub = commune(communes, k.hubInsee());
            return Distance.km(c.lat(), c.lng(), hub.lat(), hub.lng());
        })).orElseThrow();
    }
}
