package io.fraudstream.trainer;

import io.fraudstream.features.Channel;
import io.fraudstream.features.RawTransaction;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A minimal reader of labelled transactions in the public "Sparkov" CSV layout (Kaggle fraudTrain/fraudTest),
 * plain or gzip. Header-based: columns may come in any order, extra columns (the unnamed index column of the
 * public files, names, addresses) are ignored. RFC 4180 quoting.
 *
 * <p>Used columns: {@code trans_date_trans_time} (the cardholder's <em>local</em> wall time),
 * {@code cc_num}, {@code merchant}, {@code category}, {@code amt}, {@code lat}/{@code long} (home),
 * {@code merch_lat}/{@code merch_long}, {@code trans_num}, {@code is_fraud}.
 *
 * <p>Time rule: event times are true UTC instants; Sparkov's wall time is local solar time at home, so
 * {@code utc = local - long / 15 h} ({@code unix_time} is not used: the public files offset it by years).
 * Card numbers are never kept: the card id is {@code card-} plus the first 16 hex digits of SHA-256 of
 * {@code cc_num}. {@code *_net} categories are online merchants (channel ONLINE), the others card present.
 *
 * <p>This is the trainer's own reader; the replay module's general CSV readers (issue 6) should replace it.
 */
public final class SparkovCsv {
    static final String[] REQUIRED = {
        "trans_date_trans_time", "cc_num", "merchant", "category", "amt", "lat", "long", "trans_num", "merch_lat",
        "merch_long", "is_fraud",
    };
    private static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss",
            Locale.ROOT);

    private SparkovCsv() {}

    /** Reads a file; gzip is recognised by its magic bytes, not the name. */
    public static LabelledData read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
            return read(new InputStreamReader(in, StandardCharsets.UTF_8), "sparkov csv " + file.getFileName());
        }
    }

    public static LabelledData read(Reader reader, String source) throws IOException {
        BufferedReader in = new BufferedReader(reader, 1 << 16);
        String header = in.readLine();
        if (header == null) {
            throw new IOException(source + ": empty file, expected a Sparkov header line");
        }
        if (header.startsWith("\uFEFF")) {
            header = header.substring(1);
        }
        List<String> names = split(header, 1);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            index.putIfAbsent(names.get(i).trim(), i);
        }
        List<String> missing = new ArrayList<>();
        for (String r : REQUIRED) {
            if (!index.containsKey(r)) {
                missing.add(r);
            }
        }
        if (!missing.isEmpty()) {
            throw new IOException(source + ": missing Sparkov column(s) " + missing + " in header " + names);
        }
        int cTime = index.get("trans_date_trans_time");
        int cCard = index.get("cc_num");
        int cMerchant = index.get("merchant");
        int cCategory = index.get("category");
        int cAmount = index.get("amt");
        int cLat = index.get("lat");
        int cLon = index.get("long");
        int cId = index.get("trans_num");
        int cMLat = index.get("merch_lat");
        int cMLon = index.get("merch_long");
        int cFraud = index.get("is_fraud");

        List<LabelledTransaction> out = new ArrayList<>();
        Map<String, String> cardTokens = new HashMap<>();
        MessageDigest sha = sha256();
        String line;
        int lineNo = 1;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            // a quoted field may span lines
            while (unbalancedQuotes(line)) {
                String more = in.readLine();
                if (more == null) {
                    throw new IOException(source + " line " + lineNo + ": unterminated quoted field");
                }
                line = line + "\n" + more;
                lineNo++;
            }
            List<String> f = split(line, names.size());
            if (f.size() < names.size()) {
                throw new IOException(source + " line " + lineNo + ": " + f.size() + " fields, header has "
                        + names.size());
            }
            try {
                double homeLat = Double.parseDouble(f.get(cLat));
                double homeLon = Double.parseDouble(f.get(cLon));
                LocalDateTime local = LocalDateTime.parse(f.get(cTime).trim(), LOCAL_TIME);
                long utc = local.toInstant(ZoneOffset.UTC).toEpochMilli() - Math.round(homeLon / 15.0 * 3_600_000.0);
                String category = f.get(cCategory).trim();
                String card = cardTokens.computeIfAbsent(f.get(cCard).trim(), pan -> token(sha, pan));
                RawTransaction tx = RawTransaction.builder()
                        .transactionId(f.get(cId).trim())
                        .eventTimeMillis(utc)
                        .amount(Double.parseDouble(f.get(cAmount)))
                        .merchantId(f.get(cMerchant).trim())
                        .merchantCategory(category)
                        .channel(category.endsWith("_net") ? Channel.ONLINE : Channel.CARD_PRESENT)
                        .merchantLocation(Double.parseDouble(f.get(cMLat)), Double.parseDouble(f.get(cMLon)))
                        .homeLocation(homeLat, homeLon)
                        .build();
                String label = f.get(cFraud).trim();
                if (!label.equals("0") && !label.equals("1")) {
                    throw new IllegalArgumentException("is_fraud must be 0 or 1, was '" + label + "'");
                }
                out.add(new LabelledTransaction(card, tx, label.equals("1")));
            } catch (NumberFormatException | DateTimeParseException e) {
                throw new IOException(source + " line " + lineNo + ": " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new IOException(source + " line " + lineNo + ": " + e.getMessage(), e);
            }
        }
        return LabelledData.of(source, out);
    }

    private static String token(MessageDigest sha, String pan) {
        byte[] h = sha.digest(pan.getBytes(StandardCharsets.UTF_8));
        return "card-" + HexFormat.of().formatHex(h, 0, 8);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean unbalancedQuotes(String line) {
        int q = 0;
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '"') {
                q++;
            }
        }
        return (q & 1) == 1;
    }

    /** RFC 4180 fields of one record ("" inside quotes is a quote). */
    static List<String> split(String line, int expected) {
        List<String> out = new ArrayList<>(Math.max(expected, 8));
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else if (c != '\r') {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
