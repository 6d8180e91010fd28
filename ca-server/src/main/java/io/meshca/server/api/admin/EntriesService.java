package io.meshca.server.api.admin;

import io.grpc.stub.StreamObserver;
import io.meshca.common.error.GrpcErrors;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.proto.server.v1.CreateEntryRequest;
import io.meshca.proto.server.v1.DeleteEntryRequest;
import io.meshca.proto.server.v1.DeleteEntryResponse;
import io.meshca.proto.server.v1.EntriesGrpc;
import io.meshca.proto.server.v1.Entry;
import io.meshca.proto.server.v1.GetEntryRequest;
import io.meshca.proto.server.v1.ListEntriesRequest;
import io.meshca.proto.server.v1.ListEntriesResponse;
import io.meshca.proto.server.v1.UpdateEntryRequest;
import io.meshca.server.api.convert.Protos;
import io.meshca.server.model.EntryFilter;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.registration.Registrar;
import java.util.List;

/** Admin: registration entries. */
public final class EntriesService extends EntriesGrpc.EntriesImplBase {

    static final int DEFAULT_PAGE = 500;
    static final int MAX_PAGE = 5000;

    private final Registrar registrar;

    public EntriesService(Registrar registrar) {
        this.registrar = registrar;
    }

    @Override
    public void createEntry(CreateEntryRequest request, StreamObserver<Entry> out) {
        try {
            if (!request.getEntry().getId().isEmpty() || request.getEntry().getRevision() != 0) {
                throw new InvalidArgumentException("id and revision are assigned by the server and must be empty");
            }
            out.onNext(Protos.entry(registrar.create(Protos.entry(request.getEntry()))));
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
        }
    }

    @Override
    public void getEntry(GetEntryRequest request, StreamObserver<Entry> out) {
        try {
            out.onNext(Protos.entry(registrar.get(request.getId())));
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
        }
    }

    @Override
    public void listEntries(ListEntriesRequest request, StreamObserver<ListEntriesResponse> out) {
        try {
            EntryFilter filter = new EntryFilter(
                    request.getBySpiffeId().isEmpty() ? null : Protos.spiffeId("by_spiffe_id", request.getBySpiffeId()),
                    request.getByParentId().isEmpty() ? null : Protos.spiffeId("by_parent_id", request.getByParentId()),
                    request.getBySelectorsCount() == 0 ? null : Protos.selectors(request.getBySelectorsList()));
            int size = pageSize(request.getPageSize());
            List<RegistrationEntry> page = registrar.list(filter, request.getPageToken(), size);
            ListEntriesResponse.Builder b = ListEntriesResponse.newBuilder();
            page.forEach(e -> b.addEntries(Protos.entry(e)));
            if (page.size() == size) {
                b.setNextPageToken(page.get(page.size() - 1).id());
            }
            out.onNext(b.build());
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
        }
    }

    @Override
    public void updateEntry(UpdateEntryRequest request, StreamObserver<Entry> out) {
        try {
            if (request.getEntry().getId().isEmpty()) {
                throw new InvalidArgumentException("entry id is required to update an entry");
            }
            out.onNext(Protos.entry(registrar.update(Protos.entry(request.getEntry()))));
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
        }
    }

    @Override
    public void deleteEntry(DeleteEntryRequest request, StreamObserver<DeleteEntryResponse> out) {
        try {
            if (request.getId().isEmpty()) {
                throw new InvalidArgumentException("entry id is required");
            }
            registrar.delete(request.getId());
            out.onNext(DeleteEntryResponse.getDefaultInstance());
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
        }
    }

    static int pageSize(int requested) {
        if (requested < 0) {
            throw new InvalidArgumentException("page_size cannot be negative");
        }
        return requested == 0 ? DEFAULT_PAGE : Math.min(requested, MAX_PAGE);
    }
}
