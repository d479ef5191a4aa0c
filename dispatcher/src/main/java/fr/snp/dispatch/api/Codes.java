package fr.snp.dispatch.api;

import fr.snp.dispatch.domain.Outcome;
import io.vertx.core.json.JsonObject;

/**
 * GET /api/v1/codes: every answer code with its HTTP status and sentences, English and French: the outcomes of the
 * state changes (domain/Outcome.java) and the refusals of the API itself. The console and the widget read their
 * French messages from here, never from copies.
 */
final class Codes {
    private record Api(String code, int status, String french) {}

    /** The API's own refusals that the pages show (validation and access); the rest fall back to a generic sentence. */
    private static final Api[] API = {
            new Api("INVALID_PHONE", 400, "Numéro de téléphone invalide : 10 chiffres, par exemple 06 12 34 56 78."),
            new Api("UNKNOWN_COMMUNE", 400, "Commune inconnue : choisissez-la dans la liste proposée."),
            new Api("OUTSIDE_SERVED_AREA", 400, "Cette position est hors du territoire desservi."),
            new Api("INVALID_DATE", 400, "Date invalide : choisissez-la dans le calendrier."),
            new Api("PERIOD_TOO_LONG", 400, "Une période compte au plus 366 jours : rapprochez les dates."),
            new Api("NOT_A_PRIORITY_PATIENT", 400, "La CPTS suit les patients prioritaires : ALD, plus de 70 ans ou CSS."),
            new Api("UNAUTHENTICATED", 401, "Jeton inconnu ou révoqué. Contactez la coordination de la CPTS."),
            new Api("SESSION_ENDED", 401, "Votre session a pris fin : reconnectez-vous."),
            // the last event of a live stream whose session or token ended while it was open
            new Api("CREDENTIAL_REVOKED", 401, "Votre accès a été retiré ou a expiré : reconnectez-vous."),
            new Api("CROSS_ORIGIN_REQUEST", 403, "Cette action doit venir des pages de ce service."),
            new Api("WIDGET_SESSION_ENDED", 401, "La session du widget a pris fin : rechargez la page."),
            new Api("WEB_ORIGIN_NOT_ALLOWED", 403, "Ce site n'est pas autorisé à intégrer le widget. Contactez la coordination de la CPTS."),
            new Api("API_KEY_IN_WEB_PAGE", 403, "Widget mal intégré : une clé d'API ne doit pas figurer dans une page. Contactez le responsable du site."),
            new Api("FORBIDDEN", 403, "Ce compte ne permet pas cette action."),
            new Api("ORIGIN_NOT_ALLOWED", 403, "Origine de demande non permise pour ce compte."),
            new Api("OUTCOME_UNKNOWN", 503, "Enregistrement non confirmé : réessayez la même action, elle ne sera pas faite deux fois."),
            new Api("REDIS_UNAVAILABLE", 503, "Le service est momentanément indisponible. Réessayez dans un instant."),
    };

    private Codes() {}

    static JsonObject all() {
        JsonObject codes = new JsonObject();
        for (Outcome o : Outcome.values()) {
            codes.put(o.name(), new JsonObject().put("status", o.status).put("done", o.done).put("message", o.message)
                    .put("fr", o.french));
        }
        for (Api a : API) codes.put(a.code(), new JsonObject().put("status", a.status()).put("done", false).put("fr", a.french()));
        return new JsonObject().put("codes", codes);
    }
}
