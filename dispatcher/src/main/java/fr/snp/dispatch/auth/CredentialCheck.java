package fr.snp.dispatch.auth;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Tells which of many credentials still hold, and what each now stands for, from Redis and never from the stores'
 * caches: what the live feed asks every few seconds about its open streams (a stream outlives the 5 s caches that
 * bound how long a revoked credential still opens new requests). Each kind's store answers for all of that kind's
 * credentials in one batch, and the kinds are asked at once, so a check costs a round trip or two whatever the
 * number of streams.
 */
public final class CredentialCheck {

    /** The store of one kind of credential. */
    public interface Store {
        Credential.Kind kind();

        /**
         * The principal each credential (by its hash) stands for now, read from Redis without a cache; one that was
         * revoked, has expired or ended, or whose person left the roster, is absent. A few batched reads for all.
         */
        CompletionStage<Map<String, Principal>> current(Collection<String> hashes);
    }

    private final Map<Credential.Kind, Store> stores = new EnumMap<>(Credential.Kind.class);

    public CredentialCheck(Store... stores) {
        for (Store s : stores) this.stores.put(s.kind(), s);
        for (Credential.Kind k : Credential.Kind.values()) {
            // a kind nobody checks would keep its streams open for ever: refuse to start instead
            if (!this.stores.containsKey(k)) throw new IllegalArgumentException("no store checks credentials of kind " + k);
        }
    }

    /** What each credential stands for now; a credential that no longer holds is absent. */
    public CompletionStage<Map<Credential, Principal>> current(Collection<Credential> credentials) {
        Map<Credential.Kind, List<String>> byKind = new EnumMap<>(Credential.Kind.class);
        for (Credential c : credentials) byKind.computeIfAbsent(c.kind(), k -> new ArrayList<>()).add(c.hash());
        Map<Credential, Principal> out = new HashMap<>();
        List<CompletableFuture<Void>> asked = new ArrayList<>();
        byKind.forEach((kind, hashes) -> asked.add(stores.get(kind).current(hashes).toCompletableFuture().thenAccept(found -> {
            synchronized (out) { found.forEach((hash, p) -> out.put(new Credential(kind, hash), p)); }
        })));
        return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).thenApply(done -> {
            synchronized (out) { return Map.copyOf(out); }
        });
    }
}
