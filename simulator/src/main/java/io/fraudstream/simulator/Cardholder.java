package io.fraudstream.simulator;

import java.time.LocalDate;

/**
 * A synthetic cardholder: the static, Sparkov-style profile written to the CSV columns that a
 * {@link io.fraudstream.avro.Transaction} does not carry. Invented data; no real person.
 *
 * @param cardId card token, {@code card-000123}; never card-number-like
 * @param accountId account token, {@code acct-000123}
 * @param profile Sparkov profile name, e.g. {@code adults_2550_female_urban.json}
 */
public record Cardholder(
        String cardId,
        String accountId,
        String firstName,
        String lastName,
        String gender,
        String street,
        String city,
        String state,
        String zip,
        double homeLat,
        double homeLon,
        int cityPopulation,
        String job,
        LocalDate dateOfBirth,
        String profile) {}
