package fr.snp.dispatch;

import fr.snp.dispatch.auth.TokenStore;
import fr.snp.dispatch.availability.AvailabilityPlanner;
import fr.snp.dispatch.booking.AppointmentStore;
import fr.snp.dispatch.booking.SlotCommands;
import fr.snp.dispatch.config.Settings;
import fr.snp.dispatch.directory.EffectorStore;
import fr.snp.dispatch.geo.CommuneDirectory;
import fr.snp.dispatch.live.LiveFeed;
import fr.snp.dispatch.metrics.Metrics;
import fr.snp.dispatch.matching.Matcher;
import fr.snp.dispatch.notifications.FeedbackLinks;
import fr.snp.dispatch.matching.SlotIndex;
import fr.snp.dispatch.requests.RequestStore;
import fr.snp.dispatch.stats.StatsReader;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.time.Clock;

/** Everything the handlers use, built once in {@link Dispatcher}. */
public record Services(Settings settings, Clock clock, RedisAsyncCommands<String, String> redis, SlotIndex index,
                       Matcher matcher, SlotCommands slots, EffectorStore effectors, RequestStore requests,
                       AppointmentStore appointments, TokenStore tokens, CommuneDirectory communes,
                       AvailabilityPlanner planner, StatsReader stats, FeedbackLinks feedbackLinks,
                       LiveFeed live, Metrics metrics) {

    public long nowMs() { return clock.millis(); }
}
