package fr.snp.dispatch.directory;

import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.PracticeLocation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The JSON form of an effector: how Redis keeps it (one field of the territory's hash) and how the API shows it. */
public final class EffectorJson {
    private EffectorJson() {}

    public static JsonObject of(Effector e) {
        JsonArray locs = new JsonArray();
        e.locations().forEach(l -> locs.add(of(l)));
        return new JsonObject().put("id", e.id()).put("territory", e.territory()).put("rpps", e.rpps())
                .put("firstName", e.firstName()).put("lastName", e.lastName()).put("name", e.displayName())
                .put("specialty", e.specialty()).put("locations", locs).put("cpts", new JsonArray(List.copyOf(new TreeSet<>(e.cpts()))))
                .put("weeklySasCap", e.weeklySasCap()).put("homeVisitRadiusKm", e.homeVisitRadiusKm()).put("phone", e.phone())
                .put("webhookUrl", e.webhookUrl()).put("supernumeraryDailyCap", e.supernumeraryDailyCap());
    }

    public static JsonObject of(PracticeLocation p) {
        JsonObject j = new JsonObject().put("id", p.index()).put("name", p.name()).put("address", p.address())
                .put("communeInsee", p.communeInsee()).put("commune", p.communeName()).put("lat", p.lat()).put("lng", p.lng())
                .put("kind", p.kind()).put("accessible", p.accessible());
        // the structure ids only when known: places stored before them keep their JSON, and read back without them
        if (p.finess() != null) j.put("finess", p.finess());
        if (p.siret() != null) j.put("siret", p.siret());
        return j;
    }

    public static Effector effector(JsonObject j) {
        List<PracticeLocation> locs = j.getJsonArray("locations").stream().map(o -> location((JsonObject) o)).toList();
        Set<String> cpts = Set.copyOf(j.getJsonArray("cpts").getList());
        return new Effector(j.getString("id"), j.getString("territory"), j.getString("rpps"), j.getString("firstName"),
                j.getString("lastName"), j.getString("specialty"), locs, cpts, j.getInteger("weeklySasCap"),
                j.getDouble("homeVisitRadiusKm"), j.getString("phone"), j.getString("webhookUrl"),
                j.getInteger("supernumeraryDailyCap", 0));
    }

    public static PracticeLocation location(JsonObject j) {
        return new PracticeLocation(j.getInteger("id"), j.getString("name"), j.getString("address"),
                j.getString("communeInsee"), j.getString("commune"), j.getDouble("lat"), j.getDouble("lng"),
                j.getString("kind"), j.getBoolean("accessible", false), j.getString("finess"), j.getString("siret"));
    }
}
