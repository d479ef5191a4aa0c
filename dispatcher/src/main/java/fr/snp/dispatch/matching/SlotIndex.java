package fr.snp.dispatch.matching;

import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.domain.SlotState;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The territories' indexes of this instance. */
public final class SlotIndex {
    private final ConcurrentHashMap<String, TerritoryIndex> territories = new ConcurrentHashMap<>();

    public TerritoryIndex territory(String code) {
        return territories.computeIfAbsent(code, c -> new TerritoryIndex());
    }

    /**
     * Puts a territory's index, built afresh from Redis, in place of the current one in one step: a search sees the
     * old index or the new one, never one half loaded. What the old one held and Redis no longer has is gone with it.
     */
    public void replace(String code, TerritoryIndex fresh) { territories.put(code, fresh); }

    public Set<String> territories() { return Set.copyOf(territories.keySet()); }

    public void apply(SlotState s) { territory(Ids.territoryOf(s.id())).apply(s); }

    public void putEffector(Effector e) { territory(e.territory()).putEffector(e); }

    public Effector effector(String id) {
        if (!Ids.isWellFormed(id)) return null;
        TerritoryIndex t = territories.get(Ids.territoryOf(id));
        return t == null ? null : t.effector(id);
    }

    /** The effector with this RPPS (11 digits) among the given territories, or null. */
    public Effector effectorByRpps(String rpps, java.util.Collection<String> inTerritories) {
        for (String code : inTerritories) {
            TerritoryIndex t = territories.get(code);
            Effector e = t == null ? null : t.effectorByRpps(rpps);
            if (e != null) return e;
        }
        return null;
    }

    public SlotState slot(String id) {
        if (!Ids.isWellFormed(id)) return null;
        TerritoryIndex t = territories.get(Ids.territoryOf(id));
        return t == null ? null : t.slot(id);
    }

    public void setLoad(String effectorId, String week, int all, int sas) {
        territory(Ids.territoryOf(effectorId)).setLoad(effectorId, week, all, sas);
    }
}
