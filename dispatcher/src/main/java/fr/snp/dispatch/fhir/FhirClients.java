package fr.snp.dispatch.fhir;

import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.domain.Role;

import javax.naming.InvalidNameException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The FHIR listener's allow-list ({@code fhir.clients}): which client certificate subjects may call, and as which
 * organisation for which territories. The TLS layer has already checked the chain against the CA bundle and the
 * validity dates; this decides who, among the holders of a valid certificate, is one of our callers (an IGC-Santé CA
 * issues certificates to every health organisation in France, so "signed by the CA" alone admits far too many).
 * <p>
 * Syntax: entries separated by {@code ;}, each {@code <subject> -> <organisation>:<territory>[,<territory>...]}, e.g.
 * {@code CN=sas.sante.fr,OU=ANS -> SAS-NATIONAL:36,85}. The subject is written as in RFC 4514 and names exactly a CN
 * and an OU, in either order (a comma inside a value is escaped {@code \,}). A certificate matches an entry when its
 * subject has exactly one CN and one OU, equal (case-sensitive) to the entry's; its other attributes (O, C, L...) are
 * not compared, since a renewed certificate may carry them differently.
 */
public final class FhirClients {
    /** A listed caller: its subject (CN, OU), the organisation it is admitted as and the territories it serves. */
    public record Client(String cn, String ou, String org, Set<String> territories) {
        /**
         * The principal its requests run as. A regulator: the SAS platform searches slots for the 116-117 regulators
         * of its territories, and the regulator role sees every audience a SAS may see. Its id is derived from the
         * subject, so it stays the same across certificate renewals and in every audit entry.
         */
        public Principal principal() {
            return new Principal(principalId(cn, ou), Role.REGULATOR, "SAS platform", territories, org, Set.of());
        }
    }

    private static final Pattern TERRITORY = Pattern.compile("[0-9][0-9AB][0-9]?");

    private final Map<String, Client> bySubject;

    private FhirClients(Map<String, Client> bySubject) { this.bySubject = Map.copyOf(bySubject); }

    /** Parses the setting; a malformed entry or a subject listed twice is a startup error naming the entry. */
    public static FhirClients parse(String setting) {
        Map<String, Client> m = new TreeMap<>();
        // ';' separates entries unless escaped inside a DN value
        for (String raw : setting.split("(?<!\\\\);")) {
            String entry = raw.strip();
            if (entry.isEmpty()) continue;
            int arrow = entry.lastIndexOf("->");
            if (arrow < 0) throw bad(entry, "expected <subject> -> <organisation>:<territories>");
            String subject = entry.substring(0, arrow).strip();
            String target = entry.substring(arrow + 2).strip();
            int colon = target.indexOf(':');
            if (colon <= 0) throw bad(entry, "expected <organisation>:<territory>[,<territory>...] after ->");
            String org = target.substring(0, colon).strip();
            Set<String> territories = new LinkedHashSet<>();
            for (String t : target.substring(colon + 1).split(",")) {
                String code = t.strip();
                if (!TERRITORY.matcher(code).matches()) throw bad(entry, "'" + code + "' is not a département code");
                territories.add(code);
            }
            Map<String, List<String>> names;
            try {
                names = attributes(new LdapName(subject));
            } catch (InvalidNameException e) {
                throw bad(entry, "the subject is not a distinguished name: " + e.getMessage());
            }
            if (!names.keySet().equals(Set.of("CN", "OU")) || names.get("CN").size() != 1 || names.get("OU").size() != 1)
                throw bad(entry, "the subject must name exactly one CN and one OU (found " + names.keySet() + ")");
            Client c = new Client(names.get("CN").get(0), names.get("OU").get(0), org, territories);
            if (m.put(key(c.cn(), c.ou()), c) != null) throw bad(entry, "this subject is listed twice");
        }
        return new FhirClients(m);
    }

    public boolean isEmpty() { return bySubject.isEmpty(); }

    /** The listed client whose CN and OU the certificate subject carries, or null if it is not listed. */
    public Client match(X500Principal subject) {
        Map<String, List<String>> names;
        try {
            names = attributes(new LdapName(subject.getName(X500Principal.RFC2253)));
        } catch (InvalidNameException e) {
            return null;
        }
        List<String> cn = names.getOrDefault("CN", List.of());
        List<String> ou = names.getOrDefault("OU", List.of());
        // a subject with two CNs or two OUs is ambiguous: refused rather than matched on either
        if (cn.size() != 1 || ou.size() != 1) return null;
        return bySubject.get(key(cn.get(0), ou.get(0)));
    }

    /** Stable, not secret: "mtls-" and 12 hex digits of SHA-256 over the CN and OU (what the audit trail shows). */
    static String principalId(String cn, String ou) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key(cn, ou).getBytes(StandardCharsets.UTF_8));
            return "mtls-" + HexFormat.of().formatHex(Arrays.copyOf(h, 6));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String key(String cn, String ou) { return "CN=" + Rdn.escapeValue(cn) + ",OU=" + Rdn.escapeValue(ou); }

    /** Attribute type (upper case) to its values, in order, multi-valued RDNs included. */
    private static Map<String, List<String>> attributes(LdapName name) {
        Map<String, List<String>> m = new TreeMap<>();
        try {
            for (Rdn rdn : name.getRdns()) {
                NamingEnumeration<? extends Attribute> all = rdn.toAttributes().getAll();
                while (all.hasMore()) {
                    Attribute a = all.next();
                    for (int i = 0; i < a.size(); i++) {
                        Object v = a.get(i);
                        // a value the DN gives in hex (#04...) is binary: kept as its hex so that it never equals a name
                        String s = v instanceof byte[] b ? "#" + HexFormat.of().formatHex(b) : String.valueOf(v);
                        m.computeIfAbsent(a.getID().toUpperCase(java.util.Locale.ROOT), k -> new ArrayList<>()).add(s);
                    }
                }
            }
        } catch (NamingException e) {
            throw new IllegalArgumentException(e);
        }
        return m;
    }

    private static IllegalStateException bad(String entry, String why) {
        return new IllegalStateException("setting fhir.clients: " + why + " in '" + entry + "'");
    }
}
