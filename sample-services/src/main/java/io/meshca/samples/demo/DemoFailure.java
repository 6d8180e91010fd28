package io.meshca.samples.demo;

import java.util.List;

/** A demo step that did not work; names the processes whose logs explain it. */
final class DemoFailure extends Exception {

    private final transient List<ChildProcess> suspects;

    DemoFailure(String message, ChildProcess... suspects) {
        super(message);
        this.suspects = List.of(suspects);
    }

    List<ChildProcess> suspects() {
        return suspects;
    }
}
