package fr.snp.dispatch.domain;

/**
 * Every answer a state change can give, in one place: the code the Lua scripts return (and the API shows), the HTTP
 * status, whether it counts as done (a success, or an idempotent repeat of one: "already cancelled" is not an
 * error), the label of the booking metric, and the sentences a caller reads — English in the API, French on the
 * pages (served to the console and the widget from this enum, GET /api/v1/codes).
 */
public enum Outcome {
    // --- done ---------------------------------------------------------------------------------------------------
    OK(200, true, "booked", "done", "C'est fait."),
    REPLAY(200, true, "idempotent_replay", "the same Idempotency-Key was used before: the first answer stands",
            "Demande déjà traitée : voici le résultat."),
    ALREADY_CANCELLED(200, true, "refused", "the appointment was already cancelled", "Ce rendez-vous était déjà annulé."),
    ALREADY_ANSWERED(200, true, "refused", "the same feedback was already given", "Cette réponse était déjà enregistrée."),
    ALREADY_SET(200, true, "refused", "the same outcome was already recorded", "Cette issue était déjà enregistrée."),
    ALREADY_WITHDRAWN(200, true, "refused", "the slot was already withdrawn", "Ce créneau était déjà retiré."),
    SLOT_EXISTS(200, true, "refused", "the slot was already published", "Ce créneau était déjà publié."),
    NOT_DUE(200, true, "refused", "nothing to release yet", "Rien à libérer pour l'instant."),
    ALREADY_WAITING(200, true, "refused", "the request was already on the waiting list", "Cet appel était déjà en liste d'attente."),
    NOT_WAITING(200, true, "refused", "the request was not on the waiting list", "Cet appel n'était pas en liste d'attente."),
    ALREADY_CLOSED(200, true, "refused", "the appointment was already closed without feedback",
            "Ce rendez-vous était déjà clos sans retour."),
    REMINDER_RECENT(200, true, "refused", "a reminder was sent a short while ago: this one is not sent again",
            "Une relance vient déjà d'être envoyée à ce médecin : elle n'est pas renvoyée."),

    // --- not found (ids of other tenants are not confirmed to exist) ---------------------------------------------
    SLOT_NOT_FOUND(404, false, "refused", "no such slot", "Ce créneau n'existe plus."),
    REQUEST_NOT_FOUND(404, false, "refused", "no such request (or not one of yours)", "Demande introuvable."),
    APPOINTMENT_NOT_FOUND(404, false, "refused", "no such appointment (or not one of yours)", "Rendez-vous introuvable."),
    EFFECTOR_NOT_FOUND(404, false, "refused", "no such effector (or not one of yours)", "Médecin introuvable."),
    DOCTOR_REQUEST_NOT_FOUND(404, false, "refused", "no such doctor request (or not one of yours)",
            "Demande de médecin traitant introuvable."),
    HOLD_NOT_FOUND(404, false, "refused", "no such hold on this slot (it may have expired)", "Cette option n'existe plus."),
    CPTS_NOT_FOUND(404, false, "refused", "no such CPTS in this territory (or not one of yours)", "CPTS introuvable."),

    // --- tenancy ------------------------------------------------------------------------------------------------
    TERRITORY_NOT_SERVED(403, false, "refused", "this territory is not one you serve",
            "Ce territoire n'est pas desservi par votre compte."),
    OUTSIDE_TERRITORY(422, false, "refused", "the patient lives outside the territories you serve",
            "Le patient habite hors du territoire desservi : orientez-le vers le SAS de son département."),
    NOT_YOUR_EFFECTOR(403, false, "refused", "this effector is not one you manage", "Ce médecin n'est pas géré par votre compte."),
    TERRITORY_MISMATCH(409, false, "refused", "the slot and the request belong to different territories",
            "Ce créneau et cette demande ne sont pas du même territoire."),

    // --- slot conflicts -----------------------------------------------------------------------------------------
    SLOT_BOOKED(409, false, "conflict", "the slot is already booked", "Ce créneau vient d'être pris par quelqu'un d'autre."),
    SLOT_HELD(409, false, "conflict", "the slot is held by another caller", "Ce créneau vient d'être pris par quelqu'un d'autre."),
    HOLD_EXPIRED(409, false, "expired_hold", "your hold on the slot has expired; hold it again or pick another",
            "L'option a expiré (2 minutes) : posez-en une nouvelle ou choisissez un autre créneau."),
    SLOT_WITHDRAWN(409, false, "conflict", "the effector withdrew this slot", "Le médecin a retiré ce créneau."),
    SLOT_STARTED(409, false, "conflict", "the slot has already started", "Ce créneau a déjà commencé."),
    SLOT_NOT_VISIBLE(403, false, "refused", "this slot is reserved to another audience", "Ce créneau est réservé à d'autres demandeurs."),
    SUPERNUMERARY_NOT_ACCEPTED(409, false, "refused", "this effector does not accept consultations outside their published slots",
            "Ce médecin n'accepte pas de patient en plus de ses créneaux publiés."),
    SUPERNUMERARY_CAP_REACHED(409, false, "conflict", "the effector reached the day's cap of consultations outside their slots",
            "Ce médecin a déjà reçu ce jour le nombre de patients en plus qu'il accepte."),
    SUPERNUMERARY_SLOT_EXISTS(409, false, "conflict", "the effector has a slot at this time: book that slot",
            "Ce médecin a déjà un créneau à cette heure : réservez ce créneau."),
    EFFECTOR_CAP_REACHED(409, false, "conflict", "the effector reached the weekly cap of SAS consultations",
            "Ce médecin a atteint son plafond hebdomadaire de consultations SAS."),

