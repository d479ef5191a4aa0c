package fr.snp.dispatch.domain;

/** What the signed links look like in text, for the logs: one rule for the doctors' and the patients' links. */
public final class Links {
    private Links() {}

    /** The text with the signature of every link in it ("/feedback/…" or "/rdv/…") cut off: a log never carries a working link. */
    public static String redact(String text) {
        return text == null ? null : text.replaceAll("(/(?:feedback|rdv)/[^\\s./]+\\.\\d+\\.[A-Za-z0-9]+\\.)[A-Za-z0-9_-]+", "$1…");
    }
}
