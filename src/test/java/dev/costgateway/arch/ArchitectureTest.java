package dev.costgateway.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Guards the layering: the core never depends on JavaFX or on the desktop app. */
class ArchitectureTest {

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
        slices().matching("dev.costgateway.app.(dashboard|requests|sessions|settings|reports)..")
                .should().notDependOnEachOther()
                .allowEmptyShould(true)
                .because("each screen is a vertical slice").check(classes);
    }
}
