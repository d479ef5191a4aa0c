package fr.snp.dispatch.sim;

import fr.snp.dispatch.geo.Commune;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * What the simulator injects, decided up front from the seed: when each call comes (more on weekends and Mondays,
 * in winter, in the morning and early evening), from where, and how it ends; what each doctor later answers.
 */
final class Plan {
    enum Ending { ADVICE, SNP, PRESCRIPTION, PRESCRIPTION_WITH_ADVICE, NO_ANSWER, REDIRECTED_15, OTHER }

    record Call(LocalDateTime at, String origin, Ending ending, Commune commune, int birthYear, String feedback) {}

    private static final double[] WEEKDAY = {1.15, 0.9, 0.9, 0.9, 1.0, 1.5, 1.65}; // Monday .. Sunday
    private static final double[] MONTH = {1.25, 1.1, 1.0, 0.95, 0.9, 0.9, 0.95, 0.95, 0.9, 0.95, 1.05, 1.2};
    private static final double[] HOUR = {0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.4, 1.7, 1.6, 1.4, 1.1, 1.0, 1.2,
            1.3, 1.3, 1.5, 1.7, 1.5, 1.1, 0.8, 0.5, 0.3};

    final List<Call> calls;

    Plan(Scenario s, long seed, List<Commune> communes) {
        Random random = new Random(seed);
        List<Ending> endings = new ArrayList<>(s.requests());
        add(endings, Ending.ADVICE, s.advice() - s.prescriptionsWithAdvice());
        add(endings, Ending.SNP, s.snpAppointments());
        add(endings, Ending.PRESCRIPTION, s.prescriptions() - s.prescriptionsWithAdvice());
        add(endings, Ending.PRESCRIPTION_WITH_ADVICE, s.prescriptionsWithAdvice());
        int noAnswer = s.other() / 2;
        int redirected = s.other() * 3 / 10;
        add(endings, Ending.NO_ANSWER, noAnswer);
        add(endings, Ending.REDIRECTED_15, redirected);
        add(endings, Ending.OTHER, s.other() - noAnswer - redirected);
        Collections.shuffle(endings, random);

        double[] dayWeights = new double[s.days()];
        for (int d = 0; d < s.days(); d++) {
            LocalDate day = s.firstDay().plusDays(d);
            dayWeights[d] = WEEKDAY[day.getDayOfWeek().getValue() - 1] * MONTH[day.getMonthValue() - 1];
        }
        double populationTotal = communes.stream().mapToDouble(c -> Math.max(c.population(), 30)).sum();
        List<Call> list = new ArrayList<>(endings.size());
        for (Ending ending : endings) {
            LocalDate day = s.firstDay().plusDays(pick(dayWeights, random));
            boolean weekend = day.getDayOfWeek() == DayOfWeek.SATURDAY || day.getDayOfWeek() == DayOfWeek.SUNDAY;
            int hour = pick(HOUR, random);
            if (!weekend && hour >= 9 && hour < 17 && random.nextInt(3) == 0) hour = 18 + random.nextInt(4); // practices open
            LocalDateTime at = day.atTime(hour, random.nextInt(60), random.nextInt(60));
            int o = random.nextInt(100);
            String origin = o < 80 ? "SAS_116117" : (o < 95 ? "OSNP" : "SAMU_15");
            int f = random.nextInt(100);
            String feedback = f < 7 ? "no-show" : (f < 10 ? "cancelled-by-patient" : (f < 15 ? "reoriented" : "seen"));
            list.add(new Call(at, origin, ending, commune(communes, populationTotal, random), 1930 + random.nextInt(90),
                    ending == Ending.SNP ? feedback : null));
        }
        list.sort(Comparator.comparing(Call::at));
        this.calls = List.copyOf(list);
    }

    private static void add(List<Ending> list, Ending e, int n) { for (int i = 0; i < n; i++) list.add(e); }

    private static int pick(double[] weights, Random random) {
        double total = 0;
        for (double w : weights) total += w;
        double x = random.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            x -= weights[i];
            if (x <= 0) return i;
        }
        return weights.length - 1;
    }

    private static Commune commune(List<Commune> communes, double total, Random random) {
        double x = random.nextDouble() * total;
        for (Commune c : communes) {
            x -= Math.max(c.population(), 30);
            if (x <= 0) return c;
        }
        return communes.get(communes.size() - 1);
    }
}
