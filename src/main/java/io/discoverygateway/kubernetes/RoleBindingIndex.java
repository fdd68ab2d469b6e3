package io.discoverygateway.kubernetes;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.discoverygateway.access.BoundNamespaces;
import io.discoverygateway.access.Consumer;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's RoleBindings, indexed by the users and groups their subjects name, for
 * {@code gateway.auth.role-binding-prefilter}: which namespaces could open to a consumer.
 * The RBAC authorizer's own reading of a subject: a {@code User} or {@code Group} by
 * name, a {@code ServiceAccount} as the user
 * {@code system:serviceaccount:<namespace>:<name>} (the binding's namespace when the
 * subject names none). The roles they refer to are not read: a SubjectAccessReview still
 * decides each namespace.
 *
 * <p>
 * Threads: the RoleBinding informer's threads keep its store and index (thread-safe) and
 * report list and watch outcomes here; request threads read. {@code informer} is set once
 * by the lifecycle thread before the informer starts; {@code failing} is written by the
 * reflector thread: volatile both.
 */
final class RoleBindingIndex implements BoundNamespaces, ListWatchMonitor {

    static final String INFORMER = "RoleBindings in all namespaces";

    private static final String BY_SUBJECT = "subject";

    private static final Logger log = LoggerFactory.getLogger(RoleBindingIndex.class);

    private volatile SharedIndexInformer<V1RoleBinding> informer;

    private volatile boolean failing;

    /** Indexes the informer's RoleBindings by subject; called before it starts. */
    void attach(SharedIndexInformer<V1RoleBinding> informer) {
        informer.addIndexers(Map.of(BY_SUBJECT, RoleBindingIndex::subjectKeys));
        this.informer = informer;
    }

    @Override
    public Optional<Set<String>> of(Consumer consumer) {
        if (!inUse()) {
            return Optional.empty();
        }
        SharedIndexInformer<V1RoleBinding> current = informer;
        Set<String> namespaces = new HashSet<>();
        for (String key : consumerKeys(consumer)) {
            for (V1RoleBinding binding : current.getIndexer().byIndex(BY_SUBJECT, key)) {
                namespaces.add(binding.getMetadata().getNamespace());
            }
        }
        return Optional.of(namespaces);
    }

    /** Whether the index narrows reviews now: listed, and its watch not failing. */
    boolean inUse() {
        SharedIndexInformer<V1RoleBinding> current = informer;
        return current != null && current.hasSynced() && !failing;
    }

    @Override
    public void succeeded(String name) {
        if (failing) {
            log.info("RoleBindings are watched again: consumers' reviews are narrowed to their bound namespaces");
            failing = false;
        }
    }

    @Override
    public void failed(String name, String reason) {
        if (!failing) {
            log.warn("Cannot list or watch RoleBindings ({}): every namespace is reviewed for a consumer until it "
                    + "can (the gateway needs list and watch on rolebindings.rbac.authorization.k8s.io, or "
                    + "gateway.auth.role-binding-prefilter=false)", reason);
            failing = true;
        }
    }

    /** The index keys of the subjects a RoleBinding names. */
    static List<String> subjectKeys(V1RoleBinding binding) {
        List<String> keys = new ArrayList<>();
        if (binding.getSubjects() == null) {
            return keys;
        }
        for (RbacV1Subject subject : binding.getSubjects()) {
            switch (String.valueOf(subject.getKind())) {
                case "User" -> keys.add(userKey(subject.getName()));
                case "Group" -> keys.add(groupKey(subject.getName()));
                case "ServiceAccount" -> {
                    String namespace = subject.getNamespace() == null || subject.getNamespace().isEmpty()
                            ? binding.getMetadata().getNamespace() : subject.getNamespace();
                    keys.add(userKey("system:serviceaccount:" + namespace + ":" + subject.getName()));
                }
                default -> {
                    // A kind RBAC does not know grants nothing.
                }
            }
        }
        return keys;
    }

    /** The index keys under which the RoleBindings naming the consumer are found. */
    static List<String> consumerKeys(Consumer consumer) {
        List<String> keys = new ArrayList<>(consumer.groups().size() + 1);
        keys.add(userKey(consumer.username()));
        consumer.groups().forEach(group -> keys.add(groupKey(group)));
        return keys;
    }

    private static String userKey(String name) {
        return "user:" + name;
    }

    private static String groupKey(String name) {
        return "group:" + name;
    }

}
