package io.fraudstream.simulator;

import java.util.List;

/**
 * A merchant of the simulated world.
 *
 * @param merchantId {@code merch-000123}, written to {@code Transaction.merchantId}
 * @param name Sparkov-style display name ({@code fraud_...}), written to the CSV {@code merchant} column
 * @param lat latitude, {@code null} for online merchants
 * @param lon longitude, {@code null} for online merchants
 * @param city city name, {@code null} for online merchants
 * @param country ISO 3166-1 alpha-2
 * @param terminalIds the merchant's POS terminals ({@code term-000123-1}); empty for online merchants,
 *     whose transactions carry the customer's device id instead
 */
public record Merchant(
        String merchantId,
        String name,
        Category category,
        Double lat,
        Double lon,
        String city,
        String country,
        List<String> terminalIds) {

    public boolean online() {
        return category.online();
    }
}
