package io.meshca.server.cli;

import io.grpc.ManagedChannel;
import io.meshca.common.config.Durations;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.proto.server.v1.AgentInfo;
import io.meshca.proto.server.v1.AgentsGrpc;
import io.meshca.proto.server.v1.BanAgentRequest;
import io.meshca.proto.server.v1.CountAgentsRequest;
import io.meshca.proto.server.v1.EvictAgentRequest;
import io.meshca.proto.server.v1.GetAgentRequest;
import io.meshca.proto.server.v1.ListAgentsRequest;
import io.meshca.proto.server.v1.ListAgentsResponse;
import io.meshca.proto.server.v1.PurgeAgentsRequest;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "agent",
        footer = "meshca server agent list",
        description = "Attested agents.",
        subcommands = {
            AgentCommand.ListAgents.class,
            AgentCommand.Show.class,
            AgentCommand.Evict.class,
            AgentCommand.Ban.class,
            AgentCommand.Count.class,
            AgentCommand.Purge.class
        })
final class AgentCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "missing subcommand: list, show, evict, ban, count or purge");
    }

    static void print(PrintWriter out, AgentInfo a) {
        out.println("SPIFFE ID         : " + a.getSpiffeId());
        out.println("Attestation type  : " + a.getAttestationType());
        out.println("Expiration time   : " + Instant.ofEpochSecond(a.getX509SvidExpiresAt()));
        out.println("Serial number     : " + a.getX509SvidSerial());
        out.println("Banned            : " + a.getBanned());
        List<String> sels = new ArrayList<>();
        a.getSelectorsList().forEach(s -> sels.add(s.getType() + ":" + s.getValue()));
        out.println("Selectors         : " + String.join(",", sels));
        out.println();
    }

    @Command(name = "list", footer = "meshca server agent list -output json", description = "Lists attested agents.")
    static final class ListAgents extends AdminCommand {
        @Option(names = "-output", paramLabel = "format", description = Output.DESCRIPTION)
        String output = Output.PRETTY;

        @Override
        int call(ManagedChannel channel) {
            boolean json = Output.json(spec, output);
            var stub = withDeadline(AgentsGrpc.newBlockingStub(channel));
            List<AgentInfo> agents = new ArrayList<>();
            String token = "";
            do {
                ListAgentsResponse page = stub.listAgents(
                        ListAgentsRequest.newBuilder().setPageToken(token).build());
                agents.addAll(page.getAgentsList());
                token = page.getNextPageToken();
            } while (!token.isEmpty());
            if (json) {
                Output.messages(out(), "agents", agents);
                return 0;
            }
            out().println("Found " + agents.size() + (agents.size() == 1 ? " attested agent:" : " attested agents:"));
            out().println();
            agents.forEach(a -> print(out(), a));
            out().flush();
            return 0;
        }
    }

    @Command(
            name = "show",
            footer =
                    "meshca server agent show -spiffeID spiffe://example.org/meshca/agent/join_token/4b3c8e1a-7f2d-4e6b-9a1c-2d3e4f5a6b7c",
            description = "Shows one agent.")
    static final class Show extends AdminCommand {
        @Option(names = "-spiffeID", paramLabel = "id", required = true, description = "The agent's SPIFFE ID.")
        SpiffeId spiffeId;

        @Option(names = "-output", paramLabel = "format", description = Output.DESCRIPTION)
        String output = Output.PRETTY;

        @Override
        int call(ManagedChannel channel) {
            boolean json = Output.json(spec, output);
            AgentInfo agent = withDeadline(AgentsGrpc.newBlockingStub(channel))
                    .getAgent(GetAgentRequest.newBuilder()
                            .setSpiffeId(spiffeId.toString())
                            .build());
            if (json) {
                Output.message(out(), agent);
                return 0;
            }
            print(out(), agent);
            out().flush();
            return 0;
        }
    }

    @Command(name = "count", footer = "meshca server agent count -output json", description = "Counts attested agents.")
    static final class Count extends AdminCommand {
        @Option(names = "-output", paramLabel = "format", description = Output.DESCRIPTION)
        String output = Output.PRETTY;

        @Override
        int call(ManagedChannel channel) {
            boolean json = Output.json(spec, output);
            long count = withDeadline(AgentsGrpc.newBlockingStub(channel))
                    .countAgents(CountAgentsRequest.getDefaultInstance())
                    .getCount();
            Output.count(out(), json, count, "attested agent", "attested agents");
            return 0;
        }
    }

    @Command(
            name = "purge",
            footer = "meshca server agent purge -expiredFor 720h -dryRun",
            description = "Forgets (evicts) the agents whose agent SVID expired more than -expiredFor ago.")
    static final class Purge extends AdminCommand {
        @Option(
                names = "-expiredFor",
                paramLabel = "duration",
                defaultValue = "720h",
                converter = Durations.Positive.class,
                description =
                        "How long ago the agent SVID must have expired: 720h, 30d... (bare numbers are seconds; default ${DEFAULT-VALUE}, as in SPIRE).")
        Duration expiredFor;

        @Option(names = "-dryRun", description = "Only list the agents that would be purged.")
        boolean dryRun;

        @Option(names = "-output", paramLabel = "format", description = Output.DESCRIPTION)
        String output = Output.PRETTY;

        @Override
        int call(ManagedChannel channel) {
            boolean json = Output.json(spec, output);
            List<AgentInfo> agents = withDeadline(AgentsGrpc.newBlockingStub(channel))
                    .purgeAgents(PurgeAgentsRequest.newBuilder()
                            .setExpiredForSeconds(seconds(spec, "-expiredFor", expiredFor))
                            .setDryRun(dryRun)
                            .build())
                    .getAgentsList();
            if (json) {
                Output.print(
                        out(),
                        Map.of(
                                "dry_run",
                                dryRun,
                                "agents",
                                agents.stream().map(AgentInfo::getSpiffeId).toList()));
                return 0;
            }
            if (agents.isEmpty()) {
                out().println("No agents expired more than " + Durations.format(expiredFor) + " ago");
            } else {
                out().println((dryRun ? "Would purge " : "Purged ") + agents.size()
                        + (agents.size() == 1 ? " agent" : " agents") + " expired more than "
                        + Durations.format(expiredFor) + " ago:");
                agents.forEach(a -> out().println("  " + a.getSpiffeId() + " (expired "
                        + Instant.ofEpochSecond(a.getX509SvidExpiresAt()) + ")"));
            }
            out().flush();
            return 0;
        }
    }

    @Command(
            name = "evict",
            footer =
                    "meshca server agent evict -spiffeID spiffe://example.org/meshca/agent/join_token/4b3c8e1a-7f2d-4e6b-9a1c-2d3e4f5a6b7c",
            description = "Forgets an agent: it must attest again with a new token.")
    static final class Evict extends AdminCommand {
        @Option(names = "-spiffeID", paramLabel = "id", required = true, description = "The agent's SPIFFE ID.")
        SpiffeId spiffeId;

        @Override
        int call(ManagedChannel channel) {
            withDeadline(AgentsGrpc.newBlockingStub(channel))
                    .evictAgent(EvictAgentRequest.newBuilder()
                            .setSpiffeId(spiffeId.toString())
                            .build());
            out().println("Agent evicted successfully");
            return 0;
        }
    }

    @Command(
            name = "ban",
            footer =
                    "meshca server agent ban -spiffeID spiffe://example.org/meshca/agent/join_token/4b3c8e1a-7f2d-4e6b-9a1c-2d3e4f5a6b7c",
            description = "Bans an agent: no renewal, watch or signing any more.")
    static final class Ban extends AdminCommand {
        @Option(names = "-spiffeID", paramLabel = "id", required = true, description = "The agent's SPIFFE ID.")
        SpiffeId spiffeId;

        @Override
        int call(ManagedChannel channel) {
            withDeadline(AgentsGrpc.newBlockingStub(channel))
                    .banAgent(BanAgentRequest.newBuilder()
                            .setSpiffeId(spiffeId.toString())
                            .build());
            out().println("Agent banned successfully");
            return 0;
        }
    }
}
