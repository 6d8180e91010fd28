package io.meshca.server.cli;

import io.meshca.server.CaServer;
import io.meshca.server.config.ServerConfig;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "run",
        footer = "meshca server run -config server.yaml",
        description = "Runs the server until SIGTERM or SIGINT.")
final class RunCommand implements Callable<Integer> {

    @Mixin
    ServerFlags flags;

    @Override
    public Integer call() throws Exception {
        ServerConfig cfg = flags.buildConfig();
        CaServer server = CaServer.start(cfg);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close();
                            stopped.countDown();
                        },
                        "meshca-shutdown"));
        server.awaitTermination();
        stopped.await();
        return 0;
    }
}
