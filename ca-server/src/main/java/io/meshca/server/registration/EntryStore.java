package io.meshca.server.registration;

import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.model.EntryFilter;
import io.meshca.server.model.RegistrationEntry;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Registration entries. Every write takes a new revision and records it in the change log. */
public interface EntryStore extends EntryIndex {

    /** The start of the refusal of an entry equal to another in parent ID, SPIFFE ID and selectors. */
    String DUPLICATE = "an entry with this parent ID, SPIFFE ID and selectors already exists: ";

    /**
     * Stores a validated draft with a new random id; returns the stored entry (id, revision, createdAt set).
     *
     * @throws io.meshca.common.error.AlreadyExistsException ({@link #DUPLICATE} and the existing entry's
     *     id) if an entry has the same parent ID, SPIFFE ID and selector set, also when it was created
     *     concurrently by another server on the same database
     */
    RegistrationEntry create(RegistrationEntry draft);

    @Override
    Optional<RegistrationEntry> get(String id);

    /** The entries with these ids that exist (in no particular order). */
    List<RegistrationEntry> getAll(Collection<String> ids);

    /**
     * One page of entries ordered by id, starting after {@code afterId} ("" for the first page),
     * filtered by the given optional criteria.
     */
    List<RegistrationEntry> list(EntryFilter filter, String afterId, int limit);

    /** How many entries match {@code filter}, counted by the database without listing them. */
    long count(EntryFilter filter);

    @Override
    List<RegistrationEntry> listByParents(Collection<SpiffeId> parentIds);

    /**
     * Replaces the stored entry with the same id.
     *
     * @throws io.meshca.common.error.NotFoundException if there is none
     * @throws io.meshca.common.error.AlreadyExistsException as {@link #create} if the new parent ID, SPIFFE
     *     ID and selectors are those of another entry
     */
    RegistrationEntry update(RegistrationEntry entry);

    /** Deletes the entry; false if there was none. */
    boolean delete(String id);
}
