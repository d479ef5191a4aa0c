package fr.snp.dispatch.fhir;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The offline validator tells right from wrong: the IG's own CPTS Slot example passes with no error, and the same
 * Slot with a code outside TRE_R314, or without its start, fails. (Whatever the other FHIR tests prove rests on it.)
 */
class SasValidatorTest {
    static String example(String name) throws Exception {
        try (InputStream in = SasValidatorTest.class.getResourceAsStream("/fhir-packages/ans.fhir.fr.sas-1.2.0.tgz");
             var tar = new GZIPInputStream(in)) {
            byte[] all = tar.readAllBytes();
            // a tar is 512-byte headers, each followed by its file: find the one named package/<name>
            for (int at = 0; at + 512 <= all.length; ) {
                String file = new String(all, at, 100, StandardCharsets.US_ASCII).replace("\0", "").strip();
                if (file.isEmpty()) break;
                long size = Long.parseLong(new String(all, at + 124, 11, StandardCharsets.US_ASCII).strip(), 8);
                if (file.equals("package/example/" + name)) return new String(all, at + 512, (int) size, StandardCharsets.UTF_8);
                at += 512 + (int) ((size + 511) / 512 * 512);
            }
        }
        throw new AssertionError("no " + name + " in the package");
    }

    @Test
    void theIgsOwnSlotPassesAndABrokenOneFails() throws Exception {
        String slot = example("Slot-ExampleSlotCPTS1.json");
        assertThat(SasValidator.errors(slot)).isEmpty();
        String badCode = slot.replace("\"code\":\"CPTS\"", "\"code\":\"NOT-A-SLOT-TYPE\"");
        assertThat(badCode).isNotEqualTo(slot);
        assertThat(SasValidator.errors(badCode)).isNotEmpty();
        io.vertx.core.json.JsonObject withoutStart = new io.vertx.core.json.JsonObject(slot);
        withoutStart.remove("start");
        assertThat(SasValidator.errors(withoutStart.encode())).isNotEmpty();
    }
}
