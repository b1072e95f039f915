package io.fraudstream.features;

/** Distances. Package-private: the formulas are part of the feature definitions (see docs/EXTRACTOR.md). */
final class Geo {
    static final double EARTH_RADIUS_KM = 6371.0088;
    /** Kilometres per degree of latitude on the mean sphere. */
    static final double KM_PER_DEGREE = EARTH_RADIUS_KM * Math.PI / 180.0;

    private Geo() {}

    static boolean known(double lat, double lon) {
        return lat >= -90.0 && lat <= 90.0 && lon >= -180.0 && lon <= 180.0;
    }

    /** Great-circle (haversine) distance in km; used for direct features, computed once per event. */
    static double haversineKm(double lat1, double lon1, double lat2, double lon2) {
        double p1 = Math.toRadians(lat1);
        double p2 = Math.toRadians(lat2);
        double dp = p2 - p1;
        double dl = Math.toRadians(lon2 - lon1);
        double s1 = Math.sin(dp * 0.5);
        double s2 = Math.sin(dl * 0.5);
        double h = s1 * s1 + Math.cos(p1) * Math.cos(p2) * s2 * s2;
        return 2.0 * EARTH_RADIUS_KM * Math.asin(Math.min(1.0, Math.sqrt(h)));
    }

    /**
     * The "local" distance the spatial attention bias uses, in km: equirectangular with the mean of the
     * two latitude cosines and the longitude difference wrapped into [0, 180]. Exact at short range,
     * within a few percent up to ~1000 km, always finite; cheap enough to evaluate for every history
     * entry in a vectorized loop (see {@link FeatureExtractor}).
     */
    static double localKm(double lat1, double lon1, double cosLat1, double lat2, double lon2, double cosLat2) {
        double dLat = lat1 - lat2;
        double dLon = Math.abs(lon1 - lon2);
        dLon = Math.min(dLon, 360.0 - dLon);
        double x = dLon * 0.5 * (cosLat1 + cosLat2);
        return KM_PER_DEGREE * Math.sqrt(dLat * dLat + x * x);
    }
}
