package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.booking.Appointment;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.domain.PracticeLocation;
import fr.snp.dispatch.domain.Refused;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.CompletionStage;

/**
 * The link a patient gets in their confirmation and reminder: no account, the signed link is the credential for
 * one appointment until it starts. A French page at /rdv/{token} shows the appointment and lets the patient cancel
 * it, after one confirmation step (a tap by mistake cancels nothing); the slot goes back to the pool, where a
 * waiting request can get it. JSON under /api/v1/patient-links/{token}.
 */
final class PatientLinkHandlers {
    private final Services s;

    PatientLinkHandlers(Services s) { this.s = s; }

    private String verify(RoutingContext ctx) {
        return FeedbackLinkHandlers.verified(s.feedbackLinks().patientLinks(), ctx, s.nowMs() / 1000);
    }

    /** The link is verified: the server reads the one appointment it names. */
    private CompletionStage<Appointment> read(String id) { return s.bookings().read(Principal.server(Ids.territoryOf(id)), id); }

    private CompletionStage<Appointment> cancel(String id) {
        return read(id).thenCompose(a -> s.bookings().cancel(Principal.patientLink(a.territory(), a.effectorId()), id, "PATIENT"))
                .thenApply(c -> c.appointment());
    }

    void getJson(RoutingContext ctx) {
        String id = verify(ctx);
        Http.reply(ctx, read(id).thenApply(a -> new Http.Reply(200, view(a))));
    }

    void cancelJson(RoutingContext ctx) {
        String id = verify(ctx);
        Http.reply(ctx, cancel(id).thenApply(a -> new Http.Reply(200, view(a))));
    }

    /** What the patient sees: no other patient data than what they already know, no id of the request. */
    private JsonObject view(Appointment a) {
        JsonObject j = Views.appointment(a, s.index().effector(a.effectorId()));
        j.remove("request");
        j.remove("effector");
        Effector e = s.index().effector(a.effectorId());
        if (e != null) j.put("doctor", new JsonObject().put("name", e.displayName()).put("phone", e.phone()));
        return j;
    }

    // --- the page ------------------------------------------------------------------------------------------------

    void page(RoutingContext ctx) {
        String id;
        try { id = verify(ctx); } catch (ApiError e) { html(ctx, e.status, refusal(e)); return; }
        Future.fromCompletionStage(read(id), ctx.vertx().getOrCreateContext()).onComplete(ar -> {
            if (ar.failed()) { html(ctx, 404, "<h1>Rendez-vous introuvable</h1>"); return; }
            Appointment a = ar.result();
            StringBuilder b = new StringBuilder("<h1>Votre rendez-vous médical</h1>").append(summary(a));
            if (!a.booked()) {
                b.append("<p class=ok role=status>Ce rendez-vous est annulé.</p>").append(STILL_NEED);
            } else {
                b.append("<p>Si vous ne pouvez pas venir, annulez-le : le médecin sera prévenu et le créneau rendu à un autre ")
                        .append("patient.</p><form method=post action=\"/rdv/").append(FeedbackLinkHandlers.esc(ctx.pathParam("token")))
                        .append("\"><button name=step value=confirm>Annuler ce rendez-vous</button></form>");
            }
            html(ctx, 200, b.toString());
        });
    }

    /** step=confirm: asks once more; step=cancel: cancels. */
    void pagePost(RoutingContext ctx) {
        String id;
        try { id = verify(ctx); } catch (ApiError e) { html(ctx, e.status, refusal(e)); return; }
        String step = ctx.request().getFormAttribute("step");
        String token = FeedbackLinkHandlers.esc(ctx.pathParam("token"));
        if (!"cancel".equals(step)) {
            Future.fromCompletionStage(read(id), ctx.vertx().getOrCreateContext()).onComplete(ar -> {
                if (ar.failed()) { html(ctx, 404, "<h1>Rendez-vous introuvable</h1>"); return; }
                html(ctx, 200, "<h1>Confirmer l'annulation</h1>" + summary(ar.result())
                        + "<p>Voulez-vous vraiment annuler ce rendez-vous ?</p><form method=post action=\"/rdv/" + token + "\">"
                        + "<button name=step value=cancel class=danger>Oui, annuler le rendez-vous</button></form>"
                        + "<p><a href=\"/rdv/" + token + "\">Non, je garde mon rendez-vous</a></p>");
            });
            return;
        }
        // a second tap (or a reload) on an appointment already cancelled says so rather than thanking again
        CompletionStage<Boolean> cancelled = read(id).thenCompose(a -> a.booked()
                ? cancel(id).thenApply(x -> true) : java.util.concurrent.CompletableFuture.completedFuture(false));
        Future.fromCompletionStage(cancelled, ctx.vertx().getOrCreateContext()).onComplete(ar -> {
            if (ar.succeeded() && !ar.result()) {
                html(ctx, 200, "<h1>Rendez-vous déjà annulé</h1><p class=ok role=status>Ce rendez-vous était déjà annulé.</p>" + STILL_NEED);
                return;
            }
            if (ar.succeeded()) {
                html(ctx, 200, "<h1>Rendez-vous annulé</h1><p class=ok role=status>Votre rendez-vous est annulé. Le médecin est "
                        + "prévenu. Merci de l'avoir signalé.</p>" + STILL_NEED);
                return;
            }
            Throwable c = ar.cause() instanceof java.util.concurrent.CompletionException ? ar.cause().getCause() : ar.cause();
            if (c instanceof Refused r) {
                html(ctx, r.outcome.status, "<h1>Annulation impossible</h1><p class=err role=alert>" + FeedbackLinkHandlers.esc(r.outcome.french) + "</p>");
            } else {
                html(ctx, 503, "<h1>Annulation impossible pour l'instant</h1><p class=err role=alert>L'annulation n'a pas pu être "
                        + "enregistrée. Réessayez dans un instant, ou appelez le cabinet.</p>");
            }
        });
    }

