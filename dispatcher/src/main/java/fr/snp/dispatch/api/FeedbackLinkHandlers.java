package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.booking.Appointment;
import fr.snp.dispatch.booking.Feedback;
import fr.snp.dispatch.domain.Refused;
import fr.snp.dispatch.notifications.SignedLinks;
import io.vertx.core.json.JsonArray;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The signed feedback link a doctor gets with each notification: no account, the link is the credential for one
 * appointment until it expires. JSON under /api/v1/feedback/{token}; a small French page at /feedback/{token}
 * (the full page comes with the web issue). An answer given through the link may be taken back for
 * feedback.undoMinutes ({token}/undo).
 */
final class FeedbackLinkHandlers {
    private static final Map<String, String> LABELS = Map.of("seen", "Patient vu", "no-show", "Patient absent",
            "cancelled-by-patient", "Annulé par le patient", "reoriented", "Patient réorienté (ex. urgences)");

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    private final Services s;

    FeedbackLinkHandlers(Services s) { this.s = s; }

    private String verify(RoutingContext ctx) { return verified(s.feedbackLinks(), ctx, s.nowMs() / 1000); }

    /**
     * The appointment id of the request's signed link ({@code :token}), checked with {@code links}: 403
     * INVALID_LINK when malformed or altered, 410 LINK_EXPIRED when too old. The doctors' and the patients' pages.
     */
    static String verified(SignedLinks links, RoutingContext ctx, long nowSec) {
        try {
            String id = links.verify(ctx.pathParam("token"), nowSec);
            if (!Ids.isWellFormed(id)) throw new ApiError(403, "INVALID_LINK", "this link is not valid", null);
            return id;
        } catch (SignedLinks.Refused r) {
            throw new ApiError(r.code.equals("LINK_EXPIRED") ? 410 : 403, r.code, r.getMessage(), null);
        }
    }

    /** The link is verified: the server reads the appointment it names (nothing else) for the page. */
    private CompletionStage<JsonObject> view(String id) {
        Principal server = Principal.server(Ids.territoryOf(id));
        return s.bookings().read(server, id).thenCompose(a -> s.requests().read(server, a.requestId())
                .handle((request, expired) -> {
                    // the request may have expired (retention): the page then shows no patient
                    JsonObject patient = new JsonObject();
                    if (request != null) {
                        patient.put("initials", request.patient().initials()).put("birthYear", request.patient().birthYear());
                    }
                    JsonArray answers = new JsonArray();
                    for (Feedback.Answer x : Feedback.Answer.values()) answers.add(x.wire);
                    // the answer given through this link may be taken back for a few minutes
                    return new JsonObject().put("appointment", withUndo(a)).put("patient", patient).put("answers", answers);
                }));
    }

    /** What the link speaks for: the appointment's effector, in its territory. */
    private static Principal linkOf(Appointment a) { return Principal.feedbackLink(a.territory(), a.effectorId()); }

    /** The answer, given as the appointment's effector (the link speaks for them, for this appointment only). */
    private CompletionStage<Appointment> answer(String id, String given, String comment) {
        Feedback.Answer answer = AppointmentHandlers.answer(given);
        if (comment != null && comment.length() > 200) throw Input.invalid("comment", "is longer than 200 characters");
        String t = Ids.territoryOf(id);
        return s.bookings().read(Principal.server(t), id)
                .thenCompose(a -> s.bookings().answer(linkOf(a), id, answer, comment));
    }

    /** Takes back the answer given through this link, within the undo window (feedback.undoMinutes). */
    private CompletionStage<Appointment> undo(String id) {
        return s.bookings().read(Principal.server(Ids.territoryOf(id)), id)
                .thenCompose(a -> s.followUp().undo(linkOf(a), id));
    }

    void getJson(RoutingContext ctx) {
        String id = verify(ctx);
        Http.reply(ctx, view(id).thenApply(v -> new Http.Reply(200, v)));
    }

    /** The appointment answered, with until when the answer may be taken back ("undo"). */
    void postJson(RoutingContext ctx) {
        String id = verify(ctx);
        JsonObject body = Input.object(ctx);
        Http.reply(ctx, answer(id, Input.string(body, "answer"), Input.string(body, "comment"))
                .thenApply(a -> new Http.Reply(200, withUndo(a))));
    }

    /** POST /api/v1/feedback/{token}/undo: the answer taken back, the appointment awaiting feedback again. */
    void undoJson(RoutingContext ctx) {
        String id = verify(ctx);
        Http.reply(ctx, undo(id).thenApply(a -> new Http.Reply(200, withUndo(a))));
    }

