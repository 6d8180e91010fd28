package io.meshca.server.api.admin;

import io.grpc.stub.StreamObserver;
import io.meshca.proto.server.v1.GetLoggerRequest;
import io.meshca.proto.server.v1.LoggerGrpc;
import io.meshca.proto.server.v1.LoggerState;
import io.meshca.proto.server.v1.SetLogLevelRequest;
import io.meshca.server.logging.RootLogLevel;

/** Admin: the running server's root log level. Changes are audited by the admin audit interceptor. */
public final class LoggerService extends LoggerGrpc.LoggerImplBase {

    private final RootLogLevel level;

    public LoggerService(RootLogLevel level) {
        this.level = level;
    }

    @Override
    public void getLogger(GetLoggerRequest request, StreamObserver<LoggerState> out) {
        out.onNext(state());
        out.onCompleted();
    }

    @Override
    public void setLogLevel(SetLogLevelRequest request, StreamObserver<LoggerState> out) {
        level.set(request.getLevel());
        out.onNext(state());
        out.onCompleted();
    }

    private LoggerState state() {
        return LoggerState.newBuilder()
                .setCurrentLevel(level.current())
                .setLaunchLevel(level.launch())
                .build();
    }
}
