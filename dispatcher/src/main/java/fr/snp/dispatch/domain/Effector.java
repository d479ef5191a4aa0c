package fr.snp.dispatch.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;

/**
 * A volunteer professional who offers SNP slots. Only professional data: nothing here is about patients.
 * {@code webhookUrl}: where the practice software receives notifications (optional).
 */
public record Effector(String id, String territory, String rpps, String firstName, String lastName, String specialty,
                       List<PracticeLocation> locations, Set<String> cpts, int weeklySasCap,
                       double homeVisitRadiusKm, String phone, String webhookUrl) {

    public String displayName() { return "Dr " + firstName + " " + lastName; }

    public PracticeLocation location(int index) {
        return index >= 0 && index < locations.size() ? locations.get(index) : null;
    }

    public boolean memberOfAny(Set<String> cptsIds) {
        for (String c : cpts) if (cptsIds.contains(c)) return true;
        return false;
    }

    public JsonObject toJson() {
        JsonArray locs = new JsonArray();
        locations.forEach(l -> locs.add(l.toJson()));
        return new JsonObject().put("id", id).put("territory", territory).put("rpps", rpps)
                .put("firstName", firstName).put("lastName", lastName).put("name", displayName())
                .put("specialty", specialty).put("locations", locs).put("cpts", new JsonArray(List.copyOf(cpts)))
                .put("weeklySasCap", weeklySasCap).put("homeVisitRadiusKm", homeVisitRadiusKm).put("phone", phone)
                .put("webhookUrl", webhookUrl);
    }

    public static Effector fromJson(JsonObject j) {
        List<PracticeLocation> locs = j.getJsonArray("locations").stream()
                .map(o -> PracticeLocation.fromJson((JsonObject) o)).toList();
        Set<String> cpts = Set.copyOf(j.getJsonArray("cpts").getList());
        return new Effector(j.getString("id"), j.getString("territory"), j.getString("rpps"), j.getString("firstName"),
                j.getString("lastName"), j.getString("specialty"), locs, cpts, j.getInteger("weeklySasCap"),
                j.getDouble("homeVisitRadiusKm"), j.getString("phone"), j.getString("webhookUrl"));
    }
}
