package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.Principal;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Recording an effector's answer: a cancellation before the slot starts first frees the slot (cancel.lua), then
 * feedback.lua records the answer and counts it. Shared by the API and, later, the signed feedback link.
 */
final class FeedbackFlow {
    private FeedbackFlow() {}

    static CompletionStage<JsonObject> answer(Services s, Principal p, String appointmentId, String answer, String comment) {
        long now = s.nowMs();
        return s.appointments().get(appointmentId).thenCompose(a -> {
            AppointmentHandlers.mustSee(p, a);
            CompletionStage<?> before = CompletableFuture.completedFuture(null);
            boolean early = Long.parseLong(a.get("s")) * 1000 > now;
            if (answer.equals("cancelled") && early && "booked".equals(a.get("st"))) {
                before = s.slots().cancel(appointmentId, a.get("slot"), a.get("req"), now, "PATIENT", p.id());
            }
            return before.thenCompose(x -> s.slots().feedback(appointmentId, a.get("slot"), answer, now, comment, p.id()));
        }).thenApply(r -> {
            if (!r.ok() && !"ALREADY_ANSWERED".equals(r.code())) throw ScriptCodes.error(r.code());
            if (r.ok()) s.metrics().feedback(answer);
            return Views.appointment(r.appointment(), s.index().effector(r.appointment().get("e")));
        });
    }
}
