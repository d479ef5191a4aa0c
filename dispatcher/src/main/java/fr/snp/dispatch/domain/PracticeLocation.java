package fr.snp.dispatch.domain;

import io.vertx.core.json.JsonObject;

/** Where an effector consults: a practice, an MSP or CDS, or a CSNP care centre staffed by half-day shifts. */
public record PracticeLocation(int index, String name, String address, String communeInsee, String communeName,
                               double lat, double lng, String kind, boolean accessible) {

    public static final java.util.Set<String> KINDS = java.util.Set.of("PRACTICE", "MSP", "CDS", "CSNP", "HOSPITAL");

    public JsonObject toJson() {
        return new JsonObject().put("id", index).put("name", name).put("address", address)
                .put("communeInsee", communeInsee).put("commune", communeName).put("lat", lat).put("lng", lng)
                .put("kind", kind).put("accessible", accessible);
    }

    public static PracticeLocation fromJson(JsonObject j) {
        return new PracticeLocation(j.getInteger("id"), j.getString("name"), j.getString("address"),
                j.getString("communeInsee"), j.getString("commune"), j.getDouble("lat"), j.getDouble("lng"),
                j.getString("kind"), j.getBoolean("accessible", false));
    }
}
