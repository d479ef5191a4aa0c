package fr.snp.dispatch.notifications;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Links that act on one appointment without an account, from a phone: "<appointmentId>.<expiry>.<HMAC-SHA256>",
 * valid until the expiry. Anything altered fails the signature check. Two kinds, signed apart so that one is
 * never taken for the other: the doctor's feedback link (/feedback/…) and the patient's link to see or cancel
 * their appointment (/rdv/…, valid until the appointment starts).
 */
public final class SignedLinks {
    /** Why a link was refused: INVALID_LINK (malformed or altered) or LINK_EXPIRED. */
    public static final class Refused extends RuntimeException {
        public final String code;

        Refused(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    public static final String FEEDBACK = "feedback";
    public static final String PATIENT = "rdv";

    private final byte[] key;
    private final String baseUrl;
    private final String path;
    private final long ttlSeconds;

    /** The doctors' feedback links, valid {@code ttlSeconds} from when they are made. */
    public SignedLinks(byte[] key, String baseUrl, long ttlSeconds) { this(key, baseUrl, FEEDBACK, ttlSeconds); }

    private SignedLinks(byte[] key, String baseUrl, String path, long ttlSeconds) {
        if (key.length < 32) throw new IllegalArgumentException("the feedback-link key needs at least 32 bytes");
        this.key = key.clone();
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.path = path;
        this.ttlSeconds = ttlSeconds;
    }

    /** The patients' links, with the same key and base address, signed apart from the feedback links. */
    public SignedLinks patientLinks() { return new SignedLinks(key, baseUrl, PATIENT, 0); }

    public String token(String appointmentId, long nowSeconds) { return tokenUntil(appointmentId, nowSeconds + ttlSeconds); }

    /** A token valid until {@code expirySeconds} (epoch s). */
    public String tokenUntil(String appointmentId, long expirySeconds) {
        String payload = appointmentId + "." + expirySeconds;
        return payload + "." + sign(payload);
    }

    public String url(String appointmentId, long nowSeconds) {
        return baseUrl + "/" + path + "/" + token(appointmentId, nowSeconds);
    }

    public String urlUntil(String appointmentId, long expirySeconds) {
        return baseUrl + "/" + path + "/" + tokenUntil(appointmentId, expirySeconds);
    }

    /** The appointment id of a valid, unexpired link. */
    public String verify(String token, long nowSeconds) {
        String[] parts = token == null ? new String[0] : token.split("\\.");
        if (parts.length != 3 || !parts[1].chars().allMatch(Character::isDigit) || parts[1].isEmpty()) {
            throw new Refused("INVALID_LINK", "this link is not valid");
        }
        String payload = parts[0] + "." + parts[1];
        byte[] expected = sign(payload).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, parts[2].getBytes(StandardCharsets.US_ASCII))) {
            throw new Refused("INVALID_LINK", "this link is not valid");
        }
        if (Long.parseLong(parts[1]) < nowSeconds) throw new Refused("LINK_EXPIRED", "this link has expired");
        return parts[0];
    }

    private String sign(String payload) {
        // feedback links sign the bare payload (as they always did: links already sent keep working); others their kind too
        if (!FEEDBACK.equals(path)) payload = path + ":" + payload;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
