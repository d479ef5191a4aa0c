package fr.snp.dispatch.api;

import io.vertx.core.json.JsonObject;

/** A refusal with an HTTP status and a machine-readable body {"code","message","field"}. */
public final class ApiError extends RuntimeException {
    public final int status;
    public final String code;
    public final String field;

    public ApiError(int status, String code, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    public static ApiError badRequest(String code, String message, String field) {
        return new ApiError(400, code, message, field);
    }

    public static ApiError notFound(String code, String message) { return new ApiError(404, code, message, null); }

    public static ApiError conflict(String code, String message) { return new ApiError(409, code, message, null); }

    public static ApiError forbidden(String code, String message) { return new ApiError(403, code, message, null); }

    public JsonObject toJson() {
        JsonObject j = new JsonObject().put("code", code).put("message", getMessage());
        j.put("field", field);
        return j;
    }
}
