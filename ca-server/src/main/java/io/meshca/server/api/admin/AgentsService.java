package io.meshca.server.api.admin;

import io.grpc.stub.StreamObserver;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.proto.server.v1.AgentInfo;
import io.meshca.proto.server.v1.AgentsGrpc;
import io.meshca.proto.server.v1.BanAgentRequest;
import io.meshca.proto.server.v1.BanAgentResponse;
import io.meshca.proto.server.v1.CountAgentsRequest;
import io.meshca.proto.server.v1.CountResponse;
import io.meshca.proto.server.v1.EvictAgentRequest;
import io.meshca.proto.server.v1.EvictAgentResponse;
import io.meshca.proto.server.v1.GetAgentRequest;
import io.meshca.proto.server.v1.ListAgentsRequest;
import io.meshca.proto.server.v1.ListAgentsResponse;
import io.meshca.proto.server.v1.PurgeAgentsRequest;
import io.meshca.proto.server.v1.PurgeAgentsResponse;
import io.meshca.server.agents.AgentManager;
import io.meshca.server.api.convert.AgentProtos;
import io.meshca.server.api.convert.SpiffeIdProtos;
import io.meshca.server.model.AgentRecord;
import java.time.Duration;
import java.util.List;

/** Admin: attested agents. */
public final class AgentsService extends AgentsGrpc.AgentsImplBase {

    private static final String ACTOR = "admin:local";

    private final AgentManager agents;

    public AgentsService(AgentManager agents) {
        this.agents = agents;
    }

    @Override
    public void listAgents(ListAgentsRequest request, StreamObserver<ListAgentsResponse> out) {
        int size = EntriesService.pageSize(request.getPageSize());
        List<AgentRecord> page = agents.list(request.getPageToken(), size);
        ListAgentsResponse.Builder b = ListAgentsResponse.newBuilder();
        page.forEach(a -> b.addAgents(AgentProtos.toProto(a)));
        if (page.size() == size) {
            b.setNextPageToken(page.get(page.size() - 1).spiffeId().toString());
        }
        out.onNext(b.build());
        out.onCompleted();
    }

    @Override
    public void getAgent(GetAgentRequest request, StreamObserver<AgentInfo> out) {
        out.onNext(AgentProtos.toProto(agents.get(SpiffeIdProtos.fromProto("spiffe_id", request.getSpiffeId()))));
        out.onCompleted();
    }

    @Override
    public void countAgents(CountAgentsRequest request, StreamObserver<CountResponse> out) {
        out.onNext(CountResponse.newBuilder().setCount(agents.count()).build());
        out.onCompleted();
    }

    @Override
    public void purgeAgents(PurgeAgentsRequest request, StreamObserver<PurgeAgentsResponse> out) {
        if (request.getExpiredForSeconds() <= 0) {
            throw new InvalidArgumentException(
                    "expired_for_seconds must be positive, got " + request.getExpiredForSeconds());
        }
        List<AgentRecord> purged =
                agents.purge(Duration.ofSeconds(request.getExpiredForSeconds()), request.getDryRun(), ACTOR);
        PurgeAgentsResponse.Builder b = PurgeAgentsResponse.newBuilder();
        purged.forEach(a -> b.addAgents(AgentProtos.toProto(a)));
        out.onNext(b.build());
        out.onCompleted();
    }

    @Override
    public void evictAgent(EvictAgentRequest request, StreamObserver<EvictAgentResponse> out) {
        agents.evict(SpiffeIdProtos.fromProto("spiffe_id", request.getSpiffeId()), ACTOR);
        out.onNext(EvictAgentResponse.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void banAgent(BanAgentRequest request, StreamObserver<BanAgentResponse> out) {
        agents.ban(SpiffeIdProtos.fromProto("spiffe_id", request.getSpiffeId()), ACTOR);
        out.onNext(BanAgentResponse.getDefaultInstance());
        out.onCompleted();
    }
}
