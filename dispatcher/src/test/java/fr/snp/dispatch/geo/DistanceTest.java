package fr.snp.dispatch.geo;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The matcher's cheap distance against the great circle, over the ranges a search uses. */
class DistanceTest {

    @Test
    void equirectangularStaysWithinATenthOfAPercentOfTheGreatCircleUpTo100Km() {
        Random r = new Random(42);
        double worst = 0;
        for (int i = 0; i < 200_000; i++) {
            double lat = -70 + 140 * r.nextDouble();
            double lng = -180 + 360 * r.nextDouble();
            double[] other = pointAt(lat, lng, 0.05 + 100 * r.nextDouble(), 2 * Math.PI * r.nextDouble());
            double exact = Distance.km(lat, lng, other[0], other[1]);
            double approx = Distance.approxKm(lat, lng, other[0], other[1]);
            worst = Math.max(worst, Math.abs(approx - exact) / exact);
        }
        assertThat(worst).isLessThan(0.001);
    }

    @Test
    void farPointsStayWithinAboutOnePercentUpTo1000Km() {
        Random r = new Random(43);
        for (int i = 0; i < 50_000; i++) {
            double lat = -60 + 120 * r.nextDouble();
            double lng = -180 + 360 * r.nextDouble();
            double[] other = pointAt(lat, lng, 100 + 900 * r.nextDouble(), 2 * Math.PI * r.nextDouble());
            double exact = Distance.km(lat, lng, other[0], other[1]);
            assertThat(Distance.approxKm(lat, lng, other[0], other[1])).isCloseTo(exact, within(exact * 0.012));
        }
    }

    @Test
    void knownDistancesAndTheAntimeridian() {
        // Châteauroux - Issoudun, ~27 km as the crow flies
        assertThat(Distance.approxKm(46.8103, 1.6913, 46.9481, 1.9933)).isCloseTo(Distance.km(46.8103, 1.6913, 46.9481, 1.9933), within(0.02));
        assertThat(Distance.approxKm(-13.3, 179.9, -13.3, -179.9)).isCloseTo(Distance.km(-13.3, 179.9, -13.3, -179.9), within(0.01));
        assertThat(Distance.approxKm(46.8, 1.69, 46.8, 1.69)).isZero();
        assertThat(Distance.latDegrees(111.195)).isCloseTo(1.0, within(1e-4));
    }

    /** The point {@code km} away from (lat, lng) in the direction {@code bearing} (radians), on the sphere. */
    static double[] pointAt(double lat, double lng, double km, double bearing) {
        double d = km / 6371.0088, p1 = Math.toRadians(lat), l1 = Math.toRadians(lng);
        double p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(bearing));
        double l2 = l1 + Math.atan2(Math.sin(bearing) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
        double lng2 = Math.toDegrees(l2);
        if (lng2 > 180) lng2 -= 360; else if (lng2 < -180) lng2 += 360;
        return new double[]{Math.toDegrees(p2), lng2};
    }
}
