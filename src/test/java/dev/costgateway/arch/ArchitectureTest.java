package dev.costgateway.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.util.Set;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Guards the layering written down in docs/ARCHITECTURE.md: the core never depends on JavaFX or on the desktop app,
 * packages form no cycles, the proxy stays a byte pipe that knows nothing of routing or caching, and only the core
 * root wires the components together.
 */
class ArchitectureTest {

    static final String ROOT = "dev.costgateway.core";
    /** Packages whose classes are components: built once by the core root and handed to whoever uses them. */
    static final Set<String> COMPONENT_PACKAGES = Set.of(ROOT + ".cache", ROOT + ".routing", ROOT + ".embed",
            ROOT + ".metrics", ROOT + ".metrics.http", ROOT + ".proxy");

    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.costgateway");
    }

    @Test
    void rulesSeeTheWholeCodeBase() {
        // a rule over an empty import passes vacuously; make sure both layers were found
        org.assertj.core.api.Assertions.assertThat(classes.contain(dev.costgateway.core.Gateway.class)).isTrue();
        org.assertj.core.api.Assertions.assertThat(classes.contain(dev.costgateway.app.Launcher.class)).isTrue();
    }

    @Test
    void coreHasNoJavaFx() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.costgateway.core..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "atlantafx..", "com.sun.javafx..")
                .because("the gateway must run headless on servers and CI; only dev.costgateway.app may use JavaFX");
        rule.check(classes);
    }

    @Test
    void coreDoesNotDependOnTheApp() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.costgateway.core..")
                .should().dependOnClassesThat().resideInAPackage("dev.costgateway.app..")
                .because("the app depends on the core, never the reverse");
        rule.check(classes);
    }

    @Test
    void appScreensDoNotDependOnEachOther() {
        slices().matching("dev.costgateway.app.(dashboard|requests|settings|reports)..")
                .should().notDependOnEachOther()
                .allowEmptyShould(true)
                .because("each screen is a vertical slice").check(classes);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("dev.costgateway.(**)").namingSlices("$1")
                .should().beFreeOfCycles()
                .because("a cycle makes two packages one: neither can be read, tested or replaced without the other,"
                        + " and a new stage could no longer be added in one place (docs/ARCHITECTURE.md)")
                .check(classes);
    }

    @Test
    void proxyKnowsNothingOfRoutingOrCaching() {
        noClasses().that().resideInAPackage(ROOT + ".proxy..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".routing..", ROOT + ".cache..")
                .because("the proxy is a byte-faithful pipe: every decision reaches it through MessagePolicy and the"
                        + " values in core.decision, so routing and caching change without touching the pipe"
                        + " (docs/adr/0006-one-route-decision-in-a-shared-package.md)")
                .check(classes);
    }

    @Test
    void onlyTheCoreRootWiresComponents() {
        codeUnits().that(createComponent())
                .should(onlyBeUsedFromTheirOwnPackageOrTheCoreRoot())
                .because("Gateway and GatewayComponents are the one place that builds the caches, router, stores,"
                        + " embedder and proxy and decides who shares which instance (and which clock); a stage"
                        + " that built its own collaborators could not be tested alone or configured in one place")
                .check(classes);
    }

    /**
     * Constructors and static factories ({@code static Foo open(...)}) of the component classes: concrete classes in
     * {@link #COMPONENT_PACKAGES} that are not values (records, enums, exceptions, interfaces).
     */
    private static DescribedPredicate<JavaCodeUnit> createComponent() {
        return DescribedPredicate.describe("create a component (constructor or static factory of a non-value class"
                + " in " + COMPONENT_PACKAGES + ")", unit -> {
                    JavaClass owner = unit.getOwner();
                    if (!COMPONENT_PACKAGES.contains(owner.getPackageName()) || owner.isRecord() || owner.isEnum()
                            || owner.isInterface() || owner.isAssignableTo(Throwable.class)) {
                        return false;
                    }
                    boolean staticFactory = unit.getModifiers().contains(JavaModifier.STATIC)
                            && unit.getRawReturnType().equals(owner);
                    return unit.isConstructor() || staticFactory;
                });
    }

    private static ArchCondition<JavaCodeUnit> onlyBeUsedFromTheirOwnPackageOrTheCoreRoot() {
        return new ArchCondition<>("only be called from their own package or " + ROOT) {
            @Override
            public void check(JavaCodeUnit unit, ConditionEvents events) {
                String home = unit.getOwner().getPackageName();
                for (JavaAccess<?> access : unit.getAccessesToSelf()) {
                    String from = access.getOriginOwner().getPackageName();
                    if (!from.equals(home) && !from.equals(ROOT)) {
                        events.add(SimpleConditionEvent.violated(access, access.getDescription()));
                    }
                }
            }
        };
    }
}
