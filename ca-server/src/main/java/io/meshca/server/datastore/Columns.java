package io.meshca.server.datastore;

import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Encodings of list-valued columns as newline-separated TEXT (selectors have no control characters). */
final class Columns {

    private Columns() {}

    static String selectors(SelectorSet selectors) {
        List<String> out = new ArrayList<>();
        for (Selector s : selectors) {
            out.add(s.toString());
        }
        return String.join("\n", out);
    }

    static SelectorSet selectors(String text) {
        if (text == null || text.isEmpty()) {
            return SelectorSet.empty();
        }
        return SelectorSet.of(
                Arrays.stream(text.split("\n")).map(Selector::parse).toList());
    }

    static String strings(List<String> values) {
        return String.join("\n", values);
    }

    static List<String> strings(String text) {
        return text == null || text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }
}
