package io.discoverygateway.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package seams, checked so that they stay: data flows one way, from the Kubernetes
 * side through the catalog to the HTTP surfaces, and no two packages depend on each
 * other.
 *
 * <pre>
 * kubernetes ──▶ catalog ◀── api, compat, stream, longpoll, health, xds
 *     │             ▲            │
 *     │            web  (what every HTTP surface shares: problem+json, validation, staleness, Jetty)
 *     │             ▲            │
 *     └────────▶ access ◀────────┘  (who may read what: the surfaces ask it, the kubernetes package answers its
 *                                    reviews)
 *
 * protocol: the stream's wire vocabulary, shared with the client library; any package may use it, it uses the JDK only
 * runtime: daemon threads, lifecycle phases, capacity limits; any package may use it, it uses no feature
 * </pre>
 */
class ArchitectureTest {

    /**
     * The gateway's own classes: not its tests, and not the code Spring AOT generates at
     * package time (bean definitions that reach into every package by design,
     * {@code Xxx__BeanDefinitions} and the like), which a build that ran {@code package}
     * before leaves in target/classes.
     */
    private static final JavaClasses GATEWAY = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(location -> !location.contains("__"))
        .importPackages("io.discoverygateway");

    @Test
    void packagesHaveNoCycles() {
        slices().matching("io.discoverygateway.(*)..").should().beFreeOfCycles().check(GATEWAY);
    }

    @Test
    void dataFlowsFromKubernetesThroughTheCatalogToTheHttpSurfaces() {
        layeredArchitecture().consideringOnlyDependenciesInAnyPackage("io.discoverygateway..")
            .layer("Configuration")
            .definedBy("io.discoverygateway")
            .layer("Catalog")
            .definedBy("io.discoverygateway.catalog..")
            .layer("Kubernetes")
            .definedBy("io.discoverygateway.kubernetes..")
            .layer("Web")
            .definedBy("io.discoverygateway.web..")
            .layer("Access")
            .definedBy("io.discoverygateway.access..")
            .layer("ClusterSet")
            .definedBy("io.discoverygateway.clusterset..")
            .layer("Surfaces")
            .definedBy("io.discoverygateway.api..", "io.discoverygateway.compat..", "io.discoverygateway.stream..",
                    "io.discoverygateway.longpoll..", "io.discoverygateway.health..", "io.discoverygateway.xds..")
            .whereLayer("Surfaces")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("ClusterSet")
            .mayOnlyBeAccessedByLayers("Kubernetes", "Surfaces")
            .whereLayer("Access")
            .mayOnlyBeAccessedByLayers("Surfaces", "Kubernetes", "ClusterSet")
            .whereLayer("Web")
            .mayOnlyBeAccessedByLayers("Surfaces", "Access", "ClusterSet")
            .whereLayer("Kubernetes")
            .mayOnlyBeAccessedByLayers("Surfaces")
            .whereLayer("Catalog")
            .mayOnlyBeAccessedByLayers("Configuration", "Kubernetes", "Web", "Access", "ClusterSet", "Surfaces")
            .check(GATEWAY);
    }

    @Test
    void theCatalogKnowsNothingOfHttpOrKubernetesModels() {
        noClasses().that()
            .resideInAPackage("io.discoverygateway.catalog..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("jakarta.servlet..", "org.springframework.web..", "org.springframework.http..",
                    "org.eclipse.jetty..", "io.kubernetes.client..")
            .check(GATEWAY);
    }

    @Test
    void onlyTheKubernetesPackageSeesTheClientsModels() {
        noClasses().that()
            .resideOutsideOfPackage("io.discoverygateway.kubernetes..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.kubernetes.client..")
            .check(GATEWAY);
    }

    @Test
    void theWireProtocolDependsOnTheJdkOnly() {
        // Its sources are compiled into the client library too, which has none of the
        // gateway's dependencies.
        classes().that()
            .resideInAPackage("io.discoverygateway.protocol..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("java..", "io.discoverygateway.protocol..")
            .check(GATEWAY);
    }

    @Test
    void theRuntimeHelpersKnowNoFeature() {
        // Threads, lifecycle phases and capacity limits: used by every feature, so they
        // may use none.
        noClasses().that()
            .resideInAPackage("io.discoverygateway.runtime..")
            .should()
            .dependOnClassesThat(JavaClass.Predicates.resideInAPackage("io.discoverygateway..")
                .and(DescribedPredicate.not(JavaClass.Predicates.resideInAPackage("io.discoverygateway.runtime.."))))
            .check(GATEWAY);
    }

    @Test
    void onlyTheHealthPackageSeesTheKubernetesPackage() {
        noClasses().that()
            .resideOutsideOfPackages("io.discoverygateway.kubernetes..", "io.discoverygateway.health..")
            .and()
            .resideOutsideOfPackage("io.discoverygateway")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.discoverygateway.kubernetes..")
            .check(GATEWAY);
    }

}
