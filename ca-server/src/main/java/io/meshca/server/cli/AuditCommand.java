package io.meshca.server.cli;

import io.meshca.server.audit.AuditChain;
import io.meshca.server.config.ServerConfig;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.model.AuditRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "audit",
        footer = "meshca server audit verify -dataDir .data/server",
        description = "The audit log.",
        subcommands = AuditCommand.Verify.class)
final class AuditCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: verify");
    }

    @Command(
            name = "verify",
            footer = "meshca server audit verify -dataDir .data/server",
            description = "Checks the audit log's hash chain in the server's SQLite data dir, or in the"
                    + " database of -databaseUrl.")
    static final class Verify implements Callable<Integer> {

        @Option(names = "-dataDir", paramLabel = "dir", description = "The server's data dir (default .data/server).")
        Path dataDir = ServerConfig.DEFAULT_DATA_DIR;

        @Option(
                names = "-databaseUrl",
                paramLabel = "url",
                description = "The JDBC URL of the server's database (PostgreSQL), as in its config; default:"
                        + " SQLite in -dataDir.")
        String databaseUrl;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (databaseUrl == null && !Files.exists(dataDir.resolve(DataStore.SQLITE_FILE))) {
                spec.commandLine().getErr().println("no datastore in " + dataDir);
                return 1;
            }
            try (DataStore store = databaseUrl == null
                    ? DataStore.sqlite(dataDir, Clock.systemUTC())
                    : DataStore.open(databaseUrl, Clock.systemUTC())) {
                AuditRecord prev = null;
                long count = 0;
                while (true) {
                    List<AuditRecord> page = store.audit().read(prev == null ? 0 : prev.seq(), 1000);
                    if (page.isEmpty()) {
                        break;
                    }
                    String problem = AuditChain.verify(prev, page);
                    if (problem != null) {
                        spec.commandLine().getErr().println("audit log is NOT intact: " + problem);
                        return 1;
                    }
                    prev = page.get(page.size() - 1);
                    count += page.size();
                }
                spec.commandLine().getOut().println("audit log intact: " + count + " rows");
                return 0;
            }
        }
    }
}
