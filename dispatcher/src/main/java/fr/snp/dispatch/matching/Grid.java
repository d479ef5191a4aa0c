package fr.snp.dispatch.matching;

import fr.snp.dispatch.geo.Distance;

/**
 * The spatial grid of a territory's practice locations: cells of 0.1° of latitude by 0.15° of longitude (about
 * 11 km square in mainland France, 11 x 16 km at the equator), so that a search visits the locations of the cells
 * its radius covers instead of every location of the territory.
 */
final class Grid {
    static final double CELL_LAT = 0.1;
    static final double CELL_LNG = 0.15;

    private Grid() {}

    static int latCell(double lat) { return (int) Math.floor(lat / CELL_LAT); }

    static int lngCell(double lng) { return (int) Math.floor(lng / CELL_LNG); }

    static long key(int latCell, int lngCell) { return ((long) latCell << 32) | (lngCell & 0xffffffffL); }

    /**
     * The cells around (lat, lng) that hold every point within {@code radiusKm} by {@link Distance#approxKm}, a
     * little more (the box is widened by 0.1 % and its longitude span taken at the latitude farthest from the
     * equator, so rounding never leaves a location out). A box that would cross a pole or the antimeridian is
     * "everywhere"; a radius that is not a number >= 0 covers nothing (no location is within it).
     */
    static Range around(double lat, double lng, double radiusKm) {
        if (!(radiusKm >= 0) || Double.isNaN(lat) || Double.isNaN(lng)) return Range.NONE;
        double dLat = Distance.latDegrees(radiusKm) * 1.001 + 1e-9;
        double farthest = Math.abs(lat) + dLat;
        if (farthest >= 89) return Range.EVERYWHERE;
        double dLng = dLat / Math.cos(Math.toRadians(farthest));
        if (lng - dLng < -180 || lng + dLng > 180) return Range.EVERYWHERE;
        return new Range(latCell(lat - dLat), latCell(lat + dLat), lngCell(lng - dLng), lngCell(lng + dLng), false);
    }

    /** A box of cells, both bounds inclusive; {@code everywhere} holds every cell. */
    record Range(int latLo, int latHi, int lngLo, int lngHi, boolean everywhere) {
        static final Range NONE = new Range(0, -1, 0, -1, false);
        static final Range EVERYWHERE = new Range(Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE, true);

        boolean contains(int latCell, int lngCell) {
            return everywhere || (latCell >= latLo && latCell <= latHi && lngCell >= lngLo && lngCell <= lngHi);
        }

        /** How many cells the box has (saturated): above the number of occupied cells, walking those is cheaper. */
        long cells() {
            if (everywhere) return Long.MAX_VALUE;
            if (latHi < latLo || lngHi < lngLo) return 0;
            return ((long) latHi - latLo + 1) * ((long) lngHi - lngLo + 1);
        }
    }
}
