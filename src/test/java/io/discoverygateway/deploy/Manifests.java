package io.discoverygateway.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.discoverygateway.kubeapi.Kubectl;
import io.discoverygateway.process.Commands;
import org.yaml.snakeyaml.Yaml;

/**
 * Reads the manifests under {@code k8s/}: single files, or an overlay rendered by
 * {@code kubectl kustomize}.
 */
final class Manifests {

    /**
     * k8s/ of the gateway's folder (gateway.root when the client library's tests use it).
     */
    static final Path ROOT = Path.of(System.getProperty("gateway.root", ".")).resolve("k8s");

    private final List<Map<String, Object>> documents;

    private Manifests(List<Map<String, Object>> documents) {
        this.documents = documents;
    }

    /**
     * Every Kubernetes object in the YAML files of a folder (not the kustomization
     * itself).
     */
    static Manifests files(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            List<Map<String, Object>> documents = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                if (!file.getFileName().toString().equals("kustomization.yaml")) {
                    // Only Kubernetes objects: promtool's rule files beside them have no
                    // apiVersion and kind.
                    parse(Files.readString(file)).stream()
                        .filter(document -> document.containsKey("apiVersion") && document.containsKey("kind"))
                        .forEach(documents::add);
                }
            }
            return new Manifests(documents);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static boolean kubectlAvailable() {
        return available(Kubectl.executable(), "version", "--client");
    }

    /**
     * Whether the command runs and succeeds here (a tool that tests use when it is
     * installed).
     */
    static boolean available(String... command) {
        return Commands.run(List.of(command)).succeeded();
    }

    /**
     * The base layout with components of k8s/components, rendered from an overlay written
     * under target/kustomize, as an operator's own kustomization would use them.
     */
    static Manifests baseWith(String... components) {
        return layout("base", components);
    }

    /**
     * A layout of k8s/ ({@code base} or an overlay) with components of k8s/components,
     * rendered from an overlay written under target/kustomize, as an operator's own
     * kustomization would use them.
     */
    static Manifests layout(String layout, String... components) {
        Path overlay = Path.of("target", "kustomize", layout.replace('/', '-') + "-" + String.join("-", components));
        // Kustomize takes bases by relative path.
        String k8s = overlay.toAbsolutePath().relativize(ROOT.toAbsolutePath().normalize()).toString();
        StringBuilder kustomization = new StringBuilder("apiVersion: kustomize.config.k8s.io/v1beta1\n"
                + "kind: Kustomization\nresources:\n  - " + k8s + "/" + layout + "\n");
        if (components.length > 0) {
            kustomization.append("components:\n");
        }
        for (String component : components) {
            kustomization.append("  - ").append(k8s).append("/components/").append(component).append('\n');
        }
        try {
            Files.createDirectories(overlay);
            Files.writeString(overlay.resolve("kustomization.yaml"), kustomization);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return render(overlay);
    }

    /** The output of {@code kubectl kustomize} for a folder under k8s/. */
    static Manifests rendered(String folder) {
        return render(ROOT.resolve(folder));
    }

    private static Manifests render(Path folder) {
        List<String> command = List.of(Kubectl.executable(), "kustomize", folder.toString());
        return new Manifests(parse(Kubectl.run(command, null).orThrow(command)));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> parse(String yaml) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Yaml().loadAll(yaml)) {
            if (document != null) {
                documents.add((Map<String, Object>) document);
            }
        }
        return documents;
    }

    List<Map<String, Object>> all() {
        return documents;
    }

    List<Map<String, Object>> ofKind(String kind) {
        return documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    Map<String, Object> deployment() {
        return ofKind("Deployment").get(0);
    }

    /** The gateway container of the Deployment. */
    @SuppressWarnings("unchecked")
    Map<String, Object> container() {
        Map<String, Object> spec = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) deployment()
            .get("spec")).get("template")).get("spec");
        return ((List<Map<String, Object>>) spec.get("containers")).get(0);
    }

    /**
     * The container's environment; values from the downward API become
     * {@code fieldRefValue}.
     */
    @SuppressWarnings("unchecked")
    Map<String, Object> environment(String fieldRefValue) {
        Map<String, Object> env = new LinkedHashMap<>();
        for (Map<String, Object> variable : (List<Map<String, Object>>) container().get("env")) {
            env.put((String) variable.get("name"),
                    variable.containsKey("value") ? String.valueOf(variable.get("value")) : fieldRefValue);
        }
        return env;
    }

    @SuppressWarnings("unchecked")
    static String namespaceOf(Map<String, Object> object) {
        Object namespace = ((Map<String, Object>) object.get("metadata")).get("namespace");
        return namespace == null ? "" : namespace.toString();
    }

}
