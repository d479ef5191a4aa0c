package fr.snp.dispatch.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Who may see and take a slot (SAS slot types, TRE_R314). Stored as a bit mask so that Lua scripts and the
 * in-memory index compare audiences with one AND.
 */
public enum Audience {
    PUBLIC(1), PRO(2), SNP(4), CPTS(8);

    public final int bit;

    Audience(int bit) { this.bit = bit; }

    public static final int ALL = 15;

    public static int mask(Collection<Audience> audiences) {
        int mask = 0;
        for (Audience a : audiences) mask |= a.bit;
        return mask;
    }

    public static List<String> names(int mask) {
        List<String> names = new ArrayList<>(4);
        for (Audience a : values()) if ((mask & a.bit) != 0) names.add(a.name());
        return names;
    }

    /** The audiences a slot has at {@code nowMs}: reserved slots widen to {@code releaseTo} once released. */
    public static int effective(int audiences, long releaseAtMs, int releaseTo, long nowMs) {
        return releaseAtMs > 0 && nowMs >= releaseAtMs ? audiences | releaseTo : audiences;
    }
}
