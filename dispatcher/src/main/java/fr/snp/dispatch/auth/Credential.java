package fr.snp.dispatch.auth;

import io.vertx.core.json.JsonObject;

/**
 * The credential a request came with: its kind and the SHA-256 of its secret, as its store keys it (never the
 * secret). A live stream keeps the one that opened it, so that it can be checked again while the stream stays open
 * (see {@link CredentialCheck}): a credential revoked, expired or logged out ends the stream too.
 */
public record Credential(Kind kind, String hash) {

    /**
     * Where a kind of credential is kept, and so which store can tell whether one still holds. A new kind is
     * a constant here and a {@link CredentialCheck.Store} that checks it: the check
     * refuses to be built without a store for every kind.
     */
    public enum Kind {
        /** Software's bearer token: {@link TokenStore}. */
        API_TOKEN,
        /** A person's session cookie: {@link Sessions} (and the {@link Roster} entry behind it). */
        SESSION,
        /** An embedded widget's short session: {@link WidgetSessions} (and the API key it was traded for). */
        WIDGET_SESSION
    }

    public Credential {
        if (kind == null || hash == null || hash.isBlank()) throw new IllegalArgumentException("a credential has a kind and a hash");
    }

    public static Credential apiToken(String token) { return new Credential(Kind.API_TOKEN, TokenStore.hash(token)); }

    public static Credential session(String sessionId) { return new Credential(Kind.SESSION, TokenStore.hash(sessionId)); }

    public static Credential widgetSession(String token) { return new Credential(Kind.WIDGET_SESSION, TokenStore.hash(token)); }

    JsonObject toJson() { return new JsonObject().put("kind", kind.name()).put("hash", hash); }

    /** The credential stored with a ticket; null when there is none or it is not one this server knows. */
    static Credential fromJson(JsonObject j) {
        if (j == null) return null;
        try {
            return new Credential(Kind.valueOf(j.getString("kind", "")), j.getString("hash"));
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }
}
