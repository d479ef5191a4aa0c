package fr.snp.dispatch.geo;

/** Great-circle distance. Road distance would be better; straight lines are what every SAS tool shows today. */
public final class Distance {
    private static final double EARTH_RADIUS_KM = 6371.0088;

    private Distance() {}

    /** The great-circle distance (haversine), exact on a sphere at any range. */
    public static double km(double lat1, double lng1, double lat2, double lng2) {
        double dLat = Math.toRadians(lat2 - lat1);
        double dLng = Math.toRadians(lng2 - lng1);
        double a = Math.sin(dLat / 2) * Math.sin(dLat / 2)
                + Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * Math.sin(dLng / 2) * Math.sin(dLng / 2);
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
    }

    /**
     * The equirectangular approximation of {@link #km}: the two points projected on a plane, longitudes scaled by
     * the mean of the two latitudes' cosines (within 0.004 % of the cosine of the mean latitude below 100 km apart),
     * a square root and no trigonometry once each point's cosine is known ({@link #cosLat}), where haversine calls
     * four trigonometric functions and an arcsine (the matcher measures one distance per practice location it
     * visits, and keeps each location's cosine). It differs from the great circle by less than 0.1 % up to 100 km at
     * latitudes within 70° (DistanceTest checks it against {@link #km} over random pairs up to 100 km, which is
     * every search radius; farther, e.g. a teleconsultation's displayed distance, it stays within about 1 % up to
     * 1,000 km). Longitudes are compared across the antimeridian the short way.
     */
    public static double approxKm(double lat1, double lng1, double lat2, double lng2) {
        return approxKm(lat1, lng1, cosLat(lat1), lat2, lng2, cosLat(lat2));
    }

    /** {@link #approxKm(double, double, double, double)} with the points' {@link #cosLat} already known. */
    public static double approxKm(double lat1, double lng1, double cos1, double lat2, double lng2, double cos2) {
        double dLng = lng2 - lng1;
        if (dLng > 180) dLng -= 360; else if (dLng < -180) dLng += 360;
        double x = Math.toRadians(dLng) * ((cos1 + cos2) / 2);
        double y = Math.toRadians(lat2 - lat1);
        return EARTH_RADIUS_KM * Math.sqrt(x * x + y * y);
    }

    /** The cosine of a latitude, as {@link #approxKm} uses it. */
    public static double cosLat(double lat) { return Math.cos(Math.toRadians(lat)); }

    /** Degrees of latitude spanned by {@code km} along a meridian (for a search's bounding box). */
    public static double latDegrees(double km) { return Math.toDegrees(km / EARTH_RADIUS_KM); }
}
