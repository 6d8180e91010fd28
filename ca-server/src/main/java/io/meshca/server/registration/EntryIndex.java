package io.meshca.server.registration;

import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.model.RegistrationEntry;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** The reads agent authorization needs: an entry by id, and the entries under given parents. */
public interface EntryIndex {

    Optional<RegistrationEntry> get(String id);

    /** Every entry whose parent is one of {@code parentIds}, ordered by id. */
    List<RegistrationEntry> listByParents(Collection<SpiffeId> parentIds);
}
