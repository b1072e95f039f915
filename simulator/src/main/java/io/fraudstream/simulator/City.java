package io.fraudstream.simulator;

import java.util.List;

/**
 * A place cardholders live in, travel to, or where cloned cards are used. Coordinates are city
 * centres (degrees); {@code population} drives how many cardholders and merchants it gets.
 */
record City(String name, String state, String zip, double lat, double lon, int population, String country) {

    private static final double EARTH_RADIUS_KM = 6371.0088;

    /** Cardholders live here. Large and small places, so urban and rural profiles both occur. */
    static final List<City> US = List.of(
            us("New York", "NY", "10001", 40.7128, -74.0060, 8_336_817),
            us("Los Angeles", "CA", "90012", 34.0522, -118.2437, 3_979_576),
            us("Chicago", "IL", "60601", 41.8781, -87.6298, 2_693_976),
            us("Houston", "TX", "77002", 29.7604, -95.3698, 2_320_268),
            us("Phoenix", "AZ", "85004", 33.4484, -112.0740, 1_680_992),
            us("Philadelphia", "PA", "19103", 39.9526, -75.1652, 1_584_064),
            us("San Antonio", "TX", "78205", 29.4241, -98.4936, 1_547_253),
            us("San Diego", "CA", "92101", 32.7157, -117.1611, 1_423_851),
            us("Dallas", "TX", "75201", 32.7767, -96.7970, 1_343_573),
            us("San Jose", "CA", "95113", 37.3382, -121.8863, 1_021_795),
            us("Austin", "TX", "78701", 30.2672, -97.7431, 978_908),
            us("Jacksonville", "FL", "32202", 30.3322, -81.6557, 911_507),
            us("Columbus", "OH", "43215", 39.9612, -82.9988, 898_553),
            us("Charlotte", "NC", "28202", 35.2271, -80.8431, 885_708),
            us("Indianapolis", "IN", "46204", 39.7684, -86.1581, 876_384),
            us("Seattle", "WA", "98101", 47.6062, -122.3321, 753_675),
            us("Denver", "CO", "80202", 39.7392, -104.9903, 727_211),
            us("Washington", "DC", "20001", 38.9072, -77.0369, 705_749),
            us("Boston", "MA", "02108", 42.3601, -71.0589, 692_600),
            us("Nashville", "TN", "37203", 36.1627, -86.7816, 670_820),
            us("Detroit", "MI", "48226", 42.3314, -83.0458, 670_031),
            us("Portland", "OR", "97204", 45.5152, -122.6784, 654_741),
            us("Las Vegas", "NV", "89101", 36.1699, -115.1398, 651_319),
            us("Memphis", "TN", "38103", 35.1495, -90.0490, 651_073),
            us("Louisville", "KY", "40202", 38.2527, -85.7585, 617_638),
            us("Baltimore", "MD", "21202", 39.2904, -76.6122, 593_490),
            us("Milwaukee", "WI", "53202", 43.0389, -87.9065, 590_157),
            us("Albuquerque", "NM", "87102", 35.0844, -106.6504, 560_513),
            us("Atlanta", "GA", "30303", 33.7490, -84.3880, 498_044),
            us("Kansas City", "MO", "64106", 39.0997, -94.5786, 495_327),
            us("Omaha", "NE", "68102", 41.2565, -95.9345, 478_192),
            us("Miami", "FL", "33130", 25.7617, -80.1918, 467_963),
            us("Minneapolis", "MN", "55401", 44.9778, -93.2650, 429_606),
            us("New Orleans", "LA", "70112", 29.9511, -90.0715, 390_144),
            us("Honolulu", "HI", "96813", 21.3069, -157.8583, 345_064),
            us("Anchorage", "AK", "99501", 61.2181, -149.9003, 288_000),
            us("Boise", "ID", "83702", 43.6150, -116.2023, 228_959),
            us("Salt Lake City", "UT", "84101", 40.7608, -111.8910, 200_567),
            us("Fargo", "ND", "58102", 46.8772, -96.7898, 125_990),
            us("Missoula", "MT", "59801", 46.8721, -113.9940, 75_516),
            us("Cheyenne", "WY", "82001", 41.1400, -104.8202, 64_235),
            us("Albany", "OR", "97322", 44.6365, -123.1059, 58_967),
            us("Cuyahoga Falls", "OH", "44221", 41.1339, -81.4846, 47_772),
            us("Burlington", "VT", "05401", 44.4759, -73.2121, 42_899),
            us("Homosassa", "FL", "34446", 28.7814, -82.6151, 27_123),
            us("Spicewood", "TX", "78669", 30.4757, -98.1567, 8_731));

    /** Abroad: occasional legitimate trips, and where cloned cards often turn up. */
    static final List<City> ABROAD = List.of(
            new City("London", "", "", 51.5074, -0.1278, 8_982_000, "GB"),
            new City("Mexico City", "", "", 19.4326, -99.1332, 9_209_944, "MX"),
            new City("Sao Paulo", "", "", -23.5505, -46.6333, 12_325_232, "BR"),
            new City("Lagos", "", "", 6.5244, 3.3792, 14_862_000, "NG"),
            new City("Moscow", "", "", 55.7558, 37.6173, 12_506_468, "RU"),
            new City("Bucharest", "", "", 44.4268, 26.1025, 1_883_425, "RO"),
            new City("Kyiv", "", "", 50.4501, 30.5234, 2_962_180, "UA"),
            new City("Bangkok", "", "", 13.7563, 100.5018, 10_539_000, "TH"),
            new City("Manila", "", "", 14.5995, 120.9842, 1_846_513, "PH"),
            new City("Jakarta", "", "", -6.2088, 106.8456, 10_562_088, "ID"));

    /** US cities first (indices 0 .. US.size()-1), then abroad. */
    static final List<City> ALL = concat(US, ABROAD);

    private static City us(String name, String state, String zip, double lat, double lon, int population) {
        return new City(name, state, zip, lat, lon, population, "US");
    }

    private static List<City> concat(List<City> a, List<City> b) {
        City[] all = new City[a.size() + b.size()];
        for (int i = 0; i < a.size(); i++) {
            all[i] = a.get(i);
        }
        for (int i = 0; i < b.size(); i++) {
            all[a.size() + i] = b.get(i);
        }
        return List.of(all);
    }

    boolean domestic() {
        return "US".equals(country);
    }

    /** Great-circle distance in kilometres (haversine). */
    static double distanceKm(double lat1, double lon1, double lat2, double lon2) {
        double dLat = Math.toRadians(lat2 - lat1);
        double dLon = Math.toRadians(lon2 - lon1);
        double a = Math.sin(dLat / 2) * Math.sin(dLat / 2)
                + Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1.0, Math.sqrt(a)));
    }
}
