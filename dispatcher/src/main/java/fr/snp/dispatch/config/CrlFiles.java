package fr.snp.dispatch.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.cert.CRL;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.logging.Logger;

/**
 * The certificate revocation lists a setting names ({@code fhir.crl}, {@code sas.crl}): comma-separated files, each
 * PEM or DER (IGC-Santé publishes DER; {@code openssl crl -inform DER -out x.pem} gives PEM), read and checked here
 * so that a missing, unreadable or foreign CRL stops the server at startup with the setting named, rather than
 * leaving revoked certificates silently accepted. The TLS layer (Vert.x) only looks serial numbers up in what it is
 * given: it checks neither a CRL's signature nor its dates, hence the signature check here against the CAs the
 * connection trusts.
 * <p>
 * The files are replaced daily by whoever fetches them: {@link #reloadIfChanged} re-reads them when one's modification
 * time or size changed, keeping what was read before when the new content is unusable (a half-written download
 * must not drop every revocation, nor stop a running server).
 */
public final class CrlFiles {
    private static final Logger LOG = Logger.getLogger(CrlFiles.class.getName());

    private final String setting;
    private final List<Path> files;
    private final Collection<X509Certificate> issuers;
    private final String issuersSetting;
    private volatile List<byte[]> current;
    private volatile List<String> stamps;

    private CrlFiles(String setting, List<Path> files, Collection<X509Certificate> issuers, String issuersSetting) {
        this.setting = setting;
        this.files = files;
        this.issuers = issuers;
        this.issuersSetting = issuersSetting;
    }

    /** No CRL: nothing is checked for revocation. */
    public static CrlFiles none() { return new CrlFiles("", List.of(), List.of(), ""); }

    /**
     * The files of {@code setting} (comma-separated paths, empty: none), read and checked now. Each CRL must be
     * signed by one of {@code issuers}, the CAs of {@code issuersSetting}, since a CRL of another CA cannot revoke
     * anything the connection accepts and is most likely the wrong file; an empty {@code issuers} (the JVM's own
     * trust store) skips that check.
     *
     * @throws IllegalStateException naming the setting and the file
     */
    public static CrlFiles read(Settings settings, String setting, Collection<X509Certificate> issuers,
                                String issuersSetting) {
        List<Path> files = Arrays.stream(settings.string(setting).split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .map(Path::of).toList();
        CrlFiles crl = new CrlFiles(setting, files, List.copyOf(issuers), issuersSetting);
        List<String> stamps = crl.stamps();
        crl.current = crl.load();
        crl.stamps = stamps;
        return crl;
    }

    public boolean isEmpty() { return files.isEmpty(); }

    public List<Path> files() { return files; }

    /** The content of each file, as last read successfully (PEM or DER, as the file holds it). */
    public List<byte[]> current() { return isEmpty() ? List.of() : current; }

    /**
     * Re-reads the files if one's modification time or size changed since the last read. Blocking (file reads).
     *
     * @return true when new content was read (to hand to the TLS layer), false when nothing changed
     * @throws IllegalStateException when a changed file cannot be used; {@link #current} then stays as it was, and
     *                               the next call tries again
     */
    public synchronized boolean reloadIfChanged() {
        if (isEmpty()) return false;
        List<String> now = stamps();
        if (now.equals(stamps)) return false;
        current = load();
        stamps = now;
        return true;
    }

    /** Each file's modification time and size: what changes when a new CRL is written over the old one. */
    private List<String> stamps() {
        List<String> out = new ArrayList<>();
        for (Path f : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                out.add(a.lastModifiedTime().toMillis() + "/" + a.size());
            } catch (IOException e) {
                out.add("unreadable: " + e); // load() says why
            }
        }
        return out;
    }

    private List<byte[]> load() {
        List<byte[]> out = new ArrayList<>();
        for (Path f : files) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(f);
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("setting " + setting + ": cannot read " + f + " (" + e + ")", e);
            }
            check(f, bytes);
            out.add(bytes);
        }
        return List.copyOf(out);
    }

    private void check(Path file, byte[] bytes) {
        Collection<? extends CRL> crls;
        try {
            crls = CertificateFactory.getInstance("X.509").generateCRLs(new ByteArrayInputStream(bytes));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalStateException("setting " + setting + ": " + file + " is not a CRL, PEM or DER ("
                    + e.getMessage() + ")", e);
        }
        if (crls.isEmpty()) throw new IllegalStateException("setting " + setting + ": " + file + " holds no CRL");
        for (CRL c : crls) {
            X509CRL crl = (X509CRL) c;
            if (!issuers.isEmpty() && issuers.stream().noneMatch(ca -> signs(ca, crl))) {
                throw new IllegalStateException("setting " + setting + ": " + file + " is a CRL of "
                        + crl.getIssuerX500Principal().getName() + ", not signed by a CA of " + issuersSetting);
            }
            // a CRL past its next update is still better than none: said, not refused (the platform would be locked out)
            if (crl.getNextUpdate() != null && crl.getNextUpdate().before(new Date())) {
                LOG.warning("setting " + setting + ": " + file + " is out of date (next update was "
                        + crl.getNextUpdate().toInstant() + "): fetch a new one");
            }
        }
    }

    private static boolean signs(X509Certificate ca, X509CRL crl) {
        if (!ca.getSubjectX500Principal().equals(crl.getIssuerX500Principal())) return false;
        try {
            crl.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
