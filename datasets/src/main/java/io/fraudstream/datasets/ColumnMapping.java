package io.fraudstream.datasets;

import io.fraudstream.avro.Channel;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which CSV column holds which field of a {@link io.fraudstream.avro.Transaction}, and how to read it. Read
 * from a small properties file (see {@code docs/REPLAY.md}); unknown keys are refused so a typo fails at once
 * with the key's name. Columns are matched by header name (case-insensitive, surrounding spaces ignored);
 * columns the mapping does not name are ignored. Only card id, event time and amount are required;
 * every other column may be absent, and then the {@code *.default} value (or a derived one) is used.
 */
public final class ColumnMapping {

    /** The keys of the mapping file, with their defaults ("" = no default). */
    static final Map<String, String> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("delimiter", ",");
        KEYS.put("column.transaction-id", "");
        KEYS.put("column.card-id", "");
        KEYS.put("column.account-id", "");
        KEYS.put("column.event-time", "");
        KEYS.put("event-time.format", "yyyy-MM-dd HH:mm:ss");
        KEYS.put("event-time.zone", "UTC");
        KEYS.put("column.amount", "");
        KEYS.put("amount.unit", "major");
        KEYS.put("column.currency", "");
        KEYS.put("currency.default", "USD");
        KEYS.put("column.merchant", "");
        KEYS.put("merchant.default", "unknown");
        KEYS.put("column.category", "");
        KEYS.put("category.default", "unknown");
        KEYS.put("column.channel", "");
        KEYS.put("channel.default", "CARD_PRESENT");
        KEYS.put("channel.online-category-suffix", "");
        KEYS.put("column.merchant-lat", "");
        KEYS.put("column.merchant-lon", "");
        KEYS.put("column.home-lat", "");
        KEYS.put("column.home-lon", "");
        KEYS.put("column.country", "");
        KEYS.put("country.default", "");
        KEYS.put("column.terminal-id", "");
        KEYS.put("column.label", "");
        KEYS.put("label.fraud-values", "1,true,yes,y,fraud");
        KEYS.put("label.genuine-values", "0,false,no,n,genuine");
    }

    private final Map<String, String> values;
    private final EventTimeRule timeRule;
    private final Set<String> fraudValues;
    private final Set<String> genuineValues;
    private final Channel defaultChannel;

    private ColumnMapping(Map<String, String> values) {
        this.values = values;
        for (String required : new String[] {"column.card-id", "column.event-time", "column.amount"}) {
            if (get(required).isEmpty()) {
                throw new IllegalArgumentException("mapping: '" + required + "' is required");
            }
        }
        if (get("delimiter").length() != 1) {
            throw new IllegalArgumentException("mapping: 'delimiter' must be one character (use \\t for a tab)");
        }
        String unit = get("amount.unit");
        if (!unit.equals("major") && !unit.equals("minor")) {
            throw new IllegalArgumentException("mapping: 'amount.unit' must be major or minor, was " + unit);
        }
        try {
            this.timeRule = EventTimeRule.of(get("event-time.format"), get("event-time.zone"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("mapping: 'event-time.format'/'event-time.zone': " + e.getMessage(), e);
        }
        if (timeRule.needsHomeLongitude() && get("column.home-lon").isEmpty()) {
            throw new IllegalArgumentException("mapping: 'event-time.zone' = " + EventTimeRule.HOME_LONGITUDE
                    + " needs 'column.home-lon'");
        }
        this.fraudValues = set(get("label.fraud-values"));
        this.genuineValues = set(get("label.genuine-values"));
        try {
            this.defaultChannel = Channel.valueOf(get("channel.default").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("mapping: 'channel.default' must be one of "
                    + Arrays.toString(Channel.values()) + ", was " + get("channel.default"));
        }
        try {
            java.util.Currency.getInstance(get("currency.default"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("mapping: 'currency.default' is not an ISO 4217 code: "
                    + get("currency.default"));
        }
    }

    private static Set<String> set(String csv) {
        return Arrays.stream(csv.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** From key/value pairs; unknown keys are refused. */
    public static ColumnMapping of(Map<String, String> settings) {
        Map<String, String> values = new LinkedHashMap<>(KEYS);
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String key = e.getKey().trim();
            if (!KEYS.containsKey(key)) {
                throw new IllegalArgumentException("mapping: unknown key '" + key + "'; known keys: "
                        + String.join(", ", KEYS.keySet()));
            }
            String v = e.getValue().trim();
            values.put(key, key.equals("delimiter") && v.equals("\\t") ? "\t" : v);
        }
        return new ColumnMapping(values);
    }

    /** Reads a properties file (UTF-8). */
    public static ColumnMapping read(Path file) throws IOException {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(r);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (String name : props.stringPropertyNames()) {
            settings.put(name, props.getProperty(name));
        }
        return of(settings);
    }

    /**
     * The Sparkov/Kaggle layout: {@code trans_num}, {@code cc_num}, {@code acct_num} (absent in the public files:
     * the card token is used), {@code trans_date_trans_time} as local wall time by {@code zoneRule}
     * (default {@value EventTimeRule#HOME_LONGITUDE}), {@code amt} in US dollars, {@code merchant},
     * {@code category} (the {@code _net} categories are online), {@code lat}/{@code long} home,
     * {@code merch_lat}/{@code merch_long} merchant, {@code is_fraud} label, country US. {@code unix_time} is
     * ignored: in the public files it is offset by years from {@code trans_date_trans_time}.
     */
    public static ColumnMapping sparkov(String zoneRule) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("column.transaction-id", "trans_num");
        m.put("column.card-id", "cc_num");
        m.put("column.account-id", "acct_num");
        m.put("column.event-time", "trans_date_trans_time");
        m.put("event-time.format", "yyyy-MM-dd HH:mm:ss");
        m.put("event-time.zone", zoneRule);
        m.put("column.amount", "amt");
        m.put("currency.default", "USD");
        m.put("column.merchant", "merchant");
        m.put("column.category", "category");
        m.put("channel.default", "CARD_PRESENT");
        m.put("channel.online-category-suffix", "_net");
        m.put("column.merchant-lat", "merch_lat");
        m.put("column.merchant-lon", "merch_long");
        m.put("column.home-lat", "lat");
        m.put("column.home-lon", "long");
        m.put("country.default", "US");
        m.put("column.label", "is_fraud");
        return of(m);
    }

    /** The value of a key (its default when not set; "" when it has none). */
    public String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no such mapping key: " + key);
        }
        return v;
    }

    /** The column name for a field key such as {@code column.amount}, or null when not mapped. */
    public String column(String key) {
        String v = get(key);
        return v.isEmpty() ? null : v;
    }

    public char delimiter() {
        return get("delimiter").charAt(0);
    }

    public EventTimeRule timeRule() {
        return timeRule;
    }

    public boolean amountInMinorUnits() {
        return get("amount.unit").equals("minor");
    }

    public Channel defaultChannel() {
        return defaultChannel;
    }

    /** TRUE, FALSE, or null when the value is neither a fraud nor a genuine value. */
    public Boolean label(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (fraudValues.contains(v)) {
            return Boolean.TRUE;
        }
        if (genuineValues.contains(v)) {
            return Boolean.FALSE;
        }
        return null;
    }
}
