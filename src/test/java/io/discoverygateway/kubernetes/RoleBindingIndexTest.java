package io.discoverygateway.kubernetes;

import java.util.List;
import java.util.Map;

import io.discoverygateway.access.Consumer;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A RoleBinding's subjects are indexed as the RBAC authorizer reads them, so that a
 * consumer finds exactly the bindings that name it.
 */
class RoleBindingIndexTest {

    private static final Consumer APP = new Consumer("system:serviceaccount:shop:app", "uid-1",
            List.of("system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"), Map.of(), null);

    @Test
    void aServiceAccountSubjectNamesItsUserInTheNamespaceItGives() {
        V1RoleBinding binding = binding("billing", subject("ServiceAccount", "app", "shop"));

        assertThat(RoleBindingIndex.subjectKeys(binding)).containsAnyElementsOf(RoleBindingIndex.consumerKeys(APP));
    }

    @Test
    void aServiceAccountSubjectWithoutANamespaceIsOfTheBindingsNamespace() {
        V1RoleBinding sameNamespace = binding("shop", subject("ServiceAccount", "app", null));
        V1RoleBinding elsewhere = binding("billing", subject("ServiceAccount", "app", null));

        assertThat(RoleBindingIndex.subjectKeys(sameNamespace))
            .containsAnyElementsOf(RoleBindingIndex.consumerKeys(APP));
        assertThat(RoleBindingIndex.subjectKeys(elsewhere))
            .doesNotContainAnyElementsOf(RoleBindingIndex.consumerKeys(APP));
    }

    @Test
    void aGroupSubjectNamesEveryMemberAndAUserSubjectItsUser() {
        V1RoleBinding group = binding("billing", subject("Group", "system:serviceaccounts:shop", null));
        V1RoleBinding user = binding("billing", subject("User", "system:serviceaccount:shop:app", null));

        assertThat(RoleBindingIndex.subjectKeys(group)).containsAnyElementsOf(RoleBindingIndex.consumerKeys(APP));
        assertThat(RoleBindingIndex.subjectKeys(user)).containsAnyElementsOf(RoleBindingIndex.consumerKeys(APP));
    }

    @Test
    void aUserNamedLikeAGroupIsNotTheGroup() {
        V1RoleBinding binding = binding("billing", subject("User", "system:authenticated", null));

        assertThat(RoleBindingIndex.subjectKeys(binding))
            .doesNotContainAnyElementsOf(RoleBindingIndex.consumerKeys(APP));
    }

    @Test
    void aBindingWithoutSubjectsOrWithAnUnknownKindNamesNobody() {
        assertThat(RoleBindingIndex.subjectKeys(binding("billing"))).isEmpty();
        assertThat(RoleBindingIndex.subjectKeys(binding("billing", subject("Robot", "app", "shop")))).isEmpty();
    }

    private static V1RoleBinding binding(String namespace, RbacV1Subject... subjects) {
        V1RoleBinding binding = new V1RoleBinding().metadata(new V1ObjectMeta().namespace(namespace).name("b"));
        if (subjects.length > 0) {
            binding.subjects(List.of(subjects));
        }
        return binding;
    }

    private static RbacV1Subject subject(String kind, String name, String namespace) {
        return new RbacV1Subject().kind(kind).name(name).namespace(namespace);
    }

}
