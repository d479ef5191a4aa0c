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

    private final LinkKeys keys;
    private final String baseUrl;
    private final String path;
    private final long ttlSeconds;

    /** The doctors' feedback links, valid {@code ttlSeconds} from when they are made. */
    public SignedLinks(LinkKeys keys, String baseUrl, long ttlSeconds) { this(keys, baseUrl, FEEDBACK, ttlSeconds); }

    private SignedLinks(LinkKeys keys, String baseUrl, String path, long ttlSeconds) {
        this.keys = keys;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.path = path;
        this.ttlSeconds = ttlSeconds;
    }

    /** The patients' links, with the same key and base address, signed apart from the feedback links. */
    public SignedLinks patientLinks() { return new SignedLinks(keys, baseUrl, PATIENT, 0); }

    public String token(String appointmentId, long nowSeconds) { return tokenUntil(appointmentId, nowSeconds + ttlSeconds); }

    /** A token valid until {@code expirySeconds} (epoch s): "id.expiry.keyId.signature". */
    public String tokenUntil(String appointmentId, long expirySeconds) {
        LinkKeys.Key k = keys.signing();
        String payload = appointmentId + "." + expirySeconds + "." + k.id();
        return payload + "." + sign(k, payload);
    }

    public String url(String appointmentId, long nowSeconds) {
        return baseUrl + "/" + path + "/" + token(appointmentId, nowSeconds);
    }

    public String urlUntil(String appointmentId, long expirySeconds) {
        return baseUrl + "/" + path + "/" + tokenUntil(appointmentId, expirySeconds);
    }

    /** The appointment id of a valid, unexpired link (signed by any listed key: the previous one still works). */
    public String verify(String token, long nowSeconds) {
        String[] parts = token == null ? new String[0] : token.split("\\.");
        if (parts.length != 4 || !parts[1].chars().allMatch(Character::isDigit) || parts[1].isEmpty()) {
            throw new Refused("INVALID_LINK", "this link is not valid");
        }
        LinkKeys.Key k = keys.byId(parts[2]);
        String payload = parts[0] + "." + parts[1] + "." + parts[2];
        byte[] given = parts[3].getBytes(StandardCharsets.US_ASCII);
        if (k == null || !MessageDigest.isEqual(sign(k, payload).getBytes(StandardCharsets.US_ASCII), given)) {
            throw new Refused("INVALID_LINK", "this link is not valid");
        }
        if (Long.parseLong(parts[1]) < nowSeconds) throw new Refused("LINK_EXPIRED", "this link has expired");
        return parts[0];
    }

    /** The text with the signature of every link in it cut off ("…"): a log never carries a working link. */
    public static String redact(String text) { return fr.snp.dispatch.domain.Links.redact(text); }

    private String sign(LinkKeys.Key k, String payload) {
        // each kind of link signs its kind too: a feedback link is never taken for a patient's, nor the reverse
        payload = path + ":" + payload;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(k.secret(), "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
