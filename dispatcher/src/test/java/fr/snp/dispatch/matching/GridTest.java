package fr.snp.dispatch.matching;

import fr.snp.dispatch.geo.Distance;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The grid's two promises to the matcher, on random points: the box holds the radius, a ring's bound is below. */
class GridTest {

    @Test
    void everyPointWithinTheRadiusIsInTheBoxAndNoNearerThanItsRingsBound() {
        Random r = new Random(5);
        for (int i = 0; i < 500_000; i++) {
            double lat = -65 + 130 * r.nextDouble(), lng = -179 + 358 * r.nextDouble();
            double radius = r.nextInt(10) == 0 ? r.nextDouble() : 1 + 60 * r.nextDouble();
            Grid.Range range = Grid.around(lat, lng, radius);
            // a point near the box (within 1.5 radius in degrees of latitude, scaled for longitude)
            double spread = Distance.latDegrees(radius) * 1.5;
            double pLat = lat + spread * (2 * r.nextDouble() - 1);
            double pLng = lng + spread / Math.cos(Math.toRadians(lat)) * (2 * r.nextDouble() - 1);
            double km = Distance.approxKm(lat, lng, pLat, pLng);
            int latCell = Grid.latCell(pLat), lngCell = Grid.lngCell(pLng);
            if (km <= radius) assertThat(range.contains(latCell, lngCell)).as("(%s, %s) r=%s: (%s, %s)", lat, lng, radius, pLat, pLng).isTrue();
            if (range.everywhere() || !range.contains(latCell, lngCell)) continue;
            int ring = Math.max(Math.abs(latCell - range.latCenter()), Math.abs(lngCell - range.lngCenter()));
            assertThat(range.ringMinKm(ring)).as("ring %d of (%s, %s): (%s, %s)", ring, lat, lng, pLat, pLng).isLessThanOrEqualTo(km);
        }
    }

    @Test
    void aRadiusThatIsNotANonNegativeNumberCoversNothingAndTheAntimeridianCoversAll() {
        assertThat(Grid.around(46.8, 1.69, Double.NaN).cells()).isZero();
        assertThat(Grid.around(46.8, 1.69, -1).cells()).isZero();
        assertThat(Grid.around(-13.3, 179.9, 30).everywhere()).isTrue();
        assertThat(Grid.around(46.8, 1.69, 0).contains(Grid.latCell(46.8), Grid.lngCell(1.69))).isTrue();
    }
}
