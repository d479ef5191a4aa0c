package fr.snp.dispatch.domain;

import java.util.regex.Pattern;

/** What the signed links look like in text, for the logs: one rule for the doctors' and the patients' links. */
public final class Links {
    private Links() {}

    /**
     * A signed link in a text: its path up to the signature (group 1: "/feedback/", "/rdv/", and what the pages call,
     * "/api/v1/feedback/", "/api/v1/patient-links/", then "appointment.expiry.keyId."), then the signature. Written
     * so that Java and PCRE read it alike: the reverse proxy's recommended log format (ops/haproxy/haproxy.cfg) cuts
     * signatures off its access log with this very text.
     */
    public static final String SIGNED_LINK =
            "(/(?:feedback|rdv|patient-links)/[^\\s./]+\\.[0-9]+\\.[A-Za-z0-9]+\\.)[A-Za-z0-9_-]+";
    private static final Pattern SIGNED = Pattern.compile(SIGNED_LINK);

    /** The text with the signature of every link in it cut off: a log never carries a working link. */
    public static String redact(String text) {
        return text == null ? null : SIGNED.matcher(text).replaceAll("$1…");
    }
}