    /** The appointment's view, with "undo": {until, remainingSeconds} while the link may take its answer back. */
    private JsonObject withUndo(Appointment a) {
        JsonObject v = Views.appointment(a, s.index().effector(a.effectorId()));
        Long until = s.followUp().undoableUntilMs(linkOf(a), a);
        if (until != null) {
            v.put("undo", new JsonObject().put("until", Views.local(until, s.planner().zone()))
                    .put("remainingSeconds", (until - s.nowMs() + 999) / 1000));
        }
        return v;
    }

    // --- the page ------------------------------------------------------------------------------------------------

    void page(RoutingContext ctx) {
        String id;
        try { id = verify(ctx); } catch (ApiError e) { html(ctx, e.status, refusal(e)); return; }
        Future.fromCompletionStage(view(id), ctx.vertx().getOrCreateContext()).onComplete(ar -> {
            if (ar.failed()) { html(ctx, 404, "<p>Ce rendez-vous est introuvable.</p>"); return; }
            html(ctx, 200, form(ctx.pathParam("token"), ar.result(), s.nowMs()));
        });
    }

    void pagePost(RoutingContext ctx) {
        String id;
        try { id = verify(ctx); } catch (ApiError e) { html(ctx, e.status, refusal(e)); return; }
        String given = ctx.request().getFormAttribute("answer");
        String comment = ctx.request().getFormAttribute("comment");
        CompletionStage<Appointment> done;
        try {
            done = answer(id, given == null ? "" : given, comment == null || comment.isBlank() ? null : comment.strip());
        } catch (ApiError e) {
            html(ctx, 400, "<p>Réponse non reconnue. Choisissez une des réponses proposées.</p>");
            return;
        }
        String token = ctx.pathParam("token");
        Future.fromCompletionStage(done, ctx.vertx().getOrCreateContext()).onComplete(ar -> {
            if (ar.failed()) { refused(ctx, ar.cause(), token); return; }
            JsonObject v = withUndo(ar.result());
            StringBuilder b = new StringBuilder("<p class=ok role=status>Merci, votre réponse est enregistrée : <strong>")
                    .append(esc(LABELS.get(given))).append("</strong>.</p>");
            if (v.containsKey("undo")) b.append(undoForm(token, v.getJsonObject("undo")));
            else if ("cancelled-by-patient".equals(given)) b.append("<p>Le créneau a été rendu aux autres patients.</p>");
            html(ctx, 200, b.toString());
        });
    }

    /** POST /feedback/{token}/undo: "Annuler ma réponse", then the appointment's page again, awaiting an answer. */
    void pageUndo(RoutingContext ctx) {
        String id;
        try { id = verify(ctx); } catch (ApiError e) { html(ctx, e.status, refusal(e)); return; }
        String token = ctx.pathParam("token");
        Future.fromCompletionStage(undo(id).thenCompose(a -> view(id)), ctx.vertx().getOrCreateContext()).onComplete(ar -> {
            if (ar.failed()) { refused(ctx, ar.cause(), token); return; }
            html(ctx, 200, "<p class=ok role=status>Votre réponse a été annulée : ce rendez-vous attend de nouveau votre "
                    + "retour.</p>" + form(token, ar.result(), s.nowMs()));
        });
    }

    /** A refused answer or undo: the refusal's French sentence (domain/Outcome.java), and the way back to the page. */
    private static void refused(RoutingContext ctx, Throwable error, String token) {
        Throwable c = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
        String back = "<p><a href=\"/feedback/" + esc(token) + "\">Revenir au rendez-vous</a></p>";
        if (c instanceof Refused r) {
            html(ctx, r.outcome.status, "<p class=err role=alert>" + esc(r.outcome.french) + "</p>" + back);
        } else {
            html(ctx, 503, "<p class=err role=alert>La réponse n'a pas pu être enregistrée. Réessayez dans un instant.</p>" + back);
        }
    }

    /**
     * "Annuler ma réponse" while the answer may be taken back: the deadline in Paris time, and the time left, counted
     * down in the page from what the server says is left (the phone's clock may be wrong).
     */
    private static String undoForm(String token, JsonObject undo) {
        String until = OffsetDateTime.parse(undo.getString("until")).format(DateTimeFormatter.ofPattern("HH'h'mm", Locale.FRENCH));
        long left = undo.getLong("remainingSeconds");
        return "<form method=post class=undo action=\"/feedback/" + esc(token) + "/undo\" data-remaining=\"" + left + "\">"
                + "<p>Une erreur ? Vous pouvez annuler cette réponse jusqu'à <strong>" + until + "</strong> (heure de Paris), "
                + "<span class=left>encore " + minutes(left) + "</span>.</p>"
                + "<button class=secondary>Annuler ma réponse</button></form>"
                // the countdown is a file: the Content-Security-Policy allows no inline script
                + "<script src=\"/assets/feedback-undo.js\" defer></script>";
    }

