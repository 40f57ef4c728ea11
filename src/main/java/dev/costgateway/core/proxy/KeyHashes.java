package dev.costgateway.core.proxy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A short, salted, one-way name for a caller's credential, safe to store in metrics. */
public final class KeyHashes {

    private static final byte[] SALT = "cost-gateway/caller/v1".getBytes(StandardCharsets.UTF_8);

    private KeyHashes() {
    }

    /** 16 hex characters of SHA-256(salt || credential). */
    public static String of(String credential) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(SALT);
            d.update(credential.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
