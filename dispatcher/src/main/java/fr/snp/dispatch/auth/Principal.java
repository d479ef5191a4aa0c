package fr.snp.dispatch.auth;

import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.matching.Viewer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;

/**
 * Who calls: a role, a display name (a SAS desk, a pharmacy...), the effector an effector token speaks for, the
 * CPTS the caller belongs to. {@code id} is stable and not secret (a prefix of the token hash).
 */
public record Principal(String id, Role role, String name, String effectorId, Set<String> cpts) {

    public Viewer viewer() { return new Viewer(role, cpts); }

    public JsonObject toJson() {
        return new JsonObject().put("id", id).put("role", role.wireName()).put("name", name)
                .put("effectorId", effectorId).put("cpts", new JsonArray(List.copyOf(cpts)));
    }

    public static Principal fromJson(JsonObject j) {
        return new Principal(j.getString("id"), Role.ofWireName(j.getString("role")), j.getString("name"),
                j.getString("effectorId"), Set.copyOf(j.getJsonArray("cpts", new JsonArray()).getList()));
    }
}
