package fr.snp.dispatch.notifications;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Links a doctor can answer from a phone without an account: "<appointmentId>.<expiry>.<HMAC-SHA256>", valid
 * for one appointment until its expiry. Anything altered fails the signature check.
 */
public final class FeedbackLinks {
    /** Why a link was refused: INVALID_LINK (malformed or altered) or LINK_EXPIRED. */
    public static final class Refused extends RuntimeException {
        public final String code;

        Refused(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    private final byte[] key;
    private final String baseUrl;
    private final long ttlSeconds;

    public FeedbackLinks(byte[] key, String baseUrl, long ttlSeconds) {
        if (key.length < 32) throw new IllegalArgumentException("the feedback-link key needs at least 32 bytes");
        this.key = key.clone();
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.ttlSeconds = ttlSeconds;
    }

    public String token(String appointmentId, long nowSeconds) {
        String payload = appointmentId + "." + (nowSeconds + ttlSeconds);
        return payload + "." + sign(payload);
    }

    public String url(String appointmentId, long nowSeconds) {
        return baseUrl + "/feedback/" + token(appointmentId, nowSeconds);
    }

    /** The appointment id of a valid, unexpired link. */
    public String verify(String token, long nowSeconds) {
        String[] parts = token == null ? new String[0] : token.split("\\.");
        if (parts.length != 3 || !parts[1].chars().allMatch(Character::isDigit) || parts[1].isEmpty()) {
            throw new Refused("INVALID_LINK", "this feedback link is not valid");
        }
        String payload = parts[0] + "." + parts[1];
        byte[] expected = sign(payload).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, parts[2].getBytes(StandardCharsets.US_ASCII))) {
            throw new Refused("INVALID_LINK", "this feedback link is not valid");
        }
        if (Long.parseLong(parts[1]) < nowSeconds) throw new Refused("LINK_EXPIRED", "this feedback link has expired");
        return parts[0];
    }

    private String sign(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
