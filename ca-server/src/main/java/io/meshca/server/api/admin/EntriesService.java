package io.meshca.server.api.admin;

import io.grpc.stub.StreamObserver;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.proto.server.v1.CountEntriesRequest;
import io.meshca.proto.server.v1.CountResponse;
import io.meshca.proto.server.v1.CreateEntryRequest;
import io.meshca.proto.server.v1.DeleteEntryRequest;
import io.meshca.proto.server.v1.DeleteEntryResponse;
import io.meshca.proto.server.v1.EntriesGrpc;
import io.meshca.proto.server.v1.Entry;
import io.meshca.proto.server.v1.GetEntryRequest;
import io.meshca.proto.server.v1.ListEntriesRequest;
import io.meshca.proto.server.v1.ListEntriesResponse;
import io.meshca.proto.server.v1.Selector;
import io.meshca.proto.server.v1.UpdateEntryRequest;
import io.meshca.server.api.convert.EntryProtos;
import io.meshca.server.api.convert.SelectorProtos;
import io.meshca.server.api.convert.SpiffeIdProtos;
import io.meshca.server.api.convert.TrustDomainProtos;
import io.meshca.server.model.EntryFilter;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.registration.Registrar;
import java.util.List;
import java.util.stream.Collectors;

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
        if (!request.getEntry().getId().isEmpty() || request.getEntry().getRevision() != 0) {
            throw new InvalidArgumentException("id and revision are assigned by the server and must be empty");
        }
        out.onNext(EntryProtos.toProto(registrar.create(EntryProtos.fromProto(request.getEntry()))));
        out.onCompleted();
    }

    @Override
    public void getEntry(GetEntryRequest request, StreamObserver<Entry> out) {
        out.onNext(EntryProtos.toProto(registrar.get(request.getId())));
        out.onCompleted();
    }

    @Override
    public void listEntries(ListEntriesRequest request, StreamObserver<ListEntriesResponse> out) {
        EntryFilter filter = filter(
                request.getBySpiffeId(),
                request.getByParentId(),
                request.getBySelectorsList(),
                request.getByFederatesWithList(),
                request.getByHint());
        int size = pageSize(request.getPageSize());
        List<RegistrationEntry> page = registrar.list(filter, request.getPageToken(), size);
        ListEntriesResponse.Builder b = ListEntriesResponse.newBuilder();
        page.forEach(e -> b.addEntries(EntryProtos.toProto(e)));
        if (page.size() == size) {
            b.setNextPageToken(page.get(page.size() - 1).id());
        }
        out.onNext(b.build());
        out.onCompleted();
    }

    @Override
    public void updateEntry(UpdateEntryRequest request, StreamObserver<Entry> out) {
        if (request.getEntry().getId().isEmpty()) {
            throw new InvalidArgumentException("entry id is required to update an entry");
        }
        out.onNext(EntryProtos.toProto(registrar.update(EntryProtos.fromProto(request.getEntry()))));
        out.onCompleted();
    }

    @Override
    public void deleteEntry(DeleteEntryRequest request, StreamObserver<DeleteEntryResponse> out) {
        if (request.getId().isEmpty()) {
            throw new InvalidArgumentException("entry id is required");
        }
        registrar.delete(request.getId());
        out.onNext(DeleteEntryResponse.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void countEntries(CountEntriesRequest request, StreamObserver<CountResponse> out) {
        EntryFilter filter = filter(
                request.getBySpiffeId(),
                request.getByParentId(),
                request.getBySelectorsList(),
                request.getByFederatesWithList(),
                request.getByHint());
        out.onNext(CountResponse.newBuilder().setCount(registrar.count(filter)).build());
        out.onCompleted();
    }

    /** The filters of a list or count request; empty fields do not filter. */
    private static EntryFilter filter(
            String spiffeId, String parentId, List<Selector> selectors, List<String> federatesWith, String hint) {
        return new EntryFilter(
                spiffeId.isEmpty() ? null : SpiffeIdProtos.fromProto("by_spiffe_id", spiffeId),
                parentId.isEmpty() ? null : SpiffeIdProtos.fromProto("by_parent_id", parentId),
                selectors.isEmpty() ? null : SelectorProtos.fromProto(selectors),
                federatesWith.stream().map(TrustDomainProtos::fromProto).collect(Collectors.toSet()),
                hint.isEmpty() ? null : hint);
    }

    static int pageSize(int requested) {
        if (requested < 0) {
            throw new InvalidArgumentException("page_size cannot be negative");
        }
        return requested == 0 ? DEFAULT_PAGE : Math.min(requested, MAX_PAGE);
    }
}