    private static String minutes(long seconds) { return seconds / 60 + " min " + String.format("%02d", seconds % 60) + " s"; }

    private static String refusal(ApiError e) {
        return e.code.equals("LINK_EXPIRED") ? "<p class=err>Ce lien a expiré. Contactez la coordination de la CPTS.</p>"
                : "<p class=err>Ce lien n'est pas valide.</p>";
    }

    private static String form(String token, JsonObject v, long nowMs) {
        JsonObject a = v.getJsonObject("appointment");
        JsonObject place = a.getJsonObject("place");
        // Paris time, whatever offset the slot was published with
        ZonedDateTime start = OffsetDateTime.parse(a.getJsonObject("slot").getString("start")).atZoneSameInstant(PARIS);
        String when = start.format(DateTimeFormatter.ofPattern("EEEE d MMMM yyyy 'à' HH'h'mm", Locale.FRENCH));
        JsonObject p = v.getJsonObject("patient");
        StringBuilder b = new StringBuilder("<p>Rendez-vous du <strong>")
                .append(esc(when)).append("</strong>");
        if (place != null) b.append(", ").append(esc(place.getString("name")));
        b.append("<br>Patient : ").append(esc(String.valueOf(p.getString("initials"))))
                .append(p.getInteger("birthYear") == null ? "" : ", né(e) en " + p.getInteger("birthYear")).append("</p>");
        if (a.containsKey("feedback")) {
            b.append("<p class=ok>Réponse déjà donnée : <strong>")
                    .append(esc(LABELS.getOrDefault(a.getJsonObject("feedback").getString("answer"), ""))).append("</strong>.</p>");
            if (a.containsKey("undo")) b.append(undoForm(token, a.getJsonObject("undo")));
            return b.toString();
        }
        if ("cancelled".equals(a.getString("status"))) {
            b.append("<p>Ce rendez-vous a été annulé : il n'y a rien à indiquer.</p>");
            return b.toString();
        }
        // before the start only a cancellation makes sense; whether the patient came is told afterwards
        boolean before = start.toInstant().toEpochMilli() > nowMs;
        if (before) {
            b.append("<p>Le rendez-vous n'a pas encore eu lieu : vous pourrez indiquer s'il a été honoré après ")
                    .append(esc(start.format(DateTimeFormatter.ofPattern("HH'h'mm", Locale.FRENCH))))
                    .append(", avec ce même lien. Si le patient a prévenu qu'il ne viendra pas, signalez-le ici : ")
                    .append("le créneau sera rendu aux autres patients.</p>");
        }
        if ("closed".equals(a.getString("status"))) {
            b.append("<p>La coordination a clos ce rendez-vous sans votre retour ; vous pouvez encore indiquer ce qu'il en a été.</p>");
        }
        b.append("<form method=post action=\"/feedback/").append(esc(token)).append("\">")
                .append("<label>Commentaire (facultatif, sans donnée de santé)<input name=comment maxlength=200></label>");
        String[] answers = before ? new String[]{"cancelled-by-patient"} : new String[]{"seen", "no-show", "cancelled-by-patient", "reoriented"};
        for (String answer : answers) {
            b.append("<button name=answer value=\"").append(answer).append("\">").append(esc(LABELS.get(answer))).append("</button>");
        }
        b.append("</form>");
        return b.toString();
    }

    private static void html(RoutingContext ctx, int status, String body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-store").putHeader("Referrer-Policy", "no-referrer")
                .end("<!doctype html><html lang=fr><meta charset=utf-8><meta name=viewport content=\"width=device-width\">"
                        + "<title>Retour de rendez-vous</title><link rel=icon href=\"/assets/favicon.svg\" type=\"image/svg+xml\"><style>*{box-sizing:border-box}body{font:1.1rem system-ui;max-width:34rem;margin:1rem auto;"
                        + "padding:0 1rem}button{display:block;width:100%;margin:.5rem 0;padding:.9rem;font-size:1.1rem}"
                        + "input{width:100%;padding:.6rem}.ok{color:#05620f}.err{color:#9b1111}h1{font-size:1.4rem}"
                        + "button.secondary{background:#fff;color:#1d4e89;border:2px solid #1d4e89;border-radius:4px}"
                        + "button:disabled{color:#555;border-color:#767676}</style><main>"
                        // every answer of the page, the thanks and the refusals too, under the same heading
                        + "<h1>Retour sur un rendez-vous de soins non programmés</h1>" + body + "</main></html>");
    }

    static String esc(String s) {
        if (s == null) return "";
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }
}
