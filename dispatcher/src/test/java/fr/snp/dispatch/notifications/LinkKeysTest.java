package fr.snp.dispatch.notifications;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The links' keys carry ids and rotate; they come from configuration or a private file, never from Redis. */
class LinkKeysTest {
    static final long NOW = 1_796_000_000L;

    @Test
    void aRotatedKeyStillVerifiesTheLinksItSignedAndAnUnknownOrAlteredOneFails() {
        String old = LinkKeys.fresh("k1");
        SignedLinks before = new SignedLinks(LinkKeys.parse(old), "https://sas.example.fr", 3600);
        String token = before.token("36-Aabc12345678", NOW);
        assertThat(token.split("\\.")).hasSize(4);
        assertThat(token.split("\\.")[2]).isEqualTo("k1");

        SignedLinks after = new SignedLinks(LinkKeys.parse(LinkKeys.fresh("k2") + "," + old), "https://sas.example.fr", 3600);
        assertThat(after.verify(token, NOW)).isEqualTo("36-Aabc12345678");
        assertThat(after.token("36-Aabc12345678", NOW).split("\\.")[2]).as("the new key signs").isEqualTo("k2");

        SignedLinks dropped = new SignedLinks(LinkKeys.parse(LinkKeys.fresh("k2")), "https://sas.example.fr", 3600);
        assertThatThrownBy(() -> dropped.verify(token, NOW)).hasMessageContaining("not valid");
        String[] p = token.split("\\.");
        assertThatThrownBy(() -> after.verify(p[0] + "." + p[1] + ".k2." + p[3], NOW)).as("another key id").hasMessageContaining("not valid");
        assertThatThrownBy(() -> after.verify(p[0] + "." + (Long.parseLong(p[1]) + 1) + "." + p[2] + "." + p[3], NOW))
                .as("a longer life").hasMessageContaining("not valid");
        assertThatThrownBy(() -> after.verify(token, NOW + 7200)).hasMessageContaining("expired");
        // a feedback token is never a patient's, with the same key
        assertThatThrownBy(() -> before.patientLinks().verify(token, NOW)).hasMessageContaining("not valid");
    }

    @Test
    void anEmbeddedServerMakesAPrivateKeyFileOnceAndLogsNeverCarryAWorkingLink() throws Exception {
        Path dir = Files.createTempDirectory("snp-keys");
        LinkKeys first = LinkKeys.load("", "", dir);
        LinkKeys again = LinkKeys.load("", "", dir);
        assertThat(again.signing().secret()).isEqualTo(first.signing().secret());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("link-keys")))).isEqualTo("rw-------");
        assertThatThrownBy(() -> LinkKeys.parse("k1:" + java.util.Base64.getEncoder().encodeToString(new byte[8])))
                .hasMessageContaining("fewer than 32 bytes");

        SignedLinks links = new SignedLinks(first, "http://127.0.0.1:8080", 3600);
        String url = links.url("36-Aabc12345678", NOW);
        String logged = SignedLinks.redact("notification booked; feedback link " + url);
        assertThat(logged).contains("/feedback/36-Aabc12345678.").endsWith("…").doesNotContain(url.substring(url.lastIndexOf('.') + 1));
        String patient = links.patientLinks().urlUntil("36-Aabc12345678", NOW + 600);
        assertThat(fr.snp.dispatch.messages.LogSenderAccess.redacted("annulez : " + patient))
                .doesNotContain(patient.substring(patient.lastIndexOf('.') + 1)).endsWith("…");
    }
}
