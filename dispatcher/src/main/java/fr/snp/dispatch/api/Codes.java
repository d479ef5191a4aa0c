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

    /**
     * The API's own refusals (input, access, HTTP): every code an ApiError carries is here, with its one status
     * (ContractTest checks the sources against this list, and the contract, openapi.yaml, against GET /api/v1/codes).
     */
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
            // the input's structure and values. Those with a field and no sentence: the right words depend on the field,
            // which only the page knows ("Vérifiez le champ « Initiales »"): the pages name it themselves
            new Api("INVALID_JSON", 400, "Données illisibles : le corps de la demande n'est pas du JSON valide."),
            new Api("MISSING_BODY", 400, "Données manquantes : la demande est vide."),
            new Api("MISSING_FIELD", 400, null),
            new Api("INVALID_FIELD", 400, null),
            new Api("INVALID_ENUM", 400, null),
            new Api("INVALID_ID", 400, null),
            new Api("INVALID_DATETIME", 400, null),
            new Api("INVALID_TIME", 400, null),
            new Api("INVALID_DURATION", 400, null),
            new Api("INVALID_EMAIL", 400, null),
            new Api("NOT_A_MOBILE", 400, null),
            new Api("INVALID_RPPS", 400, null),
            new Api("INVALID_FINESS", 400, null),
            new Api("INVALID_SIRET", 400, null),
            new Api("RADIUS_OUT_OF_RANGE", 400, null),
            new Api("WINDOW_TOO_LONG", 400, null),
            new Api("HORIZON_EXCEEDED", 400, null),
            new Api("SLOT_IN_PAST", 400, null),
            new Api("NO_SLOTS", 400, "Aucun créneau à publier."),
            new Api("TOO_MANY_SLOTS", 400, "Trop de créneaux en une fois : publiez-les en plusieurs envois."),
            new Api("IDEMPOTENCY_KEY_REQUIRED", 400, "En-tête Idempotency-Key manquant : il évite qu'une action répétée soit faite deux fois."),
            new Api("CONTACT_REQUIRED", 400, null),
            new Api("CONSENT_REQUIRED", 422, null),
            new Api("COMMUNE_TERRITORY_MISMATCH", 422, null),
            new Api("WEBHOOK_URL_REFUSED", 400, null),
            new Api("NO_WEBHOOK", 409, "Ce médecin n'a pas d'adresse de notification."),
            new Api("ORIGIN_NOT_REGISTERED", 400, "Ce site n'est pas enregistré pour le widget."),
            new Api("NO_REGISTERED_ORIGIN", 409, "Aucun site n'est enregistré pour ce compte : le widget ne peut pas s'ouvrir."),
            new Api("API_KEY_REQUIRED", 403, "Une clé d'API est nécessaire pour ouvrir une session du widget."),
            new Api("SIMULATION_DISABLED", 403, "L'horloge ne se règle qu'en mode simulation."),
            new Api("INVALID_LINK", 403, "Ce lien n'est pas valide."),
            new Api("LINK_EXPIRED", 410, "Ce lien a expiré. Contactez la coordination de la CPTS."),
            // HTTP itself
            new Api("NOT_FOUND", 404, "Adresse inconnue."),
            new Api("METHOD_NOT_ALLOWED", 405, "Action non permise à cette adresse."),
            new Api("BAD_REQUEST", 400, "Demande illisible."),
            new Api("MALFORMED_HTTP_REQUEST", 400, "Demande illisible."),
            new Api("PAYLOAD_TOO_LARGE", 413, "Envoi trop volumineux."),
            new Api("URI_TOO_LONG", 414, "Adresse trop longue."),
            new Api("HEADERS_TOO_LARGE", 431, "En-têtes trop volumineux."),
            new Api("INTERNAL_ERROR", 500, "Erreur du service. Réessayez ; si elle revient, contactez l'exploitation."),
    };

    private Codes() {}

    /** The status an API refusal's code answers with (400 for a code of no fixed status). */
    static int status(String code) {
        for (Api a : API) if (a.code().equals(code)) return a.status();
        return 400;
    }

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