    private static final String STILL_NEED = "<p>Si vous avez toujours besoin d'un médecin, appelez le <strong>116 117</strong>. "
            + "En cas d'urgence vitale, appelez le <strong>15</strong>.</p>";

    private String summary(Appointment a) {
        Effector e = s.index().effector(a.effectorId());
        var start = Instant.ofEpochSecond(a.startSec()).atZone(s.planner().zone());
        String when = start.format(DateTimeFormatter.ofPattern("EEEE d MMMM yyyy 'à' HH'h'mm", Locale.FRENCH));
        StringBuilder b = new StringBuilder("<dl>");
        b.append("<dt>Quand</dt><dd>").append(FeedbackLinkHandlers.esc(when)).append("</dd>");
        if (e != null) b.append("<dt>Médecin</dt><dd>").append(FeedbackLinkHandlers.esc(e.displayName())).append("</dd>");
        switch (a.mode()) {
            case HH -> b.append("<dt>Où</dt><dd>Visite à domicile : le médecin vient chez vous. Gardez votre téléphone allumé.</dd>");
            case VR -> b.append("<dt>Comment</dt><dd>Téléconsultation : le médecin vous appelle à l'heure prévue, ou vous envoie "
                    + "un lien de vidéo.</dd>");
            default -> {
                PracticeLocation place = e == null ? null : e.location(a.location());
                if (place != null) {
                    b.append("<dt>Où</dt><dd>").append(FeedbackLinkHandlers.esc(place.name())).append("<br>")
                            .append(FeedbackLinkHandlers.esc(place.address()))
                            .append(place.accessible() ? "<br>Accessible en fauteuil roulant" : "").append("</dd>");
                }
                b.append("<dt>À apporter</dt><dd>Votre carte Vitale</dd>");
            }
        }
        if (e != null && e.phone() != null) b.append("<dt>Téléphone du cabinet</dt><dd>").append(FeedbackLinkHandlers.esc(e.phone())).append("</dd>");
        b.append("<dt>Référence</dt><dd>").append(FeedbackLinkHandlers.esc(a.reference())).append("</dd></dl>");
        return b.toString();
    }

    private static String refusal(ApiError e) {
        return e.code.equals("LINK_EXPIRED")
                ? "<h1>Lien expiré</h1><p class=err>Ce lien ne fonctionne plus : le rendez-vous a commencé ou est passé. " +
                  "Pour toute question, appelez le cabinet.</p>"
                : "<h1>Lien non valide</h1><p class=err>Ce lien n'est pas valide. Vérifiez qu'il est complet.</p>";
    }

    private static void html(RoutingContext ctx, int status, String body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-store").putHeader("Referrer-Policy", "no-referrer")
                .end("<!doctype html><html lang=fr><meta charset=utf-8><meta name=viewport content=\"width=device-width\">"
                        + "<title>Votre rendez-vous médical</title><link rel=icon href=\"/assets/favicon.svg\" type=\"image/svg+xml\">"
                        + "<style>*{box-sizing:border-box}body{font:1.1rem system-ui;max-width:34rem;margin:1rem auto;padding:0 1rem;"
                        + "color:#1b1b1b}button{display:block;width:100%;margin:.5rem 0;padding:.9rem;font-size:1.1rem}"
                        + ".danger{background:#9b1111;color:#fff;border:0;border-radius:.3rem}dt{font-weight:600;margin-top:.5rem}"
                        + "dd{margin:0}.ok{color:#05620f}.err{color:#9b1111}a{color:#0b4f9c}</style><main>" + body + "</main></html>");
    }
}
