package fr.snp.dispatch.booking;

import fr.snp.dispatch.domain.Outcome;
import fr.snp.dispatch.redis.LuaScript;

import java.util.List;
import java.util.Map;

/**
 * What every slot script answers: {code, detail, slot fields, [appointment fields, load all, load SAS]}.
 * Refusals carry the slot's current state too, so a stale index heals from the refusal itself.
 */
public record ScriptReply(Outcome outcome, String detail, Map<String, String> slot, Map<String, String> appointment,
                          int loadAll, int loadSas) {

    public boolean ok() { return outcome == Outcome.OK; }

    @SuppressWarnings("unchecked")
    static ScriptReply parse(List<Object> raw) {
        Outcome outcome = Outcome.of((String) raw.get(0));
        String detail = raw.size() > 1 ? (String) raw.get(1) : "";
        Map<String, String> slot = raw.size() > 2 ? flat((List<Object>) raw.get(2)) : Map.of();
        Map<String, String> appt = raw.size() > 3 ? flat((List<Object>) raw.get(3)) : Map.of();
        int loadAll = raw.size() > 4 ? Integer.parseInt((String) raw.get(4)) : -1;
        int loadSas = raw.size() > 5 ? Integer.parseInt((String) raw.get(5)) : -1;
        return new ScriptReply(outcome, detail, slot, appt, loadAll, loadSas);
    }

    public static Map<String, String> flat(List<Object> fields) { return LuaScript.fields(fields); }
}