    // --- limits: nobody floods or hoards (429, with Retry-After) --------------------------------------------------
    TOO_MANY_HOLDS(429, false, "refused", "you hold as many slots as allowed at once: book or give one back, or wait "
            + "for the oldest to end", "Vous avez déjà le nombre maximal d'options en cours : réservez ou libérez-en "
            + "une, ou attendez que la plus ancienne expire."),
    TOO_MANY_STREAMS(429, false, "refused", "this account has as many live connections open as allowed: close one "
            + "(another tab or window) first", "Trop de fenêtres suivent le direct avec ce compte : fermez-en une "
            + "(autre onglet ou fenêtre) puis rechargez la page."),
    RATE_LIMITED(429, false, "refused", "too many requests from this account in a short time: retry shortly",
            "Trop de demandes en peu de temps depuis ce compte : réessayez dans un instant."),

    // --- request and appointment states -------------------------------------------------------------------------
    REQUEST_ALREADY_BOOKED(409, false, "conflict", "the request already has an appointment", "Cette demande a déjà un rendez-vous."),
    REQUEST_CLOSED(409, false, "conflict", "the request is closed with an outcome", "Cette demande est close."),
    WINDOW_PASSED(409, false, "refused", "the request's time window has passed: file a new request if the patient still needs one",
            "Le délai souhaité pour ce patient est dépassé : faites une nouvelle demande s'il a toujours besoin d'un médecin."),
    IDEMPOTENCY_KEY_REUSED(422, false, "conflict", "this Idempotency-Key was used for another booking",
            "Cette réservation a déjà servi pour un autre créneau."),
    APPOINTMENT_NOT_CANCELLABLE(409, false, "refused", "the appointment is no longer booked", "Ce rendez-vous n'est plus annulable."),
    APPOINTMENT_CANCELLED(409, false, "refused", "the appointment was cancelled", "Ce rendez-vous a été annulé."),
    OUTCOME_ALREADY_SET(409, false, "refused", "the request already has another outcome", "Une autre issue est déjà enregistrée."),
    EFFECTOR_EXISTS(409, false, "refused", "an effector with this RPPS already exists", "Ce médecin est déjà inscrit."),
    FEEDBACK_CONFLICT(409, false, "refused", "feedback was already given with another answer; the first one stands",
            "Une autre réponse a déjà été donnée pour ce rendez-vous ; elle est conservée."),
    FEEDBACK_TOO_EARLY(409, false, "refused", "only a cancellation may be reported before the slot starts",
            "Le rendez-vous n'a pas encore commencé : seule une annulation peut être signalée."),
    NOT_AWAITING_FEEDBACK(409, false, "refused", "the appointment is not awaiting feedback (not over yet, answered, "
            + "cancelled or closed)", "Ce rendez-vous n'attend pas de retour (pas encore passé, déjà renseigné, annulé ou clos)."),
    NOTHING_TO_UNDO(409, false, "refused", "there is no answer of yours to undo on this appointment",
            "Il n'y a pas de réponse de votre part à annuler pour ce rendez-vous."),
    UNDO_WINDOW_PASSED(409, false, "refused", "the answer was given too long ago to be undone",
            "Le délai pour annuler cette réponse est passé. Si elle est erronée, contactez la coordination de la CPTS."),
    UNDO_NOT_POSSIBLE(409, false, "refused", "this answer cancelled the appointment and gave its slot back to other "
            + "patients: it cannot be undone", "Cette réponse a annulé le rendez-vous et rendu le créneau aux autres "
            + "patients : elle ne peut pas être annulée. Contactez la coordination de la CPTS si besoin.");

    public final int status;
    /** A success, or the idempotent repeat of one: the caller's intent is fulfilled. */
    public final boolean done;
    /** Label of dispatch_bookings_total{result}. */
    public final String metric;
    public final String message;
    public final String french;

    Outcome(int status, boolean done, String metric, String message, String french) {
        this.status = status;
        this.done = done;
        this.metric = metric;
        this.message = message;
        this.french = french;
    }

    /** The outcome a script returned; an unknown code is a programming error (500), never a silent success. */
    public static Outcome of(String code) {
        try {
            return valueOf(code);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalStateException("unknown script outcome " + code);
        }
    }
}
