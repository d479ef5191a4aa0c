package fr.snp.dispatch.matching;

import fr.snp.dispatch.geo.Distance;

/**
 * The spatial grid of a territory's practice locations: cells of 0.02° of latitude by 0.03° of longitude (about
 * 2.2 km square in mainland France, 2.2 x 3.3 km at the equator), so that a search visits the locations of the
 * cells its radius covers, nearest rings first, instead of every location of the territory. Small enough that a
 * search in a dense area stops after a few rings (once no farther location can beat its list: 4.5 km cells made
 * ten times more effectors cost 5.6 times more, 2.2 km cells 2.1 times), large enough that a 30 km box is about
 * 750 cells, of which a search usually walks a few dozen.
 */
final class Grid {
    static final double CELL_LAT = 0.02;
    static final double CELL_LNG = 0.03;

    private Grid() {}

    static int latCell(double lat) { return (int) Math.floor(lat / CELL_LAT); }

    static int lngCell(double lng) { return (int) Math.floor(lng / CELL_LNG); }

    /**
     * A cell's map key: the two indexes packed (one key per cell), then scrambled by MurmurHash3's finalizer, a
     * bijection, so that Long.hashCode spreads neighbouring cells (packed as they are, lat << 32 | lng hashed to
     * lat ^ lng and whole diagonals of cells fell in one bin).
     */
    static long key(int latCell, int lngCell) {
        long h = ((long) latCell << 32) | (lngCell & 0xffffffffL);
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

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
        return new Range(latCell(lat - dLat), latCell(lat + dLat), lngCell(lng - dLng), lngCell(lng + dLng), false,
                lat, lng, latCell(lat), lngCell(lng), Math.cos(Math.toRadians(farthest)));
    }

    /**
     * A box of cells, both bounds inclusive, around the cell of the search's point (lat, lng); {@code everywhere}
     * holds every cell. {@code minCos}: the cosine of the latitude farthest from the equator the box reaches (a lower
     * bound of the point's cosine and of any location's in the box, and so of their mean, which scales longitudes).
     */
    record Range(int latLo, int latHi, int lngLo, int lngHi, boolean everywhere, double lat, double lng, int latCenter,
                 int lngCenter, double minCos) {
        static final Range NONE = new Range(0, -1, 0, -1, false, 0, 0, 0, 0, 0);
        static final Range EVERYWHERE = new Range(Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE,
                true, 0, 0, 0, 0, 0);

        /** The rings around the center cell the box reaches (ring k: cells k steps away, in latitude or longitude). */
        int rings() {
            return Math.max(Math.max(latCenter - latLo, latHi - latCenter), Math.max(lngCenter - lngLo, lngHi - lngCenter));
        }

        /**
         * A lower bound of {@link Distance#approxKm} from the search's point to any location in ring {@code k}: such a
         * location lies in the ring's first or last row, or first or last column, so it is at least as far as the
         * nearest of the ring's four inner edges (in longitude, scaled by {@code minCos}).
         */
        double ringMinKm(int k) {
            if (k <= 0) return 0;
            double south = lat - (latCenter - k + 1) * CELL_LAT, north = (latCenter + k) * CELL_LAT - lat;
            double west = (lng - (lngCenter - k + 1) * CELL_LNG) * minCos, east = ((lngCenter + k) * CELL_LNG - lng) * minCos;
            double degrees = Math.min(Math.min(south, north), Math.min(west, east));
            // shaved by a millionth: cell indexes and distances are rounded, the bound must stay below
            return Math.max(0, degrees / Distance.latDegrees(1.0) * 0.999999 - 1e-9);
        }

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
