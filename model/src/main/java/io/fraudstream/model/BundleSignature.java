package io.fraudstream.model;

/** The descriptor fields that authenticate a bundle: lower-case hex SHA-256 and Base64 Ed25519 signature. */
public record BundleSignature(String sha256Hex, String signatureBase64) {}
