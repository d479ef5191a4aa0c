package fr.snp.dispatch.demo;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.availability.AvailabilityPlanner;
import fr.snp.dispatch.booking.ScriptReply;
import fr.snp.dispatch.booking.SlotCommands.NewSlot;
import fr.snp.dispatch.domain.Audience;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Mode;
import fr.snp.dispatch.domain.PracticeLocation;
import fr.snp.dispatch.domain.Rpps;
import fr.snp.dispatch.geo.Commune;
import fr.snp.dispatch.geo.Distance;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * An Indre-shaped demo territory (département 36): six CPTS (names made up for the demo, around real towns), about
 * 120 effectors with plausible RPPS numbers in real communes, two CSNP care centres staffed by half-day shifts,
 * and a week of slots from today mixing audiences (SNP, CPTS, PRO, PUBLIC, reserved slots released two hours
 * before), modes (practice, home visit, teleconsultation) and accessibility. Seeded, and safe to load again:
 * effectors are unique by RPPS and slot ids come from effector and start.
 */
public final class DemoTerritory {
    private static final Logger LOG = Logger.getLogger(DemoTerritory.class.getName());
    public static final String TERRITORY = "36";
    public static final int EFFECTORS = 120;

    /** A CPTS of the demo, around a hub town. */
    public record Cpts(String id, String name, String hubInsee) {}

    public static final List<Cpts> CPTS = List.of(
            new Cpts("CPTS-CASTELROUSSINE", "CPTS Castelroussine", "36044"),
            new Cpts("CPTS-CHAMPAGNE-BERRICHONNE", "CPTS Champagne Berrichonne", "36088"),
            new Cpts("CPTS-BOISCHAUT-SUD", "CPTS du Boischaut Sud", "36046"),
            new Cpts("CPTS-BRENNE", "CPTS Cœur de Brenne", "36018"),
            new Cpts("CPTS-BOISCHAUT-NORD", "CPTS du Boischaut Nord", "36228"),
            new Cpts("CPTS-VAL-DE-CREUSE", "CPTS Val de Creuse", "36006"));

    private static final String[] FIRST = {"Claire", "Thomas", "Sophie", "Nicolas", "Julie", "Pierre", "Camille",
            "Antoine", "Marie", "Julien", "Isabelle", "François", "Céline", "Laurent", "Aurélie", "Mathieu", "Hélène",
            "Olivier", "Anne", "Sébastien", "Émilie", "Philippe", "Caroline", "Vincent", "Nathalie", "Guillaume",
            "Élodie", "Benoît", "Sandrine", "Jérôme"};
    private static final String[] LAST = {"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit",
            "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand",
            "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert",
            "Bonnet", "François", "Martinez", "Chevalier", "Aubert", "Berthier", "Renaud", "Marchand", "Rousseau",
            "Perrin", "Morin", "Gauthier", "Blanchard"};
    private static final String[] STREETS = {"rue de la République", "avenue de la Gare", "place du Marché",
            "rue Victor Hugo", "rue Jean Jaurès", "boulevard George Sand", "rue des Écoles", "rue du Château",
            "avenue de Verdun", "rue Nationale", "place de l'Église", "rue Gambetta"};

    private final Services s;
    private final Random random = new Random(36);

    public DemoTerritory(Services s) { this.s = s; }

    /** Loads (or tops up) the territory; returns the id of the demo effector (the demo-effector token's). */
    public String load() throws Exception {
        List<Commune> communes = s.communes().inDepartement(TERRITORY);
        List<Effector> specs = effectors(communes);
        List<Effector> stored = new ArrayList<>();
        for (Effector spec : specs) {
            String id = s.effectors().create(spec).toCompletableFuture().get(10, TimeUnit.SECONDS).id();
            Effector e = s.index().effector(id);
            if (e == null) e = s.effectors().load(TERRITORY, id).toCompletableFuture().get(10, TimeUnit.SECONDS);
            stored.add(e);
        }
        Instant now = Instant.ofEpochMilli(s.nowMs());
        List<CompletableFuture<ScriptReply>> published = new ArrayList<>();
        Random slotRandom = new Random(3636);
        for (Effector e : stored) {
            for (NewSlot slot : week(e, slotRandom, now)) published.add(s.slots().publish(slot).toCompletableFuture());
        }
        CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        long created = published.stream().filter(f -> f.join().ok()).count();
        LOG.info(() -> "demo territory " + TERRITORY + ": " + stored.size() + " effectors, " + created
                + " new slots (" + (published.size() - created) + " already there, or starting at the same minute as another slot"
                + " of the same effector)");
        return stored.get(0).id();
    }

