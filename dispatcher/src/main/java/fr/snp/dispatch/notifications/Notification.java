package fr.snp.dispatch.notifications;

import fr.snp.dispatch.domain.Effector;
import io.vertx.core.json.JsonObject;

/** One notification to an effector: the event, the JSON sent to the webhook, and a log line without patient data. */
public record Notification(String event, Effector effector, JsonObject payload, String logLine) {
}
