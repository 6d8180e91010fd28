package io.meshca.samples.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ClusterRoleBinding;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Rendered manifests read into the official Kubernetes model classes. Each model's {@code fromJson}
 * checks the JSON against the API's schema and refuses a field the API does not define (at any
 * depth), so a misspelt key in a template fails here, as {@code kubectl apply} would fail on a
 * cluster.
 */
final class KubernetesObjects {

    @FunctionalInterface
    private interface Parser {
        Object parse(String json) throws IOException;
    }

    private static final Map<String, Parser> PARSERS = Map.ofEntries(
            Map.entry("ServiceAccount", V1ServiceAccount::fromJson),
            Map.entry("ConfigMap", V1ConfigMap::fromJson),
            Map.entry("Secret", V1Secret::fromJson),
            Map.entry("Service", V1Service::fromJson),
            Map.entry("StatefulSet", V1StatefulSet::fromJson),
            Map.entry("DaemonSet", V1DaemonSet::fromJson),
            Map.entry("PodDisruptionBudget", V1PodDisruptionBudget::fromJson),
            Map.entry("ClusterRole", V1ClusterRole::fromJson),
            Map.entry("ClusterRoleBinding", V1ClusterRoleBinding::fromJson),
            Map.entry("Role", V1Role::fromJson),
            Map.entry("RoleBinding", V1RoleBinding::fromJson));

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Object> objects;

    private KubernetesObjects(List<Object> objects) {
        this.objects = List.copyOf(objects);
    }

    /**
     * Every document of {@code manifests} (helm's output), as its model.
     *
     * @throws IOException if a document is not YAML, has no known kind, or does not fit its model
     */
    static KubernetesObjects parse(String manifests) throws IOException {
        List<Object> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> documents =
                YAML.readerFor(JsonNode.class).readValues(manifests)) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document == null || document.isNull() || document.isMissingNode()) {
                    continue; // an empty document: a template that rendered nothing
                }
                objects.add(parseOne(document));
            }
        }
        return new KubernetesObjects(objects);
    }

    /** One document, as the model of its {@code kind}. */
    static Object parseOne(JsonNode document) throws IOException {
        String kind = document.path("kind").asText();
        Parser parser = PARSERS.get(kind);
        if (parser == null) {
            throw new IOException("no model for kind \"" + kind + "\" (known: " + PARSERS.keySet() + ")");
        }
        try {
            return parser.parse(JSON.writeValueAsString(document));
        } catch (IllegalArgumentException e) {
            // the models report a field they do not define this way
            throw new IOException(
                    kind + " " + document.path("metadata").path("name").asText() + ": " + e.getMessage(), e);
        }
    }

    List<Object> all() {
        return objects;
    }

    <T> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The one object of {@code type}; fails if there are none or several. */
    <T> T one(Class<T> type) {
        List<T> found = all(type);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found.size());
        }
        return found.get(0);
    }

    /** The object of {@code type} named {@code name}. */
    <T> T named(Class<T> type, String name, Function<T, String> nameOf) {
        return all(type).stream()
                .filter(o -> Objects.equals(nameOf.apply(o), name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name));
    }
}