    private List<Effector> effectors(List<Commune> communes) {
        Commune chateauroux = communes.stream().filter(c -> c.insee().equals("36044")).findFirst().orElseThrow();
        Commune issoudun = communes.stream().filter(c -> c.insee().equals("36088")).findFirst().orElseThrow();
        List<Effector> list = new ArrayList<>();
        double totalWeight = communes.stream().mapToDouble(c -> Math.pow(Math.max(c.population(), 50), 0.85)).sum();
        for (int i = 0; i < EFFECTORS; i++) {
            Commune home = i == 0 ? chateauroux : pick(communes, totalWeight);
            String first = FIRST[random.nextInt(FIRST.length)];
            String last = LAST[random.nextInt(LAST.length)];
            String rpps = Rpps.withCheckDigit(String.format("10%08d", 100_000 + i * 7919 + random.nextInt(7000)));
            String specialty = i % 40 == 7 ? "SM40" : (i % 25 == 3 ? "SM26" : (i % 30 == 5 ? "SM53" : "SM54"));
            boolean msp = random.nextInt(10) < 3;
            List<PracticeLocation> places = new ArrayList<>();
            places.add(new PracticeLocation(0, (msp ? "Maison de santé de " : "Cabinet médical, ") + home.name(),
                    (1 + random.nextInt(60)) + " " + STREETS[random.nextInt(STREETS.length)], home.insee(), home.name(),
                    jitter(home.lat()), jitter(home.lng()), msp ? "MSP" : "PRACTICE", i == 0 || random.nextInt(10) < 7));
            // about a quarter of the effectors also take half-day shifts in one of the two CSNP
            if (i == 0 || i % 4 == 1) {
                Commune csnp = Distance.km(home.lat(), home.lng(), issoudun.lat(), issoudun.lng())
                        < Distance.km(home.lat(), home.lng(), chateauroux.lat(), chateauroux.lng()) ? issoudun : chateauroux;
                places.add(new PracticeLocation(1, "Centre de soins non programmés de " + csnp.name(),
                        csnp == chateauroux ? "216 avenue de Verdun" : "4 rue du Sacré-Cœur", csnp.insee(), csnp.name(),
                        csnp.lat() + 0.004, csnp.lng() - 0.003, "CSNP", true));
            }
            Set<String> cpts = Set.of(nearestCpts(home, communes).id());
            int cap = random.nextInt(10) < 8 ? 20 : 10 + random.nextInt(2) * 5;
            double homeVisits = random.nextInt(4) == 0 ? 10 + random.nextInt(6) : 0;
            String phone = String.format("02%08d", 54_000_000 + random.nextInt(999_999));
            list.add(new Effector("__ID__", TERRITORY, rpps, first, last, specialty, places, cpts, cap, homeVisits, phone, null));
        }
        return list;
    }

    /** About a week of slots from today: practice sessions, some home visits, teleconsultation, CSNP shifts. */
    private List<NewSlot> week(Effector e, Random r, Instant now) {
        AvailabilityPlanner planner = s.planner();
        LocalDate today = planner.today(now);
        LocalDate until = today.plusDays(6);
        List<NewSlot> slots = new ArrayList<>();
        int snpCpts = Audience.SNP.bit | Audience.CPTS.bit;
        int pro = Audience.PRO.bit | Audience.CPTS.bit;
        List<DayOfWeek> days = new ArrayList<>(List.of(DayOfWeek.values()).subList(0, 6));
        java.util.Collections.shuffle(days, r);
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

    private Commune pick(List<Commune> communes, double totalWeight) {
        double x = random.nextDouble() * totalWeight;
        for (Commune c : communes) {
            x -= Math.pow(Math.max(c.population(), 50), 0.85);
            if (x <= 0) return c;
        }
        return communes.get(communes.size() - 1);
    }

    private double jitter(double v) { return v + (random.nextDouble() - 0.5) * 0.01; }

    public static Cpts nearestCpts(Commune c, List<Commune> communes) {
        return CPTS.stream().min(Comparator.comparingDouble(k -> {
            Commune hub = communes.stream().filter(x -> x.insee().equals(k.hubInsee())).findFirst().orElseThrow();
            return Distance.km(c.lat(), c.lng(), hub.lat(), hub.lng());
        })).orElseThrow();
    }
}
