package io.meshca.server.cli;

import io.grpc.ManagedChannel;
import io.meshca.common.config.Durations;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.proto.server.v1.CountEntriesRequest;
import io.meshca.proto.server.v1.CreateEntryRequest;
import io.meshca.proto.server.v1.DeleteEntryRequest;
import io.meshca.proto.server.v1.EntriesGrpc;
import io.meshca.proto.server.v1.Entry;
import io.meshca.proto.server.v1.GetEntryRequest;
import io.meshca.proto.server.v1.ListEntriesRequest;
import io.meshca.proto.server.v1.ListEntriesResponse;
import io.meshca.proto.server.v1.UpdateEntryRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "entry",
        footer = "meshca server entry show -spiffeID spiffe://example.org/web",
        description = "Registration entries.",
        subcommands = {
            EntryCommand.Create.class,
            EntryCommand.Show.class,
            EntryCommand.Update.class,
            EntryCommand.Delete.class,
            EntryCommand.Count.class
        })
final class EntryCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "missing subcommand: create, show, update, delete or count");
    }

    /** The entry fields shared by create and update. */
    static class EntryFields {
        @Option(
                names = "-parentID",
                paramLabel = "id",
                required = true,
                description = "SPIFFE ID of the parent (an agent or node alias).")
        SpiffeId parentId;

        @Option(names = "-spiffeID", paramLabel = "id", required = true, description = "SPIFFE ID the workload gets.")
        SpiffeId spiffeId;

        @Option(
                names = "-selector",
                paramLabel = "type:value",
                required = true,
                description = "A selector (repeatable).")
        List<Selector> selectors = new ArrayList<>();

        @Option(
                names = "-x509SVIDTTL",
                paramLabel = "duration",
                converter = Durations.NonNegative.class,
                description = "X509-SVID TTL: 3600, 90s, 1h... (bare numbers are seconds; default: the server's).")
        Duration x509SvidTtl = Duration.ZERO;

        @Option(
                names = "-jwtSVIDTTL",
                paramLabel = "duration",
                converter = Durations.NonNegative.class,
                description = "JWT-SVID TTL: 300, 90s, 5m... (bare numbers are seconds; default: the server's).")
        Duration jwtSvidTtl = Duration.ZERO;

        @Option(
                names = "-dns",
                paramLabel = "name",
                description = "A DNS SAN (repeatable); the first is also the subject CN.")
        List<String> dnsNames = new ArrayList<>();

        @Option(
                names = "-federatesWith",
                paramLabel = "td",
                description = "A trust domain whose bundle the workload also gets (repeatable).")
        List<String> federatesWith = new ArrayList<>();

        @Option(
                names = "-hint",
                paramLabel = "hint",
                description = "A hint telling this identity apart from others of the workload.")
        String hint = "";

        @Option(names = "-admin", description = "The workload is an admin.")
        boolean admin;

        @Option(names = "-downstream", description = "The entry is for a downstream CA.")
        boolean downstream;

        @Option(
                names = "-entryExpiry",
                paramLabel = "unix seconds",
                description = "When the entry stops being served (default: never).")
        long expiresAt;

        Entry.Builder toProto(CommandLine.Model.CommandSpec spec) {
            if (expiresAt < 0) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "-entryExpiry must be seconds since 1970, got " + expiresAt
                                + "; leave it out for an entry that never expires");
            }
            Entry.Builder b = Entry.newBuilder()
                    .setParentId(parentId.toString())
                    .setSpiffeId(spiffeId.toString())
                    .setX509SvidTtl(AdminCommand.seconds(spec, "-x509SVIDTTL", x509SvidTtl))
                    .setJwtSvidTtl(AdminCommand.seconds(spec, "-jwtSVIDTTL", jwtSvidTtl))
                    .addAllDnsNames(dnsNames)
                    .addAllFederatesWith(federatesWith)
                    .setHint(hint)
                    .setAdmin(admin)
                    .setDownstream(downstream)
                    .setExpiresAt(expiresAt);
            return b.addAllSelectors(toProto(selectors));
        }

        static List<io.meshca.proto.server.v1.Selector> toProto(List<Selector> selectors) {
            return selectors.stream()
                    .map(s -> io.meshca.proto.server.v1.Selector.newBuilder()
                            .setType(s.type())
                            .setValue(s.value())
                            .build())
                    .toList();
        }
    }

    @Command(
            name = "create",
            footer =
                    "meshca server entry create -parentID spiffe://example.org/host/node-1 -spiffeID spiffe://example.org/web -selector unix:uid:1000",
            description = "Creates a registration entry.")
    static final class Create extends AdminCommand {
        @CommandLine.Mixin
        EntryFields fields;

        @Option(names = "-output", paramLabel = "format", description = "pretty (default) or json.")
        String output = "pretty";

        @Override
        int call(ManagedChannel channel) {
            EntryOutput.checkFormat(spec, output);
            Entry created = withDeadline(EntriesGrpc.newBlockingStub(channel))
                    .createEntry(CreateEntryRequest.newBuilder()
                            .setEntry(fields.toProto(spec))
                            .build());
            EntryOutput.print(out(), List.of(created), output, true);
            return 0;
        }
    }

    @Command(
            name = "update",
            footer =
                    "meshca server entry update -entryID 2c6e8a0e-5d1b-4f7e-9b43-1f3c2d4e5a6b -parentID spiffe://example.org/host/node-1 -spiffeID spiffe://example.org/web -selector unix:uid:1001",
            description = "Replaces an entry (every field is set from the flags).")
    static final class Update extends AdminCommand {
        @Option(names = "-entryID", paramLabel = "id", required = true, description = "The entry to update.")
        String entryId;

        @CommandLine.Mixin
        EntryFields fields;

        @Option(names = "-output", paramLabel = "format", description = "pretty (default) or json.")
        String output = "pretty";

        @Override
        int call(ManagedChannel channel) {
            EntryOutput.checkFormat(spec, output);
            Entry updated = withDeadline(EntriesGrpc.newBlockingStub(channel))
                    .updateEntry(UpdateEntryRequest.newBuilder()
                            .setEntry(fields.toProto(spec).setId(entryId))
                            .build());
            EntryOutput.print(out(), List.of(updated), output, true);
            return 0;
        }
    }

    @Command(
            name = "show",
            footer = "meshca server entry show -selector unix:uid:1000 -output json",
            description = "Shows entries (a table by default).")
    static final class Show extends AdminCommand {
        @Option(names = "-entryID", paramLabel = "id", description = "Only this entry.")
        String entryId;

        @CommandLine.Mixin
        Filters filters;

        @Option(names = "-output", paramLabel = "format", description = "table (default) or json.")
        String output = "table";

        @Override
        int call(ManagedChannel channel) {
            EntryOutput.checkFormat(spec, output);
            var stub = withDeadline(EntriesGrpc.newBlockingStub(channel));
            List<Entry> entries = new ArrayList<>();
            if (entryId != null) {
                entries.add(stub.getEntry(
                        GetEntryRequest.newBuilder().setId(entryId).build()));
            } else {
                ListEntriesRequest.Builder request = filters.toListRequest();
                String token = "";
                do {
                    ListEntriesResponse page =
                            stub.listEntries(request.setPageToken(token).build());
                    entries.addAll(page.getEntriesList());
                    token = page.getNextPageToken();
                } while (!token.isEmpty());
            }
            EntryOutput.print(out(), entries, output, false);
            return 0;
        }
    }

    @Command(
            name = "count",
            footer = "meshca server entry count -parentID spiffe://example.org/host/node-1",
            description = "Counts the entries that match the filters (all entries without any).")
    static final class Count extends AdminCommand {
        @CommandLine.Mixin
        Filters filters;

        @Option(names = "-output", paramLabel = "format", description = Output.DESCRIPTION)
        String output = Output.PRETTY;

        @Override
        int call(ManagedChannel channel) {
            boolean json = Output.json(spec, output);
            long count = withDeadline(EntriesGrpc.newBlockingStub(channel))
                    .countEntries(filters.toCountRequest())
                    .getCount();
            Output.count(out(), json, count, "registration entry", "registration entries");
            return 0;
        }
    }

    /** The filters of show and count; all given ones must match. */
    static class Filters {
        @Option(names = "-spiffeID", paramLabel = "id", description = "Only entries with this SPIFFE ID.")
        SpiffeId spiffeId;

        @Option(names = "-parentID", paramLabel = "id", description = "Only entries with this parent.")
        SpiffeId parentId;

        @Option(
                names = "-selector",
                paramLabel = "type:value",
                description = "Only entries having this selector (repeatable: all of them).")
        List<Selector> selectors = new ArrayList<>();

        @Option(
                names = "-federatesWith",
                paramLabel = "td",
                description = "Only entries federating with this trust domain (repeatable: all of them).")
        List<String> federatesWith = new ArrayList<>();

        @Option(names = "-hint", paramLabel = "hint", description = "Only entries with this hint.")
        String hint;

        ListEntriesRequest.Builder toListRequest() {
            ListEntriesRequest.Builder request = ListEntriesRequest.newBuilder()
                    .addAllBySelectors(EntryFields.toProto(selectors))
                    .addAllByFederatesWith(federatesWith);
            if (spiffeId != null) {
                request.setBySpiffeId(spiffeId.toString());
            }
            if (parentId != null) {
                request.setByParentId(parentId.toString());
            }
            if (hint != null) {
                request.setByHint(hint);
            }
            return request;
        }

        CountEntriesRequest toCountRequest() {
            ListEntriesRequest list = toListRequest().build();
            return CountEntriesRequest.newBuilder()
                    .setBySpiffeId(list.getBySpiffeId())
                    .setByParentId(list.getByParentId())
                    .addAllBySelectors(list.getBySelectorsList())
                    .addAllByFederatesWith(list.getByFederatesWithList())
                    .setByHint(list.getByHint())
                    .build();
        }
    }

    @Command(
            name = "delete",
            footer = "meshca server entry delete -entryID 2c6e8a0e-5d1b-4f7e-9b43-1f3c2d4e5a6b",
            description = "Deletes an entry; its SVIDs are no longer renewed.")
    static final class Delete extends AdminCommand {
        @Option(names = "-entryID", paramLabel = "id", required = true, description = "The entry to delete.")
        String entryId;

        @Override
        int call(ManagedChannel channel) {
            withDeadline(EntriesGrpc.newBlockingStub(channel))
                    .deleteEntry(DeleteEntryRequest.newBuilder().setId(entryId).build());
            out().println("Deleted entry with ID: " + entryId);
            return 0;
        }
    }
}
