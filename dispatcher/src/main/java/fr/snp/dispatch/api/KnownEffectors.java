package fr.snp.dispatch.api;

import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.directory.EffectorStore;
import fr.snp.dispatch.matching.SlotIndex;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Any instance serves any call (behind a load balancer the next call of a coordinator may land elsewhere): an effector
 * another instance registered a moment ago is not yet in this instance's index, which learns of it from the change
 * stream within milliseconds. Before a route's handler looks effectors up in the index, those the call names (path
 * id, {@code effectorId}, {@code slotId}, a batch's {@code slots[].effectorId}) and the index lacks are read from Redis
 * (one HGET each, only on a miss: nothing is read for the effectors already known). A read that fails leaves the
 * handler to answer as it would have (404, or 503 when Redis is away).
 */
final class KnownEffectors {
    /** An effector id ("36-E17") or a slot id ("36-E17-t3k9m0"), whose effector is its first two parts. */
    private static final Pattern EFFECTOR = Pattern.compile("([0-9]{2,3}|2[AB])-E[0-9]+");
    private static final Pattern SLOT = Pattern.compile("(([0-9]{2,3}|2[AB])-E[0-9]+)-[0-9a-z]+");
    /** More than a batch's worth of ids is not a call to help: the handler refuses it anyway. */
    private static final int MAX = 100;

    private final SlotIndex index;
    private final EffectorStore store;

    KnownEffectors(SlotIndex index, EffectorStore store) {
        this.index = index;
        this.store = store;
    }

    void ensure(RoutingContext ctx) {
        Set<String> wanted = new TreeSet<>();
        name(wanted, ctx.pathParam("id"));
        JsonObject body = body(ctx);
        if (body != null) {
            name(wanted, body.getValue("effectorId"));
            name(wanted, body.getValue("slotId"));
            if (body.getValue("slots") instanceof JsonArray slots) {
                for (int i = 0; i < Math.min(slots.size(), MAX); i++) {
                    if (slots.getValue(i) instanceof JsonObject s) name(wanted, s.getValue("effectorId"));
                }
            }
        }
        List<Future<?>> reads = new ArrayList<>();
        for (String id : wanted) {
            if (index.effector(id) != null || reads.size() >= MAX) continue;
            // on this request's context: the route goes on on its event loop, not on Redis' I/O thread
            reads.add(Future.fromCompletionStage(store.load(Ids.territoryOf(id), id), ctx.vertx().getOrCreateContext()));
        }
        if (reads.isEmpty()) {
            ctx.next();
            return;
        }
        Future.join(reads).onComplete(done -> ctx.next());
    }

    private static void name(Set<String> wanted, Object value) {
        if (!(value instanceof String s) || s.length() > 80) return;
        if (EFFECTOR.matcher(s).matches()) {
            wanted.add(s);
        } else {
            var m = SLOT.matcher(s);
            if (m.matches()) wanted.add(m.group(1));
        }
    }

    private static JsonObject body(RoutingContext ctx) {
        if (Input.noBody(ctx)) return null;
        try {
            return ctx.body().asJsonObject();
        } catch (RuntimeException notAnObject) {
            return null; // the handler refuses it with its own message
        }
    }
}
