package dev.costgateway.core.proxy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A short, salted, one-way name for a caller's credential, safe to store in metrics. */
public final class KeyHashes {

    private static final byte[] SALT = "cost-gateway/caller/v1".getBytes(StandardCharsets.UTF_8);

    /**
     * One digest per thread: {@code MessageDigest.getInstance} looks the provider up and allocates on every call,
     * which was most of this method's cost on every request. No credential is kept.
     */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private KeyHashes() {
    }

    /** 16 hex characters of SHA-256(salt || credential). */
    public static String of(String credential) {
        MessageDigest d = SHA_256.get();
        d.reset();
        d.update(SALT);
        d.update(credential.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(d.digest(), 0, 8);
    }
}
