package io.meshca.server.registration;

import io.meshca.common.error.NotFoundException;
import io.meshca.server.model.EntryFilter;
import io.meshca.server.model.RegistrationEntry;
import java.util.List;

/** Admin operations on entries: validate, then store. The stores take revisions; watchers get the change. */
public final class Registrar {

    private final EntryValidator validator;
    private final EntryStore entries;

    public Registrar(EntryValidator validator, EntryStore entries) {
        this.validator = validator;
        this.entries = entries;
    }

    public RegistrationEntry create(RegistrationEntry draft) {
        return entries.create(validator.validate(draft));
    }

    public RegistrationEntry get(String id) {
        return entries.get(id).orElseThrow(() -> new NotFoundException("no entry with id " + id));
    }

    public List<RegistrationEntry> list(EntryFilter filter, String afterId, int limit) {
        return entries.list(filter, afterId, limit);
    }

    /** How many entries match {@code filter}; the store counts them. */
    public long count(EntryFilter filter) {
        return entries.count(filter);
    }

    public RegistrationEntry update(RegistrationEntry entry) {
        return entries.update(validator.validate(entry));
    }

    public void delete(String id) {
        if (!entries.delete(id)) {
            throw new NotFoundException("no entry with id " + id);
        }
    }
}
