package io.meshca.server.ca;

import io.meshca.server.model.AuthorityStatus;
import io.meshca.server.model.SlottedAuthority;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Reading a slot journal, the same for X.509 CAs and JWT keys. */
public final class SlotViews {

    private static final List<AuthorityStatus> SHOW_ORDER =
            List.of(AuthorityStatus.PREPARED, AuthorityStatus.ACTIVE, AuthorityStatus.OLD);

    private SlotViews() {}

    /** The authorities still valid at {@code now}: PREPARED, ACTIVE, then OLD ones newest first. */
    public static <A extends SlottedAuthority> List<A> inShowOrder(List<A> journal, Instant now) {
        List<A> out = new ArrayList<>();
        for (AuthorityStatus status : SHOW_ORDER) {
            for (int i = journal.size() - 1; i >= 0; i--) {
                A a = journal.get(i);
                if (a.status() == status && a.notAfter().isAfter(now)) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    /** The newest slot (journal order) in {@code status} whose authority is still valid at {@code now}. */
    public static <S> Optional<S> newest(
            List<S> slots, Function<S, ? extends SlottedAuthority> stored, AuthorityStatus status, Instant now) {
        for (int i = slots.size() - 1; i >= 0; i--) {
            SlottedAuthority a = stored.apply(slots.get(i));
            if (a.status() == status && a.notAfter().isAfter(now)) {
                return Optional.of(slots.get(i));
            }
        }
        return Optional.empty();
    }

    /** The OLD authorities that expired by {@code now}: what they signed has expired too. */
    public static <A extends SlottedAuthority> List<A> expiredOld(List<A> journal, Instant now) {
        return journal.stream()
                .filter(a -> a.status() == AuthorityStatus.OLD && !a.notAfter().isAfter(now))
                .toList();
    }

    /** The authority named {@code id} among those still valid, or the refusal that names it unknown. */
    public static <A extends SlottedAuthority> A find(String kind, List<A> journal, Instant now, String id) {
        for (A a : inShowOrder(journal, now)) {
            if (a.authorityId().equals(id)) {
                return a;
            }
        }
        throw SlotRules.unknown(kind, id);
    }
}
