package fr.snp.dispatch.directory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * Standard Webhooks signatures (standardwebhooks.com): the receiver checks {@code webhook-signature} against
 * HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}" with its secret ("whsec_" + base64 key), and the timestamp
 * against its clock. During a rotation the header carries one "v1,…" signature per secret, the new one first.
 */
public final class WebhookSignature {
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSignature() {}

    /** A new receiver secret: 24 random bytes, as the spec's libraries write them. */
    public static String newSecret() {
        byte[] key = new byte[24];
        RANDOM.nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    /** The webhook-signature header for these secrets (space-separated "v1,<base64>" values). */
    public static String header(List<String> secrets, String id, long timestampSeconds, String body) {
        StringBuilder out = new StringBuilder();
        for (String secret : secrets) {
            if (!out.isEmpty()) out.append(' ');
            out.append("v1,").append(sign(secret, id + "." + timestampSeconds + "." + body));
        }
        return out.toString();
    }

    static String sign(String secret, String content) {
        byte[] key = Base64.getDecoder().decode(secret.startsWith("whsec_") ? secret.substring(6) : secret);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
