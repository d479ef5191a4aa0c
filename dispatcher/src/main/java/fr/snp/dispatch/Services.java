package fr.snp.dispatch;

import fr.snp.dispatch.auth.People;
import fr.snp.dispatch.auth.TokenStore;
import fr.snp.dispatch.availability.AvailabilityPlanner;
import fr.snp.dispatch.booking.Bookings;
import fr.snp.dispatch.booking.FeedbackFollowUp;
import fr.snp.dispatch.booking.Publishing;
import fr.snp.dispatch.config.Settings;
import fr.snp.dispatch.coordination.DoctorRequests;
import fr.snp.dispatch.directory.EffectorStore;
import fr.snp.dispatch.domain.ServerClock;
import fr.snp.dispatch.geo.CommuneDirectory;
import fr.snp.dispatch.live.LiveFeed;
import fr.snp.dispatch.matching.SlotIndex;
import fr.snp.dispatch.metrics.Metrics;
import fr.snp.dispatch.audit.AuditTrail;
import fr.snp.dispatch.notifications.SignedLinks;
import fr.snp.dispatch.notifications.WebhookPolicy;
import fr.snp.dispatch.messages.PatientMessages;
import fr.snp.dispatch.waiting.WaitingList;
import fr.snp.dispatch.notifications.Outbox;
import fr.snp.dispatch.redis.RedisHealth;
import fr.snp.dispatch.requests.Requests;
import fr.snp.dispatch.stats.StatsReader;

/**
 * Everything the handlers use, built once in {@link Dispatcher}: the use cases (which own their Redis scripts),
 * the read models and the directories. No raw Redis connection: only stores talk to Redis.
 */
public record Services(Settings settings, ServerClock clock, SlotIndex index, Bookings bookings, Publishing publishing,
                       Requests requests, DoctorRequests doctorRequests, EffectorStore effectors, TokenStore tokens,
                       CommuneDirectory communes, AvailabilityPlanner planner, StatsReader stats,
                       SignedLinks feedbackLinks, LiveFeed live, Outbox outbox, RedisHealth health, Metrics metrics,
                       FeedbackFollowUp followUp, PatientMessages patientMessages, WaitingList waiting,
                       WebhookPolicy webhooks, AuditTrail audit, People people,
                       fr.snp.dispatch.limits.WriteLimits writeLimits, fr.snp.dispatch.sas.SasOutbox sasOutbox,
                       fr.snp.dispatch.sas.RegulatorAccounts regulators, fr.snp.dispatch.sync.IndexChecks indexChecks) {

    public long nowMs() { return clock.nowMs(); }
}
