package fr.snp.dispatch.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The shape of the code, as rules that fail the build: handlers parse, call a use case and render, and never talk
 * to Redis; the domain is plain Java; packages do not depend on each other in circles.
 */
class ArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void load() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("fr.snp.dispatch");
    }

    @Test
    void handlersNeverTalkToRedis() {
        noClasses().that().resideInAPackage("fr.snp.dispatch.api..").should().dependOnClassesThat()
                .resideInAnyPackage("io.lettuce..")
                .because("only stores talk to Redis: a handler parses, calls a use case and renders").check(classes);
    }

    @Test
    void theDomainIsPlainJava() {
        noClasses().that().resideInAPackage("fr.snp.dispatch.domain..").should().dependOnClassesThat()
                .resideInAnyPackage("io.vertx..", "io.lettuce..", "io.micrometer..")
                .because("slots, outcomes and rules are read without the plumbing").check(classes);
    }

    @Test
    void useCasesDoNotKnowTheHttpLayer() {
        noClasses().that().resideInAnyPackage("fr.snp.dispatch.booking..", "fr.snp.dispatch.requests..",
                        "fr.snp.dispatch.coordination..", "fr.snp.dispatch.directory..", "fr.snp.dispatch.auth..",
                        "fr.snp.dispatch.matching..", "fr.snp.dispatch.domain..")
                .should().dependOnClassesThat().resideInAnyPackage("fr.snp.dispatch.api..", "io.vertx.ext.web..")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("fr.snp.dispatch.(*)..").should().beFreeOfCycles().check(classes);
    }
}
